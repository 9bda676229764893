import { z } from 'zod';
import { formatBytes } from '../domain/backups.ts';
import { defineAction } from './action.ts';
import {
  backupData,
  backupFields,
  backupTools,
  databaseRef,
  pruneBackups,
  seconds,
  takeBackup,
} from './backups.ts';

/** The runbook's "Backup" (`pg_dump` in the pod, `kubectl cp` out), as one streamed step into the backup store. */
export const dbBackup = defineAction({
  name: 'db backup',
  group: 'Database',
  summary: 'Back up the fleet database (pg_dump) into the backup store; old backups are pruned',
  usage: '',
  example: 'db backup',
  syntax: { positionals: [] },
  params: z.object({}),
  retryable: false,
  timeoutMs: 2 * 60 * 60_000,
  classify(_params, config) {
    // operate, not admin: a backup changes nothing in the database and the runbook wants one before
    // every deployment and restart, which the on-call engineer does; not read: it loads the
    // production database with a full read and prunes old backups. The database's workload lock
    // keeps it from running beside a restore or a restart of the database.
    return { permission: 'operate', destructive: false, target: databaseRef(config) };
  },
  async run(context, _params, signal) {
    const { store } = backupTools(context);
    const backup = await takeBackup(context, signal);
    const pruned = await pruneBackups(context, [backup.id]);
    const now = context.clock.now();
    return {
      status: 'ok',
      summary: `Backed up ${backup.database} as ${backup.id}: ${formatBytes(backup.sizeBytes)} in ${seconds(backup.durationMs)}`,
      sections: [
        { fields: backupFields(backup, now) },
        {
          text:
            pruned.length > 0
              ? `Retention (keep ${context.config.backups.keep}, then up to ${Math.round(context.config.backups.maxAge / 86_400_000)} days): removed ${pruned.map((b) => b.id).join(', ')}.`
              : `Stored in ${store.location}. Restore with \`db restore ${backup.id}\`.`,
        },
      ],
      data: { backup: backupData(backup), pruned: pruned.map((b) => b.id) },
    };
  },
});
