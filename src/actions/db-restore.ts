import { z } from 'zod';
import { type BackupMetadata, formatBytes, isBackupId } from '../domain/backups.ts';
import { FleetbotError } from '../domain/errors.ts';
import { ago } from '../domain/pods.ts';
import { type ActionContext, defineAction } from './action.ts';
import {
  backupFields,
  backupTools,
  databaseRef,
  measured,
  seconds,
  takeBackup,
  throttled,
} from './backups.ts';

const params = z.object({
  backup: z
    .string()
    .refine(isBackupId, { message: 'expected a backup id like 20260514-093012-4f2a (see `db backups`)' }),
});

/**
 * The runbook's "Restore" (`kubectl cp` + `psql -f`), made safe: the backup's checksum is verified
 * before anything is touched, a safety backup of the current database is taken, then pg_restore
 * replaces the backup's objects in ONE transaction (`--single-transaction --clean`): a failure or
 * a cancel rolls it all back, so the database is either the backup or exactly what it was. The
 * verify query recorded with the backup must give the same answer afterwards.
 */
export const dbRestore = defineAction({
  name: 'db restore',
  group: 'Database',
  summary:
    'Restore the fleet database from a backup (admin, two people; checksum verified, safety backup first)',
  usage: '<backup>',
  example: 'db restore 20260514-093012-4f2a',
  syntax: { positionals: ['backup'] },
  params,
  retryable: false,
  timeoutMs: 4 * 60 * 60_000,
  classify(_params, config) {
    // Two people always, whatever permissions.twoPerson says: it replaces production data.
    return { permission: 'admin', destructive: true, twoPerson: true, target: databaseRef(config) };
  },
  async preview(context, input, signal) {
    const { database } = backupTools(context);
    const backup = await find(context, input.backup);
    const version = await database.serverVersion(signal);
    const now = context.clock.now();
    const major = (v: string) => v.split('.')[0];
    return {
      question: `Restore ${database.target} from backup ${backup.id}?`,
      details: [
        `Backup ${backup.id}: taken ${ago(backup.createdAt, now)} · ${formatBytes(backup.sizeBytes)} · PostgreSQL ${backup.serverVersion} · SHA-256 ${backup.sha256.slice(0, 12)}…`,
        `The server runs PostgreSQL ${version}.`,
        'First the checksum is verified and a safety backup of the database as it is now is taken; then every table, view and sequence of the backup is dropped and recreated in one transaction.',
      ],
      warnings: [
        `Everything written to ${backup.database} since ${backup.createdAt.toISOString()} is replaced (the safety backup keeps it).`,
        ...(major(version) !== major(backup.serverVersion)
          ? [`The backup comes from PostgreSQL ${backup.serverVersion}; the server runs ${version}.`]
          : []),
      ],
      verb: 'Restore',
    };
  },
  async run(context, input, signal) {
    const { store, database } = backupTools(context);
    const backup = await find(context, input.backup);

    context.progress({
      message: `Verifying the checksum of ${backup.id} (${formatBytes(backup.sizeBytes)})`,
      fraction: 0,
    });
    const check = measured(store.read(backup.id, signal));
    for await (const _chunk of check.body) {
      // Read to the end: the hash is computed as the chunks pass.
    }
    if (check.sha256() !== backup.sha256 || check.bytes() !== backup.sizeBytes) {
      throw new FleetbotError(
        'checksum_mismatch',
        `Refused: backup ${backup.id} is corrupted. Its SHA-256 is ${check.sha256().slice(0, 12)}… (${check.bytes()} bytes); ${backup.sha256.slice(0, 12)}… (${backup.sizeBytes} bytes) was recorded when it was taken. The database was not touched.`,
        { hint: 'Restore another backup (`db backups` lists them).' },
      );
    }

    context.progress({
      message: 'Checksum verified; taking a safety backup of the database as it is now',
      fraction: 0.05,
    });
    const safety = await takeBackup(context, signal, `safety backup before restoring ${backup.id}`);

    const began = performance.now();
    context.progress({ message: `Safety backup ${safety.id} taken; restoring ${backup.id}`, fraction: 0.1 });
    const stream = measured(
      store.read(backup.id, signal),
      throttled(context, (bytes) =>
        context.progress({
          message: `Restoring: ${formatBytes(bytes)} of ${formatBytes(backup.sizeBytes)} read`,
          fraction: 0.1 + (0.85 * bytes) / Math.max(1, backup.sizeBytes),
        }),
      ),
    );
    try {
      await database.restore(stream.body, signal);
    } catch (error) {
      if (!signal.aborted) throw error;
      return {
        status: 'failed',
        summary: `Restore of ${backup.id} cancelled: its transaction was rolled back, the database is as it was`,
        sections: [{ text: `Safety backup ${safety.id} was kept.` }],
        data: { error: { code: 'cancelled' }, backup: backup.id, safetyBackup: safety.id },
      };
    }
    const restoredMs = performance.now() - began;

    context.progress({ message: 'Restored; running the verify query', fraction: 0.95 });
    const query = backup.verify?.query ?? context.config.backups.verifyQuery;
    const value = await database.query(query, signal);
    const expected = backup.verify?.value;
    const verified = backup.verify === undefined || value === expected;
    const now = context.clock.now();
    return {
      status: verified ? 'ok' : 'failed',
      summary: verified
        ? `Restored ${backup.database} from ${backup.id} in ${seconds(restoredMs)}; verify query gives ${value ?? 'NULL'} as recorded`
        : `Restored ${backup.database} from ${backup.id}, but the verify query gives ${value ?? 'NULL'} where the backup recorded ${expected ?? 'NULL'}`,
      sections: [
        { title: 'Restored from', fields: backupFields(backup, now) },
        {
          fields: [
            {
              label: 'Verify query',
              value: query,
              status: verified ? 'ok' : 'failed',
              note: `${value ?? 'NULL'}`,
            },
            { label: 'Safety backup', value: safety.id, note: formatBytes(safety.sizeBytes) },
          ],
        },
        ...(verified
          ? []
          : [
              {
                text: `Look at the data now. To go back to what it was before: \`db restore ${safety.id}\`.`,
              },
            ]),
      ],
      data: {
        backup: backup.id,
        safetyBackup: safety.id,
        verify: { query, value, expected: expected ?? null },
      },
    };
  },
});

async function find(context: ActionContext, id: string): Promise<BackupMetadata> {
  const { store } = backupTools(context);
  const backup = await store.get(id);
  if (backup) return backup;
  const newest = (await store.list()).slice(0, 3).map((b) => b.id);
  throw new FleetbotError('unknown_backup', `No backup ${id} in ${store.location}.`, {
    hint:
      newest.length > 0
        ? `Newest: ${newest.join(', ')} (\`db backups\` lists them all).`
        : 'There are no backups yet: `db backup` takes one.',
  });
}
