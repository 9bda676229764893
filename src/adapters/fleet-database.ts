import { readFile } from 'node:fs/promises';
import type pg from 'pg';
import { FleetbotError } from '../domain/errors.ts';
import type {
  ConnectionSnapshot,
  DatabaseSession,
  FleetDatabase,
  SqlScript,
  TerminateOutcome,
} from '../domain/fleet-database.ts';
import { failureReason, hostAndPort } from '../health/health-check.ts';

export interface PgFleetDatabaseOptions {
  /** `FLEET_DATABASE_URL`; unset: every method fails saying to set it. */
  url: string | undefined;
  /** How long a connection may take. @defaultValue 5 s */
  connectTimeoutMs?: number;
}

/** How fleetbot's database actions name their sessions; `db kill-idle` never terminates a `fleetbot…` session. */
const APPLICATION_NAME = 'fleetbot-db-actions';

// Microseconds since the epoch, as text: timestamps in JavaScript Dates lose them, and a session is
// recognised again only by its exact start and state-change times.
const FINGERPRINT = `concat_ws('/', (extract(epoch FROM a.backend_start) * 1000000)::bigint, (extract(epoch FROM a.state_change) * 1000000)::bigint)`;

// Every row of pg_stat_activity, as the runbook's `SELECT count(*) FROM pg_stat_activity` counts
// them, with the server's settings joined on so that even an empty view gives one row.
const CONNECTIONS_SQL = `
  SELECT current_setting('max_connections')::int AS max_connections, now() AS at, pg_backend_pid() AS own_pid,
         current_database() AS current_db,
         a.pid, a.backend_type, a.state, COALESCE(a.application_name, '') AS application_name,
         a.usename, a.datname, a.backend_start, a.state_change, ${FINGERPRINT} AS fingerprint
    FROM (SELECT 1) AS settings LEFT JOIN pg_stat_activity a ON true
   ORDER BY a.backend_start NULLS FIRST`;

// Terminates the session only if it is still the same connection, idle since the same moment.
const TERMINATE_SQL = `
  SELECT pg_terminate_backend(a.pid) AS terminated
    FROM pg_stat_activity a
   WHERE a.pid = $1 AND a.state = 'idle' AND ${FINGERPRINT} = $2`;

// Transaction control at the start of a line (plpgsql's BEGIN has no semicolon after it).
const TRANSACTION_CONTROL =
  /^\s*(BEGIN\s*;|START\s+TRANSACTION\b|COMMIT\s*;|ROLLBACK\s*;|END\s+TRANSACTION\b)/im;

interface ConnectionRow {
  max_connections: number;
  at: Date;
  own_pid: number;
  current_db: string;
  pid: number | null;
  backend_type: string | null;
  state: string | null;
  application_name: string;
  usename: string | null;
  datname: string | null;
  backend_start: Date | null;
  state_change: Date | null;
  fingerprint: string;
}

/**
 * The runbook's connection count and its breakdown, read with one query on a connection the caller
 * opened: `db connections`, `db kill-idle` and the health check's database figure all count this way.
 */
export async function readConnections(client: pg.ClientBase): Promise<ConnectionSnapshot> {
  const { rows } = await client.query<ConnectionRow>(CONNECTIONS_SQL);
  const first = rows[0];
  if (!first) throw new Error('unreachable: the connections query returns at least one row');
  return {
    maxConnections: first.max_connections,
    at: first.at,
    ownPid: first.own_pid,
    database: first.current_db,
    sessions: rows.flatMap((row): DatabaseSession[] =>
      row.pid === null
        ? []
        : [
            {
              pid: row.pid,
              backendType: row.backend_type ?? 'unknown',
              state: row.state,
              applicationName: row.application_name,
              user: row.usename,
              database: row.datname,
              backendStart: row.backend_start,
              stateChange: row.state_change,
              fingerprint: row.fingerprint,
            },
          ],
    ),
  };
}

/** `host:port/database` of a PostgreSQL URL: which server, never who or with what password. */
export function databaseTarget(url: string): string {
  const parsed = new URL(url);
  return `${hostAndPort(parsed, 5432)}${parsed.pathname === '/' ? '' : parsed.pathname}`;
}

/** The fleet database through `pg`: a connection of its own per call, closed when the call ends. */
export class PgFleetDatabase implements FleetDatabase {
  readonly target: string | undefined;
  private readonly options: PgFleetDatabaseOptions;

  constructor(options: PgFleetDatabaseOptions) {
    this.options = options;
    this.target = options.url ? databaseTarget(options.url) : undefined;
  }

  connections(signal: AbortSignal): Promise<ConnectionSnapshot> {
    return this.withClient(signal, (client) => readConnections(client));
  }

  terminate(
    sessions: readonly DatabaseSession[],
    signal: AbortSignal,
    onEach?: (outcome: TerminateOutcome, index: number) => void,
  ): Promise<TerminateOutcome[]> {
    return this.withClient(signal, async (client) => {
      const outcomes: TerminateOutcome[] = [];
      for (const [index, session] of sessions.entries()) {
        signal.throwIfAborted();
        const { pid, applicationName } = session;
        let outcome: TerminateOutcome;
        try {
          const { rows } = await client.query<{ terminated: boolean }>(TERMINATE_SQL, [
            pid,
            session.fingerprint,
          ]);
          outcome = rows[0]?.terminated
            ? { pid, applicationName, outcome: 'terminated' }
            : { pid, applicationName, outcome: 'changed' };
        } catch (error) {
          // Another role's session without pg_signal_backend, or a superuser's: PostgreSQL refuses.
          if (signal.aborted) throw signal.reason;
          outcome = { pid, applicationName, outcome: 'refused', reason: failureReason(error) };
        }
        outcomes.push(outcome);
        onEach?.(outcome, index);
      }
      return outcomes;
    });
  }

  async readScript(path: string): Promise<SqlScript> {
    let sql: string;
    try {
      sql = await readFile(path, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new FleetbotError(
        'config',
        code === 'ENOENT'
          ? `The demo reset script ${path} does not exist.`
          : `Cannot read the demo reset script ${path} (${code ?? failureReason(error)}).`,
        { hint: 'Set demo.resetScript in fleetbot.yml to the SQL file (relative to fleetbot.yml).' },
      );
    }
    if (sql.trim() === '') {
      throw new FleetbotError('config', `The demo reset script ${path} is empty.`, {
        hint: 'It should drop and recreate the demo data; see demo.resetScript in fleetbot.example.yml.',
      });
    }
    const control = TRANSACTION_CONTROL.exec(sql);
    if (control) {
      throw new FleetbotError(
        'config',
        `The demo reset script ${path} controls its own transaction ("${control[1]?.trim()}").`,
        { hint: 'Remove BEGIN/COMMIT from it: fleetbot runs the whole script in one transaction.' },
      );
    }
    return { path, sql, bytes: Buffer.byteLength(sql) };
  }

  runScript(script: SqlScript, signal: AbortSignal): Promise<void> {
    return this.withClient(signal, async (client) => {
      await client.query('BEGIN');
      try {
        await client.query(script.sql);
        // A COMMIT the checks above missed would have ended the transaction: then refuse to say "done".
        await client.query('SAVEPOINT fleetbot_reset_check').catch(() => {
          throw new FleetbotError(
            'invalid',
            `The demo reset script ${script.path} ended fleetbot's transaction itself; what it did before that was committed.`,
            { hint: 'Remove COMMIT/ROLLBACK from the script.' },
          );
        });
        signal.throwIfAborted();
        await client.query('COMMIT');
      } catch (error) {
        // A destroyed connection (cancel) rolls back on the server; otherwise roll back here.
        if (!signal.aborted) await client.query('ROLLBACK').catch(() => {});
        if (error instanceof FleetbotError || signal.aborted) throw error;
        throw new FleetbotError(
          'invalid',
          `The demo reset script failed and was rolled back: ${failureReason(error)}`,
          { hint: `Nothing of ${script.path} was applied; fix the script and run reset-demo again.` },
        );
      }
    });
  }

  /** One connection for one call; the signal destroys its socket, which settles a hung connect or query. */
  private async withClient<T>(signal: AbortSignal, use: (client: pg.Client) => Promise<T>): Promise<T> {
    const url = this.options.url;
    if (!url) throw notConfigured();
    signal.throwIfAborted();
    // pg is imported on the first connection: `fleetbot run status` never opens one.
    const { default: pg } = await import('pg');
    const client = new pg.Client({
      connectionString: url,
      application_name: APPLICATION_NAME,
      connectionTimeoutMillis: this.options.connectTimeoutMs ?? 5_000,
    });
    // Failures reach the awaited calls; unheard, the 'error' event would end the process.
    client.on('error', () => {});
    const destroy = () => client.connection.stream.destroy();
    signal.addEventListener('abort', destroy, { once: true });
    try {
      try {
        await client.connect();
      } catch (error) {
        if (signal.aborted) throw signal.reason;
        throw new FleetbotError(
          'database_unavailable',
          `Cannot connect to the fleet database at ${this.target}: ${failureReason(error)}`,
          { hint: 'Check FLEET_DATABASE_URL and that the database is up (/fleet health).' },
        );
      }
      return await use(client);
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      throw error;
    } finally {
      signal.removeEventListener('abort', destroy);
      await client.end().catch(() => {});
    }
  }
}

function notConfigured(): FleetbotError {
  return new FleetbotError(
    'config',
    'FLEET_DATABASE_URL is not set: fleetbot does not know the fleet database.',
    {
      hint: 'Set FLEET_DATABASE_URL to the Fleet Management System database (postgres://user:password@host:5432/fleetdb).',
    },
  );
}
