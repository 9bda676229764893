import { createHash, randomBytes } from 'node:crypto';
import type { Config } from '../config/index.ts';
import {
  type BackupMetadata,
  backupId,
  expiredBackups,
  formatBytes,
  newestSince,
} from '../domain/backups.ts';
import type { WorkloadRef } from '../domain/cluster.ts';
import { FleetbotError } from '../domain/errors.ts';
import { ago } from '../domain/pods.ts';
import type { ActionContext, BackupTools, Field } from './action.ts';
import { resolveService } from './services.ts';

/** How often a long dump or restore reports how far it got. */
const PROGRESS_EVERY_MS = 5_000;

/** The store and tools, or why there are none. */
export function backupTools(context: Pick<ActionContext, 'backups'>): BackupTools {
  if (context.backups) return context.backups;
  throw new FleetbotError(
    'not_configured',
    'Backups need the fleet database, and FLEET_DATABASE_URL is not set.',
    {
      hint: 'Set FLEET_DATABASE_URL (and FLEETBOT_BACKUP_DIR for where backups go).',
    },
  );
}

/** The database's workload (`backups.service`): backups, restores and its restarts lock it. */
export function databaseRef(config: Config): WorkloadRef {
  return resolveService(config, config.backups.service).ref;
}

/**
 * The body's chunks as they pass, counted and hashed: the checksum is computed while the dump
 * streams to the store, never over a copy held in memory.
 */
export function measured(
  body: AsyncIterable<Uint8Array>,
  onBytes?: (bytes: number) => void,
): { body: AsyncIterable<Uint8Array>; bytes: () => number; sha256: () => string } {
  const hash = createHash('sha256');
  let bytes = 0;
  let digest: string | undefined;
  async function* pass() {
    for await (const chunk of body) {
      hash.update(chunk);
      bytes += chunk.byteLength;
      onBytes?.(bytes);
      yield chunk;
    }
  }
  return {
    body: pass(),
    bytes: () => bytes,
    sha256: () => {
      digest ??= hash.digest('hex');
      return digest;
    },
  };
}

/** Calls `report` at most every PROGRESS_EVERY_MS. */
export function throttled(context: ActionContext, report: (bytes: number) => void): (bytes: number) => void {
  let last = context.clock.now().getTime();
  return (bytes) => {
    const now = context.clock.now().getTime();
    if (now - last < PROGRESS_EVERY_MS) return;
    last = now;
    report(bytes);
  };
}

/** pg_dump of the fleet database streamed into the store, with its size, checksum and server version recorded. */
export async function takeBackup(
  context: ActionContext,
  signal: AbortSignal,
  reason?: string,
): Promise<BackupMetadata> {
  const { store, database } = backupTools(context);
  const createdAt = context.clock.now();
  const began = performance.now();
  const id = backupId(createdAt, randomBytes(2).toString('hex'));
  context.progress({ message: `Dumping ${database.target} into ${store.location} as ${id}` });
  const dump = await database.dump({ verifyQuery: context.config.backups.verifyQuery }, signal);
  const stream = measured(
    dump.body,
    throttled(context, (bytes) => context.progress({ message: `Dumped ${formatBytes(bytes)} so far` })),
  );
  return store.put(
    id,
    stream.body,
    async () => {
      await dump.finished;
      return {
        id,
        createdAt,
        ...(reason ? { reason } : {}),
        format: 'pg_dump-custom',
        database: dump.database,
        serverVersion: dump.serverVersion,
        sizeBytes: stream.bytes(),
        sha256: stream.sha256(),
        durationMs: Math.round(performance.now() - began),
        ...(dump.verify ? { verify: dump.verify } : {}),
      };
    },
    signal,
  );
}

/** Removes what retention no longer keeps (never one in `protect`); returns what it removed. */
export async function pruneBackups(context: ActionContext, protect: readonly string[] = []) {
  const { store } = backupTools(context);
  const { keep, maxAge } = context.config.backups;
  const expired = expiredBackups(
    await store.list(),
    { keep, maxAgeMs: maxAge },
    context.clock.now(),
    protect,
  );
  for (const backup of expired) await store.delete(backup.id);
  return expired;
}

/** The newest backup younger than `backups.requiredBeforeRestart`, if any. */
export async function recentBackup(context: ActionContext): Promise<BackupMetadata | undefined> {
  const { store } = backupTools(context);
  const since = new Date(context.clock.now().getTime() - context.config.backups.requiredBeforeRestart);
  return newestSince(await store.list(), since);
}

/** A backup as result fields. */
export function backupFields(backup: BackupMetadata, now: Date): Field[] {
  return [
    { label: 'Backup', value: backup.id, note: ago(backup.createdAt, now) },
    { label: 'Size', value: formatBytes(backup.sizeBytes) },
    { label: 'SHA-256', value: backup.sha256 },
    { label: 'PostgreSQL', value: backup.serverVersion },
    { label: 'Took', value: seconds(backup.durationMs) },
    ...(backup.verify
      ? [{ label: 'Verify query', value: `${backup.verify.value ?? 'NULL'} ← ${backup.verify.query}` }]
      : []),
  ];
}

/** What `--json` shows of a backup. */
export function backupData(backup: BackupMetadata): Record<string, unknown> {
  return { ...backup, createdAt: backup.createdAt.toISOString() };
}

/** `12.3 s`. */
export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}
