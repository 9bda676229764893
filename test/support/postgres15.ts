import { execFile } from 'node:child_process';
import { chown, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort, waitFor } from './net.ts';

const run = promisify(execFile);

/** Debian's PostgreSQL 15 (`postgresql-15`, installed by .ci/run): the fleet database's version. */
export const PG15_BIN = '/usr/lib/postgresql/15/bin';
const PASSWORD = 'fleet-s3cret-pw';

export interface Postgres15 {
  /** Superuser URL with a password (`postgres://fleetuser:…@127.0.0.1:PORT/postgres`). */
  url: string;
  password: string;
  /** A URL of the same server for another database. */
  urlFor(database: string): string;
  query(sql: string, database?: string): Promise<pg.QueryResult>;
  stop(): Promise<void>;
}

/**
 * A throwaway PostgreSQL 15 server: initdb and pg_ctl in a temporary directory, password
 * authentication over TCP on a free port. PostgreSQL refuses to run as root, so as root the
 * server runs as the `postgres` OS user.
 */
export async function startPostgres15(): Promise<Postgres15> {
  const dir = await mkdtemp(join(tmpdir(), 'fleetbot-pg15-'));
  const asRoot = userInfo().uid === 0;
  const as = (bin: string, args: string[]) =>
    asRoot
      ? run('runuser', ['-u', 'postgres', '--', join(PG15_BIN, bin), ...args])
      : run(join(PG15_BIN, bin), args);
  if (asRoot) {
    const { uid, gid } = await postgresUser();
    await chown(dir, uid, gid);
  }
  const pwfile = join(dir, 'pw');
  await writeFile(pwfile, PASSWORD);
  if (asRoot) {
    const { uid, gid } = await postgresUser();
    await chown(pwfile, uid, gid);
  }
  const data = join(dir, 'data');
  await as('initdb', [
    '-D',
    data,
    '-U',
    'fleetuser',
    '--auth=scram-sha-256',
    `--pwfile=${pwfile}`,
    '-E',
    'UTF8',
    '--no-sync',
  ]);
  const port = await freePort();
  await as('pg_ctl', [
    '-D',
    data,
    '-l',
    join(dir, 'log'),
    '-o',
    `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off`,
    '-w',
    'start',
  ]);
  await waitFor(port);
  const urlFor = (database: string) => `postgres://fleetuser:${PASSWORD}@127.0.0.1:${port}/${database}`;
  return {
    url: urlFor('postgres'),
    password: PASSWORD,
    urlFor,
    async query(sql, database = 'postgres') {
      const client = new pg.Client({ connectionString: urlFor(database) });
      await client.connect();
      try {
        return await client.query(sql);
      } finally {
        await client.end();
      }
    },
    async stop() {
      await as('pg_ctl', ['-D', data, '-m', 'immediate', 'stop']).catch(() => {});
      await rm(dir, { recursive: true, force: true });
    },
  };
}

async function postgresUser(): Promise<{ uid: number; gid: number }> {
  const [uid, gid] = await Promise.all([run('id', ['-u', 'postgres']), run('id', ['-g', 'postgres'])]);
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

/**
 * The demo schema the restore tests round-trip: vehicles, drivers, trips (with a foreign key, a
 * sequence, an index, a view, jsonb and timestamps), `rows` trips.
 */
export async function seedDemo(server: Postgres15, database: string, rows = 2_000): Promise<void> {
  await server.query(
    `
    CREATE TABLE vehicles (id serial PRIMARY KEY, vin text UNIQUE NOT NULL, model text, meta jsonb);
    CREATE TABLE drivers (id serial PRIMARY KEY, name text NOT NULL, licensed_at timestamptz);
    CREATE TABLE trips (
      id bigserial PRIMARY KEY,
      vehicle_id int REFERENCES vehicles(id),
      driver_id int REFERENCES drivers(id),
      started_at timestamptz NOT NULL,
      km numeric(10, 2)
    );
    CREATE INDEX trips_started ON trips (started_at);
    CREATE VIEW busy_vehicles AS SELECT vehicle_id, count(*) AS trips FROM trips GROUP BY vehicle_id;
    INSERT INTO vehicles (vin, model, meta)
      SELECT 'VIN' || g, 'model-' || (g % 7), jsonb_build_object('seats', g % 5 + 2) FROM generate_series(1, 50) g;
    INSERT INTO drivers (name, licensed_at)
      SELECT 'driver ' || g, timestamptz '2020-01-01' + g * interval '1 day' FROM generate_series(1, 20) g;
    INSERT INTO trips (vehicle_id, driver_id, started_at, km)
      SELECT g % 50 + 1, g % 20 + 1, timestamptz '2026-01-01' + g * interval '1 minute', (g % 997) / 3.0
      FROM generate_series(1, ${rows}) g;
    `,
    database,
  );
}

/** Row counts and an md5 over every row of the demo tables, in a stable order: equal means equal data. */
export const DEMO_CHECKSUM_SQL = `
  SELECT (SELECT count(*) FROM vehicles) || '/' || (SELECT count(*) FROM drivers) || '/' || (SELECT count(*) FROM trips)
    || ' ' || md5(
      (SELECT string_agg(v::text, '|' ORDER BY v.id) FROM vehicles v) ||
      (SELECT string_agg(d::text, '|' ORDER BY d.id) FROM drivers d) ||
      (SELECT string_agg(t::text, '|' ORDER BY t.id) FROM trips t)
    ) || ' ' || (SELECT last_value FROM trips_id_seq) AS checksum`;
