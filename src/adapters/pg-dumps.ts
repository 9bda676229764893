import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type pg from 'pg';
import type { DatabaseDumps, Dump } from '../domain/backups.ts';
import { FleetbotError } from '../domain/errors.ts';
import type { Logger } from '../logging/logger.ts';

/** How long a cancelled restore waits for the server to roll its transaction back. */
const ROLLBACK_WAIT_MS = 30_000;

export interface PgDumpsOptions {
  /** The fleet database (`FLEET_DATABASE_URL`), password included: it goes to the tools' environment only. */
  url: string;
  /** Where pg_dump and pg_restore are (`FLEETBOT_PG_BIN_DIR`). */
  binDir: string;
  logger: Logger;
}

/**
 * pg_dump and pg_restore on the fleet database. The connection reaches the tools as libpq
 * environment variables (PGHOST, PGPASSWORD…), never as arguments: a command line shows in `ps`
 * and in logs, an environment does not.
 */
export class PgDumps implements DatabaseDumps {
  readonly target: string;
  private readonly options: PgDumpsOptions;
  private readonly env: Record<string, string>;
  private readonly database: string;

  constructor(options: PgDumpsOptions) {
    this.options = options;
    const url = new URL(options.url);
    this.database = decodeURIComponent(url.pathname.slice(1)) || decodeURIComponent(url.username);
    this.env = libpqEnv(url);
    this.target = `${url.hostname || 'localhost'}:${url.port || '5432'}/${this.database}`;
  }

  async serverVersion(signal: AbortSignal): Promise<string> {
    return (await this.query('SHOW server_version', signal)) ?? 'unknown';
  }

  async query(sql: string, signal: AbortSignal): Promise<string | null> {
    return this.withClient('fleetbot-backups', signal, async (client) => firstValue(await client.query(sql)));
  }

  /**
   * Exports a snapshot from a read-only transaction, answers the verify query in it, and has
   * pg_dump dump exactly that snapshot: the recorded answer matches the dump's content.
   */
  async dump(options: { verifyQuery?: string }, signal: AbortSignal): Promise<Dump> {
    const client = await this.connect('fleetbot-backup', signal);
    let child: ChildProcess | undefined;
    try {
      await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
      const { rows } = await client.query<{ snapshot: string; version: string }>(
        `SELECT pg_export_snapshot() AS snapshot, current_setting('server_version') AS version`,
      );
      const { snapshot, version } = rows[0] as { snapshot: string; version: string };
      const verify = options.verifyQuery
        ? { query: options.verifyQuery, value: firstValue(await client.query(options.verifyQuery)) }
        : undefined;
      child = this.spawn('pg_dump', ['--format=custom', `--snapshot=${snapshot}`], 'fleetbot-backup', signal);
      const started = child;
      const finished = exited(started, 'pg_dump').finally(async () => {
        await client.query('COMMIT').catch(() => {});
        await client.end().catch(() => {});
      });
      // Read by whoever consumes the body; a failure nobody waits for must not end the process.
      finished.catch(() => {});
      return {
        serverVersion: version,
        database: this.database,
        ...(verify ? { verify } : {}),
        body: started.stdout as NodeJS.ReadableStream as AsyncIterable<Uint8Array>,
        finished,
      };
    } catch (error) {
      child?.kill('SIGTERM');
      await client.end().catch(() => {});
      throw error;
    }
  }

  async restore(body: AsyncIterable<Uint8Array>, signal: AbortSignal): Promise<void> {
    const appName = `fleetbot-restore-${randomBytes(4).toString('hex')}`;
    // Every object of the dump is dropped and recreated in one transaction: all or nothing.
    const child = this.spawn(
      'pg_restore',
      ['--single-transaction', '--exit-on-error', '--clean', '--if-exists', '--dbname', this.database],
      appName,
      signal,
    );
    const done = exited(child, 'pg_restore');
    done.catch(() => {});
    try {
      await pipeline(body, child.stdin as NodeJS.WritableStream, { signal });
      await done;
    } catch (error) {
      child.kill('SIGTERM');
      await done.catch(() => {});
      // The transaction ends when the server notices its client is gone: wait for that, so that
      // "cancelled" means "rolled back" and not "rolling back".
      await this.waitForBackendGone(appName);
      if (signal.aborted) throw signal.reason;
      throw error;
    }
  }

  private async waitForBackendGone(appName: string): Promise<void> {
    const signal = AbortSignal.timeout(ROLLBACK_WAIT_MS);
    await this.withClient('fleetbot-backups', signal, async (client) => {
      while (!signal.aborted) {
        const { rows } = await client.query(
          'SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1',
          [appName],
        );
        if (rows[0]?.n === 0) return;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      this.options.logger.warn({ appName }, 'the cancelled restore is still rolling back');
    }).catch((error: unknown) =>
      this.options.logger.warn({ err: error }, 'could not check that the cancelled restore rolled back'),
    );
  }

  private spawn(tool: string, args: string[], appName: string, signal: AbortSignal): ChildProcess {
    // Only the connection travels to the tool: none of fleetbot's own environment (tokens, secrets).
    const child = spawn(path.join(this.options.binDir, tool), ['--no-password', ...args], {
      env: { ...this.env, PGAPPNAME: appName },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const kill = () => child.kill('SIGTERM');
    signal.addEventListener('abort', kill, { once: true });
    child.once('close', () => signal.removeEventListener('abort', kill));
    return child;
  }

  private async connect(appName: string, signal: AbortSignal): Promise<pg.Client> {
    // pg is imported on the first connection: `fleetbot run status` never opens one.
    const { default: pg } = await import('pg');
    const client = new pg.Client({ connectionString: this.options.url, application_name: appName });
    // Failures reach the awaited calls; unheard, the 'error' event would end the process.
    client.on('error', () => {});
    signal.throwIfAborted();
    await client.connect();
    return client;
  }

  private async withClient<T>(
    appName: string,
    signal: AbortSignal,
    use: (client: pg.Client) => Promise<T>,
  ): Promise<T> {
    const client = await this.connect(appName, signal);
    const destroy = () => client.connection.stream.destroy();
    signal.addEventListener('abort', destroy, { once: true });
    try {
      return await use(client);
    } finally {
      signal.removeEventListener('abort', destroy);
      await client.end().catch(() => {});
    }
  }
}

/** The first column of the first row, as text; null for no row or SQL NULL. */
function firstValue(result: pg.QueryResult): string | null {
  const row = result.rows[0] as Record<string, unknown> | undefined;
  const field = result.fields[0];
  if (!row || !field) return null;
  const value = row[field.name];
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** Resolves when the tool exits 0; rejects with the end of its error output otherwise. */
function exited(child: ChildProcess, tool: string): Promise<void> {
  let stderr = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    stderr = (stderr + chunk).slice(-4_000);
  });
  return new Promise((resolve, reject) => {
    child.once('error', (error: NodeJS.ErrnoException) =>
      reject(
        error.code === 'ENOENT'
          ? new FleetbotError('not_configured', `${tool} is not installed where fleetbot looks for it.`, {
              hint: `Install the PostgreSQL 15 client (Debian: postgresql-client-15) or set FLEETBOT_PG_BIN_DIR.`,
            })
          : error,
      ),
    );
    child.once('close', (code, signal) => {
      if (code === 0) resolve();
      else
        reject(
          new FleetbotError(
            'tool_failed',
            `${tool} failed (${signal ?? `exit ${code}`}): ${stderr.trim().split('\n').slice(-3).join(' ') || 'no message'}`,
          ),
        );
    });
  });
}

const LIBPQ_PARAMS: Record<string, string> = {
  sslmode: 'PGSSLMODE',
  sslrootcert: 'PGSSLROOTCERT',
  sslcert: 'PGSSLCERT',
  sslkey: 'PGSSLKEY',
  connect_timeout: 'PGCONNECT_TIMEOUT',
  host: 'PGHOST',
  port: 'PGPORT',
  options: 'PGOPTIONS',
};

/** A postgres:// URL as libpq environment variables. */
function libpqEnv(url: URL): Record<string, string> {
  const env: Record<string, string> = {};
  if (url.hostname) env.PGHOST = decodeURIComponent(url.hostname).replace(/^\[|\]$/g, '');
  if (url.port) env.PGPORT = url.port;
  if (url.username) env.PGUSER = decodeURIComponent(url.username);
  if (url.password) env.PGPASSWORD = decodeURIComponent(url.password);
  const database = decodeURIComponent(url.pathname.slice(1));
  if (database) env.PGDATABASE = database;
  for (const [key, value] of url.searchParams) {
    const name = LIBPQ_PARAMS[key];
    if (name) env[name] = value;
  }
  return env;
}
