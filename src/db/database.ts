import pg from 'pg';
import { withTimeout } from '../lib/with-timeout.ts';
import type { Logger } from '../logging/logger.ts';
import { EmbeddedPostgres } from './embedded-postgres.ts';

export interface DatabaseOptions {
  /** External PostgreSQL; when absent an embedded server is started in `dataDir`. */
  databaseUrl?: string | undefined;
  dataDir: string;
  logger: Logger;
  /** The embedded server died and could not be started again. */
  onFailure?: (error: Error) => void;
  /** The embedded server died and was started again. */
  onRecovered?: () => void;
}

export interface Database {
  readonly url: string;
  readonly pool: pg.Pool;
  /** Present when fleetbot started the server itself. */
  readonly embedded: EmbeddedPostgres | undefined;
  /** Round trip to the server, bounded by `timeoutMs`. */
  ping(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  const embedded = options.databaseUrl
    ? undefined
    : new EmbeddedPostgres({
        dataDir: options.dataDir,
        logger: options.logger,
        ...(options.onFailure ? { onFailure: options.onFailure } : {}),
        ...(options.onRecovered ? { onRecovered: options.onRecovered } : {}),
      });
  const url = options.databaseUrl ?? (await embedded?.start());
  if (!url) throw new Error('unreachable: no database URL');
  const pool = createPool(url, options.logger);
  return {
    url,
    pool,
    embedded,
    ping: (timeoutMs = 2_000) =>
      withTimeout(pool.query('SELECT 1'), timeoutMs, 'database did not answer').then(() => {}),
    async close() {
      await pool.end();
      await embedded?.stop();
    },
  };
}

export function createPool(url: string, logger: Logger, max = 10): pg.Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max,
    connectionTimeoutMillis: 3_000,
    idleTimeoutMillis: 30_000,
    // No query waits for ever on a lock or a server that stopped answering: the server ends a
    // statement after 15 s, and the client gives up on one that got no answer after 20 s.
    statement_timeout: 15_000,
    query_timeout: 20_000,
    application_name: 'fleetbot',
    // fleetbot's tables live in public. Pinned so that a schema named like the user
    // (first on the default search_path) can never hide them.
    options: '-c search_path=public',
  });
  // An idle client whose server went away emits 'error' on the pool; unhandled, it would end the process.
  pool.on('error', (error) => logger.warn({ err: error }, 'idle database connection lost'));
  return pool;
}
