import { z } from 'zod';
import { formatBytes } from '../domain/backups.ts';
import { ago } from '../domain/pods.ts';
import { defineAction } from './action.ts';
import { backupData, backupTools } from './backups.ts';

/** The backups in the store, newest first. */
export const dbBackups = defineAction({
  name: 'db backups',
  group: 'Database',
  summary: 'List the fleet database backups: age, size, checksum, server version',
  usage: '',
  example: 'db backups',
  syntax: { positionals: [] },
  params: z.object({}),
  retryable: false,
  timeoutMs: 30_000,
  classify() {
    return { permission: 'read', destructive: false };
  },
  async run(context) {
    const { store } = backupTools(context);
    const backups = await store.list();
    const now = context.clock.now();
    if (backups.length === 0) {
      return {
        status: 'warning',
        summary: `No backups in ${store.location}`,
        sections: [{ text: 'Take one with `db backup`.' }],
        data: { backups: [] },
      };
    }
    const total = backups.reduce((sum, backup) => sum + backup.sizeBytes, 0);
    return {
      status: 'ok',
      summary: `${backups.length} backup${backups.length === 1 ? '' : 's'} (${formatBytes(total)}), newest ${ago(backups[0]?.createdAt ?? now, now)}`,
      sections: [
        {
          table: {
            headers: ['Backup', 'Age', 'Size', 'SHA-256', 'PostgreSQL', 'Note'],
            rows: backups.map((backup) => [
              backup.id,
              ago(backup.createdAt, now),
              formatBytes(backup.sizeBytes),
              `${backup.sha256.slice(0, 12)}…`,
              backup.serverVersion,
              backup.reason ?? '',
            ]),
          },
        },
        { text: `Stored in ${store.location}. Restore one with \`db restore <backup>\`.` },
      ],
      data: { backups: backups.map(backupData) },
    };
  },
});
