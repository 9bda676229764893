/**
 * `fleetbot start` for the benches, as it is deployed in one process (HTTP server and workers), or
 * `fleetbot web` or `fleetbot worker` alone, each time on a fresh database of the bench's PostgreSQL
 * server and, for the Redis queue, a fresh redis-server (`--hz 100`, as BENCHMARKS.md recommends):
 * counts of incidents and Slack calls then belong to one measurement. `prepare` puts state in place
 * before the process starts (what it must find at start-up, as after a restart).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { freePort } from '../src/lib/free-port.ts';

const CLI = process.env.FLEETBOT_CLI ?? fileURLToPath(new URL('../src/cli.ts', import.meta.url));

export type Backend = 'postgres' | 'redis';

export interface FleetbotOptions {
  backend: Backend;
  /** Superuser URL of the bench's PostgreSQL server; fleetbot gets a database of its own on it. */
  serverUrl: string;
  /** fleetbot.yml */
  config: string;
  env: Record<string, string>;
  /**
   * `start` (HTTP and workers, the default), `web` (HTTP only: intake without the worker) or
   * `worker` (the workers, with the probes and /metrics on its port).
   */
  command?: 'start' | 'web' | 'worker';
  /**
   * Runs once the database and redis-server exist and before fleetbot starts (its migrations have
   * not run yet: run them here if the state needs the schema). A failure stops the start and cleans up.
   */
  prepare?: (store: FleetbotStore) => Promise<void>;
  /** How long it may take to answer /readyz 200 (a worker reconciles its backlog first). @defaultValue 60 s */
  readyTimeoutMs?: number;
}

/** Where a fleetbot keeps its state: its own database, and its redis-server on the Redis queue. */
export interface FleetbotStore {
  databaseUrl: string;
  redisUrl: string | undefined;
}

export interface Fleetbot {
  /** `http://127.0.0.1:PORT` */
  readonly origin: string;
  readonly port: number;
  readonly pid: number;
  /** Date.now() just before the process was spawned, and when it first answered /readyz 200. */
  readonly spawnedAt: number;
  readonly readyAt: number;
  readonly store: FleetbotStore;
  /** fleetbot's database, for the bench's own checks. */
  readonly db: pg.Pool;
  /** Its log (warnings and errors, JSON lines). */
  output(): string;
  stop(): Promise<void>;
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

async function startRedis(): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--hz', '100'],
    { stdio: 'ignore' },
  );
  const url = `redis://127.0.0.1:${port}`;
  for (let tries = 0; ; tries++) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return { url, child };
    if (tries > 100) throw new Error(`redis-server did not listen on ${port}`);
    await sleep(50);
  }
}

export async function startFleetbot(options: FleetbotOptions): Promise<Fleetbot> {
  const name = `bench_${options.backend}_${randomBytes(4).toString('hex')}`;
  await adminQuery(options.serverUrl, `CREATE DATABASE ${name}`);
  const url = new URL(options.serverUrl);
  url.pathname = `/${name}`;
  const databaseUrl = url.toString();
  const redis = options.backend === 'redis' ? await startRedis() : undefined;
  const store: FleetbotStore = { databaseUrl, redisUrl: redis?.url };
  if (options.prepare) {
    try {
      await options.prepare(store);
    } catch (error) {
      redis?.child.kill('SIGTERM');
      await adminQuery(options.serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      throw error;
    }
  }
  const dataDir = await mkdtemp(join(tmpdir(), 'fleetbot-bench-'));
  await writeFile(join(dataDir, 'fleetbot.yml'), options.config);
  const port = await freePort();
  const spawnedAt = Date.now();
  const child = spawn(process.execPath, [CLI, options.command ?? 'start'], {
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/root',
      FLEETBOT_DATA_DIR: dataDir,
      FLEETBOT_CONFIG: join(dataDir, 'fleetbot.yml'),
      DATABASE_URL: databaseUrl,
      ...(redis ? { REDIS_URL: redis.url } : {}),
      PORT: String(port),
      LOG_LEVEL: 'warn',
      LOG_FORMAT: 'json',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk) => {
    output += String(chunk);
  });
  child.stderr?.on('data', (chunk) => {
    output += String(chunk);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  /** Stops what this start made: fleetbot, its redis-server, its database, its folder. */
  const cleanUp = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      // Its workers drain before it exits: a backlog of alerts could hold it for a minute. The
      // database goes with it, so a second signal ("now") is fine after a short grace.
      child.kill('SIGTERM');
      const late = setTimeout(() => child.kill('SIGTERM'), 5_000);
      await exited;
      clearTimeout(late);
    }
    redis?.child.kill('SIGTERM');
    await adminQuery(options.serverUrl, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await rm(dataDir, { recursive: true, force: true });
  };
  const origin = `http://127.0.0.1:${port}`;
  const readyTimeoutMs = options.readyTimeoutMs ?? 60_000;
  const deadline = Date.now() + readyTimeoutMs;
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`fleetbot exited at start:\n${output}`);
      const ready = await fetch(`${origin}/readyz`).catch(() => undefined);
      if (ready?.status === 200) break;
      if (Date.now() > deadline)
        throw new Error(`fleetbot not ready after ${readyTimeoutMs / 1000} s:\n${output}`);
      await sleep(100);
    }
  } catch (error) {
    await cleanUp();
    throw error;
  }
  const readyAt = Date.now();
  const db = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  return {
    origin,
    port,
    pid: child.pid ?? 0,
    spawnedAt,
    readyAt,
    store,
    db,
    output: () => output,
    async stop() {
      await db.end();
      await cleanUp();
    },
  };
}
