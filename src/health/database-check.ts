import { databaseTarget, readConnections } from '../adapters/fleet-database.ts';
import { type CheckOutcome, failureReason, type HealthCheck, notConfigured } from './health-check.ts';

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
    prepare: async () => (options.url ? import('pg') : undefined),
  };
}

/** A client of its own rather than a pool: a health check must open a connection to prove one can be opened. */
async function probe(url: string, signal: AbortSignal): Promise<CheckOutcome> {
  // pg is imported on the first connection: `fleetbot run status` never opens one.
  const { default: pg } = await import('pg');
  const client = new pg.Client({ connectionString: url, application_name: 'fleetbot-health-check' });
  // Failures reach the awaited connect/query; unheard, the 'error' event would end the process.
  client.on('error', () => {});
  // Destroying the socket settles a connect or query that hangs; end() alone would wait for the server.
  const destroy = () => client.connection.stream.destroy();
  signal.addEventListener('abort', destroy, { once: true });
  try {
    await client.connect();
    // The runbook's count (every row of pg_stat_activity), read as `db connections` reads it, so the two agree.
    const connections = (await readConnections(client)).sessions.length;
    return {
      status: 'ok',
      detail: `SELECT NOW() ok · ${connections} connection${connections === 1 ? '' : 's'}`,
    };
  } catch (error) {
    return { status: 'failed', detail: `${databaseTarget(url)}: ${failureReason(error)}` };
  } finally {
    await client.end();
    signal.removeEventListener('abort', destroy);
  }
}
