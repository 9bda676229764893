import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { EmbeddedPostgres } from '../../src/db/embedded-postgres.ts';
import { createLogger } from '../../src/logging/logger.ts';
import { freePort, waitFor } from './net.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Superuser URL of the run's PostgreSQL (database `fleetbot`); tests create their own databases from it. */
    postgresUrl: string;
    /** URL of the run's redis-server, or null when none is installed (see redisSkipReason). */
    redisUrl: string | null;
    redisSkipReason: string;
  }
}

/**
 * One embedded PostgreSQL and one redis-server for the whole run. Each test
 * file then makes its own database (test/support/databases.ts) and queue
 * namespace, so files never see each other's rows or jobs.
 */
export default async function setup(project: TestProject) {
  const dataDir = await mkdtemp(join(tmpdir(), 'fleetbot-test-pg-'));
  const postgres = new EmbeddedPostgres({ dataDir, logger: createLogger({ level: 'warn' }) });
  const [postgresUrl, redis] = await Promise.all([postgres.start(), startRedis()]);
  project.provide('postgresUrl', postgresUrl);
  project.provide('redisUrl', redis.url);
  project.provide('redisSkipReason', redis.skipReason);
  if (!redis.url) process.stdout.write(`\n[fleetbot tests] ${redis.skipReason}\n\n`);

  return async () => {
    redis.process?.kill('SIGTERM');
    await postgres.stop();
    await rm(dataDir, { recursive: true, force: true });
  };
}

async function startRedis(): Promise<{ url: string | null; skipReason: string; process?: ChildProcess }> {
  const found = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  if (found.error) {
    const reason =
      'redis-server is not installed: the Redis-backend tests are SKIPPED (apt-get install -y redis-server to run them).';
    if (process.env.CI === 'true') throw new Error(`CI=true but ${reason}`);
    return { url: null, skipReason: reason };
  }
  const port = await freePort();
  // --hz 100: delayed jobs fire on Redis's timer tick; at the default hz 10 they run up to 100 ms late.
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--hz', '100'],
    { stdio: 'ignore' },
  );
  await waitFor(port);
  return { url: `redis://127.0.0.1:${port}`, skipReason: '', process: child };
}
