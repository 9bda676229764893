/**
 * Backups of the fleet database: what is recorded about one, where they are kept (a BackupStore:
 * a directory now, Azure Blob later) and the database tools that make and restore them. Bodies
 * are streamed as byte chunks, never held whole in memory.
 */

/** What is recorded about a backup beside its body. */
export interface BackupMetadata {
  /** `20260514-093012-4f2a`: time-ordered, safe to type in a command. */
  id: string;
  createdAt: Date;
  /** Why, when it was taken for another action (the safety backup of a restore); who asked is in the audit log. */
  reason?: string;
  /** `pg_dump -Fc`: restored with pg_restore. */
  format: 'pg_dump-custom';
  database: string;
  /** The server's `server_version` at the time of the dump. */
  serverVersion: string;
  /** Bytes of the body. */
  sizeBytes: number;
  /** SHA-256 of the body, lowercase hex, computed while it was written. */
  sha256: string;
  durationMs: number;
  /** `backups.verifyQuery` and its answer in the dump's own snapshot: a restore must give the same. */
  verify?: { query: string; value: string | null };
}

/** Where backups are kept. Implementations: a directory (`FLEETBOT_BACKUP_DIR`); Azure Blob later. */
export interface BackupStore {
  /** Where, for messages: `directory /data/backups`. */
  readonly location: string;
  /** Every complete backup, newest first. A backup being written is not listed. */
  list(): Promise<BackupMetadata[]>;
  get(id: string): Promise<BackupMetadata | undefined>;
  /**
   * Writes `body` under `id`, then calls `finish` for what to record about it (once the body has
   * been read to its end); only then is the backup listed. When the body or `finish` fails, or
   * `signal` aborts, nothing is kept.
   */
  put(
    id: string,
    body: AsyncIterable<Uint8Array>,
    finish: () => Promise<BackupMetadata>,
    signal: AbortSignal,
  ): Promise<BackupMetadata>;
  /** The body as stored. */
  read(id: string, signal: AbortSignal): AsyncIterable<Uint8Array>;
  delete(id: string): Promise<void>;
  /**
   * Removes what backups cut short by a dead process left behind: writes nobody has touched for
   * `idleMs` (a live write is touched every couple of seconds, even while pg_dump waits). Returns
   * how many backups it removed.
   */
  removeAbandoned(idleMs: number): Promise<number>;
}

/** A dump being taken: its body, to be read to the end, and the tool's outcome. */
export interface Dump {
  serverVersion: string;
  database: string;
  /** The `verifyQuery` answer in the dump's snapshot, when a query was given. */
  verify?: { query: string; value: string | null };
  body: AsyncIterable<Uint8Array>;
  /** Settles once the tool has exited; rejects with its error output when it failed. */
  finished: Promise<void>;
}

/** pg_dump, pg_restore and single queries against the fleet database (`FLEET_DATABASE_URL`). */
export interface DatabaseDumps {
  /** `fleet-postgres:5432/fleetdb`: never a user or password. */
  readonly target: string;
  dump(options: { verifyQuery?: string }, signal: AbortSignal): Promise<Dump>;
  /**
   * Restores a custom-format dump in one transaction: on failure or abort, the database is as it
   * was before.
   */
  restore(body: AsyncIterable<Uint8Array>, signal: AbortSignal): Promise<void>;
  /** The first column of the first row as text (null when there is none). */
  query(sql: string, signal: AbortSignal): Promise<string | null>;
  serverVersion(signal: AbortSignal): Promise<string>;
}

/** How long and how many backups are kept (config `backups`). */
export interface Retention {
  /** The newest this many are always kept. */
  keep: number;
  /** Beyond `keep`, backups older than this are removed; 0 removes every one beyond `keep`. */
  maxAgeMs: number;
}

/**
 * The backups retention removes: those beyond the newest `keep` that are older than `maxAge`,
 * never one in `protect` (the one being restored).
 */
export function expiredBackups(
  backups: readonly BackupMetadata[],
  retention: Retention,
  now: Date,
  protect: readonly string[] = [],
): BackupMetadata[] {
  const newestFirst = [...backups].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
  return newestFirst
    .slice(retention.keep)
    .filter(
      (backup) =>
        !protect.includes(backup.id) &&
        (retention.maxAgeMs === 0 || now.getTime() - backup.createdAt.getTime() > retention.maxAgeMs),
    );
}

/** The newest backup taken since `since`, if any. */
export function newestSince(backups: readonly BackupMetadata[], since: Date): BackupMetadata | undefined {
  return backups
    .filter((backup) => backup.createdAt.getTime() >= since.getTime())
    .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())[0];
}

const BACKUP_ID = /^\d{8}-\d{6}-[0-9a-f]{4}$/;

/** Whether `id` has the shape of a backup id: checked before any store sees it (no paths). */
export function isBackupId(id: string): boolean {
  return BACKUP_ID.test(id);
}

/** `20260514-093012-4f2a` for a backup started at `at` (UTC), with `suffix` 4 hex digits. */
export function backupId(at: Date, suffix: string): string {
  const stamp = at.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${stamp}-${suffix}`;
}

/** `1.2 GB`, `340 MB`, `12 kB`. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(value >= 100 ? 0 : 1)} ${units[unit]}`;
}
