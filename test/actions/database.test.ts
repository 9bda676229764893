import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { connectionBreakdown } from '../../src/actions/db-connections.ts';
import { resetDemo } from '../../src/actions/reset-demo.ts';
import { loadConfig } from '../../src/config/index.ts';
import { FleetbotError } from '../../src/domain/errors.ts';
import { databaseCheck } from '../../src/health/database-check.ts';
import { type ActionHarness, runAction, startActionHarness } from '../support/action-harness.ts';
import { createTestDatabase, uniqueNamespace } from '../support/databases.ts';
import { eventually } from '../support/eventually.ts';
import { idleFor } from '../support/idle-sessions.ts';

// Real: the run's PostgreSQL (a fleet database of this file's own, beside the harness's fleetbot
// database on the same server) and the run's Redis (keys under a namespace of this file's own).
// The actions run through the runner as the worker and the CLI run them: lock, audit, timeout.

const redisUrl = inject('redisUrl');
const FIXTURES = path.join(import.meta.dirname, '..', 'fixtures', 'demo');
const ns = uniqueNamespace();

let fleet: { url: string; drop: () => Promise<void> };
let harness: ActionHarness;
let dir: string;
let script: string;
let redis: Redis;
const clients: pg.Client[] = [];

/** A session on `url` named `app`, left idle unless told to run something. */
async function session(app: string, url = fleet.url): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, application_name: app });
  // A terminated session reports on its 'error' event; the tests look at pg_stat_activity instead.
  client.on('error', () => {});
  await client.connect();
  clients.push(client);
  return client;
}

async function pidOf(client: pg.Client): Promise<number> {
  return (await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid as number;
}

/** The pids among `pids` that still have a session. */
async function alive(pids: readonly number[]): Promise<number[]> {
  const admin = await session('test-observer');
  try {
    const { rows } = await admin.query<{ pid: number }>(
      'SELECT pid FROM pg_stat_activity WHERE pid = ANY($1::int[])',
      [pids],
    );
    return rows.map((row) => row.pid).sort();
  } finally {
    await admin.end();
  }
}

beforeAll(async () => {
  fleet = await createTestDatabase();
  const seed = await session('test-seed');
  await seed.query(await readFile(path.join(FIXTURES, 'schema.sql'), 'utf8'));
  await seed.query(await readFile(path.join(FIXTURES, 'reset-demo.sql'), 'utf8'));
  await seed.end();
  dir = await mkdtemp(path.join(tmpdir(), 'fleetbot-demo-'));
  script = path.join(dir, 'reset-demo.sql');
  await writeFile(script, await readFile(path.join(FIXTURES, 'reset-demo.sql')));
  // A relative script path is read from the config file's directory.
  await writeFile(
    path.join(dir, 'fleetbot.yml'),
    `environment: demo\ndemo:\n  resetScript: reset-demo.sql\n  redisKeys: ["${ns}:cache:*", "${ns}:session:*"]\n`,
  );
  harness = await startActionHarness({
    FLEETBOT_CONFIG: path.join(dir, 'fleetbot.yml'),
    FLEET_DATABASE_URL: fleet.url,
    ...(redisUrl ? { FLEET_REDIS_URL: redisUrl } : {}),
  });
  if (redisUrl) redis = new Redis(redisUrl);
});

// Each test starts with none of the sessions an earlier one opened.
afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.end().catch(() => {})));
});

afterAll(async () => {
  redis?.disconnect();
  await harness.close();
  await fleet.drop();
});

describe('db connections', () => {
  it('counts every row of pg_stat_activity and breaks the count down by state, application and age', async () => {
    const idle = [await session('fleet-api'), await session('fleet-api'), await session('fleet-api')];
    const busy = await session('fleet-worker');
    const running = busy.query('SELECT pg_sleep(3)');
    await eventually(
      async () => (await alive([await pidOf(idle[0] as pg.Client)])).length === 1,
      2_000,
      'the sessions',
    );

    const { result } = await runAction(harness, 'db connections');
    expect(result.status).toBe('ok');
    const data = result.data as unknown as ReturnType<typeof connectionBreakdown>;
    expect(result.summary).toMatch(
      new RegExp(
        `^${data.total} connections on 127\\.0\\.0\\.1:\\d+/test_\\w+ · \\d+ of max_connections \\d+ in use \\(\\d+%\\)$`,
      ),
    );
    const max = (await idle[0]?.query<{ max_connections: string }>('SHOW max_connections'))?.rows[0];
    expect(data.maxConnections).toBe(Number(max?.max_connections));
    expect(data.byApplication).toEqual(
      expect.arrayContaining([
        { application: 'fleet-api', connections: 3, active: 0, idle: 3 },
        { application: 'fleet-worker', connections: 1, active: 1, idle: 0 },
      ]),
    );
    // The parts add up to the runbook's count.
    const sum = (rows: { connections: number }[]) => rows.reduce((total, row) => total + row.connections, 0);
    expect(sum(data.byState)).toBe(data.total);
    expect(sum(data.byAge) + data.serverProcesses).toBe(data.total);
    expect(sum(data.byApplication)).toBe(data.clients);
    expect(data.clients + data.serverProcesses).toBe(data.total);
    expect(data.serverProcesses).toBeGreaterThan(0);
    expect(data.percentUsed).toBe(Math.round((data.clients / data.maxConnections) * 100));
    expect(data.byAge.find((row) => row.age === '< 1m')?.connections).toBeGreaterThanOrEqual(4);
    expect(result.sections.map((section) => section.title)).toEqual([
      undefined,
      'By state',
      'By application (client connections)',
      'By age (client connections)',
    ]);
    await running;
  });

  it('warns above --warn-at', async () => {
    const { result } = await runAction(harness, 'db connections --warn-at 1');
    expect(result.status).toBe('warning');
    expect(result.summary).toContain('near the limit');
  });

  it("the health check's figure is the same count", async () => {
    const check = databaseCheck({ url: fleet.url });
    // Both open a connection of their own and count every row of pg_stat_activity; other test files
    // come and go on this server, so the two are read until they see the same moment.
    await eventually(
      async () => {
        const outcome = await check.run(AbortSignal.timeout(5_000));
        const figure = Number(/· (\d+) connections?$/.exec(outcome.detail)?.[1]);
        const { result } = await runAction(harness, 'db connections');
        return figure === result.data?.total;
      },
      20_000,
      'the health check and db connections to agree',
    );
  });

  it('the breakdown of a snapshot, without a server', () => {
    const at = new Date('2026-03-01T12:00:00Z');
    const ago = (ms: number) => new Date(at.getTime() - ms);
    const base = { user: 'fleetuser', database: 'fleetdb', fingerprint: 'x', stateChange: ago(0) };
    const b = connectionBreakdown({
      at,
      ownPid: 1,
      database: 'fleetdb',
      maxConnections: 10,
      sessions: [
        {
          ...base,
          pid: 1,
          backendType: 'client backend',
          state: 'active',
          applicationName: 'psql',
          backendStart: ago(0),
        },
        {
          ...base,
          pid: 2,
          backendType: 'client backend',
          state: 'idle',
          applicationName: '',
          backendStart: ago(2 * 60_000),
          stateChange: ago(6 * 60_000),
        },
        {
          ...base,
          pid: 3,
          backendType: 'client backend',
          state: null,
          applicationName: '',
          backendStart: ago(7 * 3_600_000),
        },
        {
          ...base,
          pid: 4,
          backendType: 'walsender',
          state: 'active',
          applicationName: 'standby1',
          backendStart: ago(0),
        },
        {
          ...base,
          pid: 5,
          backendType: 'checkpointer',
          state: null,
          applicationName: '',
          backendStart: ago(0),
        },
      ],
    });
    expect(b).toEqual({
      total: 5,
      clients: 3,
      serverProcesses: 2,
      maxConnections: 10,
      percentUsed: 30,
      byState: [
        { state: '(not visible to this user)', connections: 1 },
        { state: 'active', connections: 1 },
        { state: 'idle', connections: 1 },
        { state: 'server processes', connections: 2 },
      ],
      byApplication: [
        { application: '(none)', connections: 2, active: 0, idle: 1 },
        { application: 'psql', connections: 1, active: 1, idle: 0 },
      ],
      byAge: [
        { age: '< 1m', connections: 1, idle: 0 },
        { age: '1–5m', connections: 1, idle: 1 },
        { age: '≥ 6h', connections: 1, idle: 0 },
      ],
      idleOverDefault: 1,
    });
  });
});

describe('db kill-idle', () => {
  it("terminates idle sessions older than the threshold, and not active, idle-in-transaction, other databases' or fleetbot's own", async () => {
    const old = [await session('fleet-api'), await session('fleet-api'), await session('')];
    const active = await session('fleet-report');
    const inTransaction = await session('fleet-api');
    await inTransaction.query('BEGIN');
    await inTransaction.query('SELECT 1');
    const fleetbots = await session('fleetbot-health-check');
    // fleetbot's own database on the same server.
    const otherDatabase = await session('fleet-api', harness.databaseUrl);
    // Asking a session its pid makes it busy for a moment: asked before they idle.
    const pids = {
      old: await Promise.all(old.map(pidOf)),
      kept: await Promise.all([active, inTransaction, fleetbots, otherDatabase].map(pidOf)),
    };
    await idleFor(fleet.url, pids.old, 2_500);
    const running = active.query('SELECT pg_sleep(4)');
    const young = await session('fleet-api');
    pids.kept.push(await pidOf(young));

    const { result, progress } = await runAction(harness, 'db kill-idle --older-than 2s');
    expect(result.status).toBe('ok');
    expect(result.summary).toMatch(
      /^Terminated 3 idle connections on 127\.0\.0\.1:\d+\/test_\w+ \(fleet-api ×2, \(none\) ×1\)$/,
    );
    expect(result.data).toMatchObject({
      terminated: 3,
      refused: 0,
      applications: { 'fleet-api': 2, '(none)': 1 },
    });
    expect(progress.at(-1)).toBe('Terminated 3 of 3');
    await eventually(async () => (await alive(pids.old)).length === 0, 5_000, 'the idle sessions to end');
    expect(await alive(pids.kept)).toEqual([...pids.kept].sort());
    await running;
    await inTransaction.query('ROLLBACK');
  });

  it('Confirm terminates what the confirmation listed, not a session that went idle after it', async () => {
    const listed = await session('fleet-api');
    const listedPid = await pidOf(listed);
    await idleFor(fleet.url, [listedPid], 1_100);
    const prepared = harness.runner.prepare('db kill-idle', ['--older-than', '1s']);
    const preview = await prepared.action.preview?.(
      harness.runner.previewContext(),
      prepared.params,
      AbortSignal.timeout(5_000),
    );
    expect(preview?.question).toMatch(/^Terminate 1 connection idle for 1s or more on /);
    expect(preview?.details.join('\n')).toContain(`pid ${listedPid} · fleet-api`);
    const later = await session('fleet-api');
    const laterPid = await pidOf(later);
    await idleFor(fleet.url, [laterPid], 1_100);
    const result = await harness.runner.execute(
      { ...prepared, params: { ...(prepared.params as object), ...preview?.pin } },
      { requestId: `kill-idle-pin-${Date.now()}`, requestedBy: 'U0000ONCALL', origin: 'cli' },
    );
    expect(result.data).toMatchObject({ terminated: 1, pids: [listedPid] });
    expect(await alive([laterPid])).toEqual([laterPid]);
  });

  it('is refused while another database operation runs, saying who started it and when', async () => {
    const holder = harness.runner.prepare('db kill-idle', []);
    const { row } = await harness.runner.record(
      holder,
      { requestId: `holder-${Date.now()}`, requestedBy: 'U0000DBA', origin: 'slack' },
      'queued',
    );
    const attempt = randomUUID();
    const started = await harness.store.start(row.id, attempt, 60_000);
    expect(started.started).toBe(true);
    try {
      const { result } = await runAction(harness, 'db kill-idle');
      expect(result.status).toBe('failed');
      expect(result.summary).toMatch(
        /^fleet-postgres is being changed by U0000DBA \(db kill-idle, started \d{4}-\d\d-\d\dT[\d:.]+Z\)\.$/,
      );
      const reset = await runAction(harness, 'reset-demo');
      expect(reset.result.summary).toContain('is being changed by U0000DBA (db kill-idle, started');
    } finally {
      await harness.store.finish(row.id, { status: 'ok', summary: 'done', result: null }, attempt);
    }
  });

  it('is an operate action, destructive, locking the postgres workload', () => {
    const prepared = harness.runner.prepare('db kill-idle', ['--older-than', '10m']);
    expect(prepared.classification).toEqual({
      permission: 'operate',
      destructive: true,
      target: { kind: 'StatefulSet', name: 'fleet-postgres' },
    });
    expect(() => harness.runner.prepare('db kill-idle', ['--older-than', 'soon'])).toThrow(
      'expected --older-than to be a duration of at least 1s, like 5m',
    );
  });
});

// Skipped only where redis-server is missing outside CI; global setup prints why, and CI fails instead.
describe.skipIf(redisUrl === null)('reset-demo', () => {
  async function rows() {
    const client = await session('test-observer');
    try {
      const users = await client.query('SELECT email, password_hash FROM users ORDER BY id');
      const vehicles = await client.query('SELECT vin, name, status FROM vehicles ORDER BY id');
      return { users: users.rows, vehicles: vehicles.rows };
    } finally {
      await client.end();
    }
  }

  it('restores the demo rows in one transaction and deletes the configured Redis keys, leaving the others', async () => {
    const demo = await rows();
    const client = await session('fleet-api');
    await client.query("UPDATE users SET password_hash = 'changed-by-a-visitor'");
    await client.query("DELETE FROM vehicles WHERE vin = '1FLEET00000000002'");
    await client.query("INSERT INTO vehicles (vin, name, status) VALUES ('JUNK', 'Junk', 'broken')");
    await client.end();
    // More keys than one SCAN page, so that deletion goes in batches.
    const cache = Array.from({ length: 1_200 }, (_, i) => `${ns}:cache:vehicle:${i}`);
    await redis.mset(...cache.flatMap((key) => [key, '1']));
    await redis.set(`${ns}:session:abc`, 'user');
    const kept = [`${ns}:other:config`, `${ns}:cachex`, `${ns}:sessions-total`];
    for (const key of kept) await redis.set(key, 'keep');

    const { result, progress } = await runAction(harness, 'reset-demo');
    expect(result.status).toBe('ok');
    expect(result.summary).toMatch(
      /^Demo data reset on 127\.0\.0\.1:\d+\/test_\w+ · 1201 Redis keys deleted$/,
    );
    expect(result.data?.deleted).toEqual({ [`${ns}:cache:*`]: 1_200, [`${ns}:session:*`]: 1 });
    expect(progress[0]).toBe('Running reset-demo.sql in one transaction');
    expect(await rows()).toEqual(demo);
    expect(demo.vehicles).toHaveLength(3);
    expect(await redis.keys(`${ns}:*`)).toEqual(expect.arrayContaining(kept));
    expect((await redis.keys(`${ns}:*`)).sort()).toEqual([...kept].sort());
  });

  it('a script that fails applies nothing, and no Redis key is deleted', async () => {
    const original = await readFile(script, 'utf8');
    await writeFile(
      script,
      `${original}\nINSERT INTO vehicles (vin, name, status) VALUES (NULL, 'x', 'y');\n`,
    );
    const client = await session('fleet-api');
    await client.query("UPDATE users SET password_hash = 'changed-again'");
    await client.end();
    await redis.set(`${ns}:cache:survivor`, '1');
    try {
      const before = await rows();
      const { result } = await runAction(harness, 'reset-demo');
      expect(result.status).toBe('failed');
      expect(result.summary).toMatch(/^The demo reset script failed and was rolled back: .*null value/);
      expect(await rows()).toEqual(before);
      expect(await redis.exists(`${ns}:cache:survivor`)).toBe(1);
    } finally {
      await writeFile(script, original);
    }
  });

  it('refuses a script that runs its own transaction, and an empty one, before touching anything', async () => {
    const original = await readFile(script, 'utf8');
    try {
      await writeFile(script, `BEGIN;\n${original}\nCOMMIT;\n`);
      let { result } = await runAction(harness, 'reset-demo');
      expect(result.summary).toContain('controls its own transaction ("BEGIN;")');
      await writeFile(script, '');
      ({ result } = await runAction(harness, 'reset-demo'));
      expect(result.summary).toBe(`The demo reset script ${script} is empty.`);
    } finally {
      await writeFile(script, original);
    }
  });
});

describe('reset-demo: what it is refused on', () => {
  const base = {
    FLEET_DATABASE_URL: 'postgres://u:p@db:5432/fleetdb',
    FLEET_REDIS_URL: 'redis://cache:6379',
  };
  async function configWith(yaml: string, env: Record<string, string> = base) {
    const file = path.join(dir, `config-${Math.random().toString(36).slice(2)}.yml`);
    await writeFile(file, yaml);
    return loadConfig({ file, env });
  }
  function refusal(config: ReturnType<typeof loadConfig>): FleetbotError {
    try {
      resetDemo.classify({}, config);
    } catch (error) {
      if (error instanceof FleetbotError) return error;
      throw error;
    }
    throw new Error('expected a refusal');
  }

  it('is refused in production unless explicitly allowed', async () => {
    const production = await configWith('demo: { resetScript: reset.sql }\n');
    expect(production.environment).toBe('production');
    expect(refusal(production)).toMatchObject({
      code: 'denied',
      message: expect.stringContaining('environment is "production"'),
      hint: expect.stringContaining('demo.allowInProduction: true'),
    });
    const allowed = await configWith('demo: { resetScript: reset.sql, allowInProduction: true }\n');
    expect(resetDemo.classify({}, allowed)).toEqual({
      permission: 'admin',
      destructive: true,
      target: { kind: 'StatefulSet', name: 'fleet-postgres' },
    });
  });

  it('says which setting is missing: FLEET_DATABASE_URL, FLEET_REDIS_URL, demo.resetScript', async () => {
    const yaml = 'environment: demo\ndemo: { resetScript: reset.sql }\n';
    expect(refusal(await configWith(yaml, { FLEET_REDIS_URL: base.FLEET_REDIS_URL }))).toMatchObject({
      code: 'config',
      message: expect.stringContaining('FLEET_DATABASE_URL is not set'),
    });
    expect(refusal(await configWith(yaml, { FLEET_DATABASE_URL: base.FLEET_DATABASE_URL }))).toMatchObject({
      code: 'config',
      message: expect.stringContaining('FLEET_REDIS_URL is not set'),
    });
    expect(refusal(await configWith('environment: staging\n'))).toMatchObject({
      code: 'config',
      message: expect.stringContaining('demo.resetScript is not set'),
    });
  });

  it('through the runner: a missing script file fails the run with the path and what to set', async () => {
    const missing = await startActionHarness({
      FLEETBOT_CONFIG: await (async () => {
        const file = path.join(dir, 'missing-script.yml');
        await writeFile(file, 'environment: demo\ndemo: { resetScript: nowhere.sql, redisKeys: [] }\n');
        return file;
      })(),
      FLEET_DATABASE_URL: fleet.url,
    });
    try {
      const { result } = await runAction(missing, 'reset-demo');
      expect(result.status).toBe('failed');
      expect(result.summary).toBe(`The demo reset script ${path.join(dir, 'nowhere.sql')} does not exist.`);
      expect(result.sections[0]?.text).toContain('demo.resetScript');
    } finally {
      await missing.close();
    }
  });

  it('db connections and kill-idle without FLEET_DATABASE_URL: refused before anything runs', async () => {
    const config = await configWith('', {});
    const none = await startActionHarness({});
    try {
      expect(config.fleet.databaseUrl).toBeUndefined();
      for (const line of [['db connections'], ['db kill-idle']]) {
        expect(() => none.runner.prepare(line[0] as string, [])).toThrow('FLEET_DATABASE_URL is not set');
      }
    } finally {
      await none.close();
    }
  });

  it('the redis key patterns refuse a bare wildcard', async () => {
    await expect(configWith('demo: { redisKeys: ["*"] }\n')).rejects.toThrow(
      'a bare "*" would delete every key',
    );
  });
});
