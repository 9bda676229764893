import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { migrate } from '../../src/db/migrate.ts';
import { captureLogs } from './log-capture.ts';

/**
 * A fresh, empty database on the run's PostgreSQL, for one test file. Returns
 * its URL and a function that drops it.
 */
export async function createTestDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const adminUrl = inject('postgresUrl');
  const name = `test_${randomBytes(6).toString('hex')}`;
  await adminQuery(adminUrl, `CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => adminQuery(adminUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`),
  };
}

/**
 * `createTestDatabase` with fleetbot's schema migrated and a pool on it; `close` ends the pool and
 * drops the database.
 */
export async function migratedTestDatabase(): Promise<{
  url: string;
  pool: pg.Pool;
  close: () => Promise<void>;
}> {
  const database = await createTestDatabase();
  const pool = new pg.Pool({ connectionString: database.url });
  await migrate(pool, captureLogs().logger);
  return {
    url: database.url,
    pool,
    close: async () => {
      await pool.end();
      await database.drop();
    },
  };
}

async function adminQuery(url: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** A namespace (Redis prefix / PostgreSQL schema) no other test uses. */
export function uniqueNamespace(): string {
  return `t_${randomBytes(5).toString('hex')}`;
}
