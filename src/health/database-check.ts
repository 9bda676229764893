import pg from 'pg';
import {
  type CheckOutcome,
  failureReason,
  type HealthCheck,
  hostAndPort,
  notConfigured,
} from './health-check.ts';

export interface DatabaseCheckOptions {
  /** The Fleet Management System's PostgreSQL (`FLEET_DATABASE_URL`), not fleetbot's own; unset: not configured. */
  url?: string | undefined;
}

/** Runbook check 5: the database answers `SELECT NOW()`. Not critical: its failure degrades the verdict; only the API makes it `down`. */
export function databaseCheck(options: DatabaseCheckOptions): HealthCheck {
  return {
    name: 'database',
    label: 'Database',
    critical: false,
    run: async (signal) => (options.url ? probe(options.url, signal) : notConfigured('FLEET_DATABASE_URL')),
  };
}

// Client backends only: the checkpointer, WAL writer and other background workers are not connections.
const PROBE_SQL = `SELECT NOW(), (SELECT count(*)::int FROM pg_stat_activity WHERE backend_type = 'client backend') AS connections`;

/** A client of its own rather than a pool: a health check must open a connection to prove one can be opened. */
async function probe(url: string, signal: AbortSignal): Promise<CheckOutcome> {
  const client = new pg.Client({ connectionString: url, application_name: 'fleetbot-health-check' });
  // Failures reach the awaited connect/query; unheard, the 'error' event would end the process.
  client.on('error', () => {});
  // Destroying the socket settles a connect or query that hangs; end() alone would wait for the server.
  const destroy = () => client.connection.stream.destroy();
  signal.addEventListener('abort', destroy, { once: true });
  try {
    await client.connect();
    const { rows } = await client.query<{ connections: number }>(PROBE_SQL);
    const connections = rows[0]?.connections ?? 0;
    return {
      status: 'ok',
      detail: `SELECT NOW() ok · ${connections} connection${connections === 1 ? '' : 's'}`,
    };
  } catch (error) {
    return { status: 'failed', detail: `${target(url)}: ${failureReason(error)}` };
  } finally {
    await client.end();
    signal.removeEventListener('abort', destroy);
  }
}

/** `host:port/database`: enough to know which server was tried, never the user or password. */
function target(url: string): string {
  const parsed = new URL(url);
  return `${hostAndPort(parsed, 5432)}${parsed.pathname === '/' ? '' : parsed.pathname}`;
}
