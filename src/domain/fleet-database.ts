/**
 * The Fleet Management System's own PostgreSQL (`FLEET_DATABASE_URL`) and Redis (`FLEET_REDIS_URL`)
 * as the database actions see them: the runbook's `pg_stat_activity` query, `pg_terminate_backend`,
 * the demo reset script, and Redis keys by pattern. Implemented in `src/adapters/`; every method
 * fails with a FleetbotError that says what to fix (`config` when the URL is not set).
 */

/** One row of `pg_stat_activity`: a client connection or a server process. */
export interface DatabaseSession {
  pid: number;
  /** `client backend` for connections; `walsender`, `checkpointer`, `autovacuum launcher`… otherwise. */
  backendType: string;
  /** `active`, `idle`, `idle in transaction`…; null for server processes and for sessions the user may not see. */
  state: string | null;
  /** Empty when the client set none. */
  applicationName: string;
  user: string | null;
  database: string | null;
  /** When the connection opened. */
  backendStart: Date | null;
  /** When `state` last changed: for an idle session, since when it is idle. */
  stateChange: Date | null;
  /**
   * The exact server timestamps (microseconds) of `backendStart` and `stateChange`: a session is
   * terminated only if both still match, i.e. it is the same connection, idle since the same moment.
   */
  fingerprint: string;
}

/** Every row of `pg_stat_activity` (the runbook's `SELECT count(*) FROM pg_stat_activity`), read at once. */
export interface ConnectionSnapshot {
  sessions: DatabaseSession[];
  /** The server's `max_connections`. */
  maxConnections: number;
  /** The server's clock when the snapshot was read; ages are measured against it. */
  at: Date;
  /** The pid of the connection that read the snapshot (it is one of `sessions`). */
  ownPid: number;
  /** The database `FLEET_DATABASE_URL` names; the server may hold others (fleetbot's own, say). */
  database: string;
}

export type TerminateOutcome =
  | { pid: number; applicationName: string; outcome: 'terminated' }
  /** It became active, closed, or was replaced since it was seen: left alone. */
  | { pid: number; applicationName: string; outcome: 'changed' }
  | { pid: number; applicationName: string; outcome: 'refused'; reason: string };

/** The demo reset script, read and checked before anything runs. */
export interface SqlScript {
  /** Absolute path. */
  path: string;
  sql: string;
  bytes: number;
}

export interface FleetDatabase {
  /** `host:port/database` of `FLEET_DATABASE_URL`, never its user or password; undefined when not set. */
  readonly target: string | undefined;
  connections(signal: AbortSignal): Promise<ConnectionSnapshot>;
  /**
   * Terminates each session only if it is still idle and unchanged since the snapshot it came from
   * (same `fingerprint`), one at a time; stops between sessions when `signal` aborts.
   */
  terminate(
    sessions: readonly DatabaseSession[],
    signal: AbortSignal,
    onEach?: (outcome: TerminateOutcome, index: number) => void,
  ): Promise<TerminateOutcome[]>;
  /** Reads the script; fails when it is missing, empty, or controls transactions itself. */
  readScript(path: string): Promise<SqlScript>;
  /** Runs the script in one transaction: all of it is committed, or (error, cancel) none of it. */
  runScript(script: SqlScript, signal: AbortSignal): Promise<void>;
}

export interface FleetRedis {
  /** `host:port` of `FLEET_REDIS_URL`, never its password; undefined when not set. */
  readonly target: string | undefined;
  /** How many keys match each pattern (SCAN, never KEYS). */
  countKeys(patterns: readonly string[], signal: AbortSignal): Promise<Map<string, number>>;
  /** Deletes the keys matching each pattern with SCAN + UNLINK in batches; how many per pattern. */
  deleteKeys(
    patterns: readonly string[],
    signal: AbortSignal,
    onBatch?: (deletedSoFar: number) => void,
  ): Promise<Map<string, number>>;
}

/** Sessions whose application name starts with this are fleetbot's own (its pool, queue, checks, actions). */
export const FLEETBOT_APPLICATION_PREFIX = 'fleetbot';

/**
 * The sessions `db kill-idle` may terminate: client connections (never replication or other
 * server processes) to the fleet database (not to other databases on the same server, such as
 * fleetbot's own), in state `idle` (not `active`, not `idle in transaction`, whose locks and work a
 * kill would roll back) for at least `olderThanMs`, that are not fleetbot's own.
 */
export function idleSessions(snapshot: ConnectionSnapshot, olderThanMs: number): DatabaseSession[] {
  return snapshot.sessions.filter(
    (session) =>
      session.backendType === 'client backend' &&
      session.state === 'idle' &&
      session.database === snapshot.database &&
      session.pid !== snapshot.ownPid &&
      !session.applicationName.startsWith(FLEETBOT_APPLICATION_PREFIX) &&
      session.stateChange !== null &&
      snapshot.at.getTime() - session.stateChange.getTime() >= olderThanMs,
  );
}
