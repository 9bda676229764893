/**
 * The chaos suite's engine (issue 18): real fleetbot processes against the fake cluster and the
 * fake Slack, in either shape — `single` (one `fleetbot start` on its embedded PostgreSQL) or
 * `scaled` (`web` ×2 and `worker` ×2 on PostgreSQL and a Redis of their own) — driven through a
 * scenario again and again: a confirmed restart with a slow rollout, a database backup, and an
 * alert storm whose incidents escalate on short timers, all at once. In each pass one process,
 * chosen by the seed, is killed with SIGKILL at a seeded moment and started again (fleetbot starts
 * its own embedded PostgreSQL again; Redis is restarted by the engine after a few seconds down).
 * Then the invariants are checked from the outside: the cluster's recorded requests, the Slack
 * messages as they finally stand, the database's rows, the backup folder.
 *
 * Several kills share one environment (one pass each) because starting fleetbot's processes is
 * most of a pass's time; the same seed replays the same environment and the same kills.
 *
 * Used by `npm run chaos` (hundreds of kills, figures for BENCHMARKS.md) and by a short test.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { freePort } from '../../src/lib/free-port.ts';
import { startFleetbot } from './cli-process.ts';
import { eventually } from './eventually.ts';
import { startFakeKube } from './fake-kube/index.ts';
import { type FakeSlack, startFakeSlack } from './fake-slack/index.ts';
import { blockActionsBody, postSigned, slashCommandBody } from './slack-requests.ts';

const SECRET = '00000000fakefakefakefake00000000';
const ALERTS_TOKEN = 'alerts-token-0000fakefakefake0000';
const ONCALL = 'U0000ONCALL';
const OPS = 'C0000OPS';
/** Alerts per pass by default: five passes open 200 incidents, each escalating on P2's short timer. */
const STORM = 40;
/** P2's response time here: each storm incident's first deadline falls inside its pass. */
const RESPONSE_S = 4;

export type Shape = 'single' | 'scaled';

export interface ChaosServers {
  /** A PostgreSQL superuser URL: each scaled environment gets a database of its own on it. */
  postgresUrl: string;
  /** The fleet's database (PostgreSQL 15, as pg_dump 15 needs), for `db backup`. */
  fleetDatabaseUrl: string;
}

/** The named checks, each a count that must be 0. */
export interface ChaosChecks {
  duplicateMutations: number;
  lostAlerts: number;
  duplicateSteps: number;
  skippedSteps: number;
  unfinishedMessages: number;
  runsLeftRunning: number;
  /** Slack messages given up (the fake Slack refuses nothing: each is a message lost). */
  lostMessages: number;
  /** Backups left half written (`.partial` files) in the backup folder. */
  halfDoneBackups: number;
}

/** One kill and what was found after it. */
export interface ChaosKill {
  seed: number;
  shape: Shape;
  /** 1 for the environment's first pass. */
  pass: number;
  killed: string;
  killAtMs: number;
  downForMs: number;
  checks: ChaosChecks;
  /** Slack posts beyond the one each recorded message should make: the delivery path's documented crash window. */
  duplicatePosts: number;
  /** From the killed process's restart (for the embedded PostgreSQL: its kill) until every check could be made. */
  recoverMs: number;
  /** What settled last (runs, alerts, steps, messages): what recovery waited for. */
  waitedFor: string;
  /** This pass's latest escalation step, after its due time. */
  maxLateMs: number;
  acceptedAlerts: number;
  /** What a failed check found, to start from when replaying the seed. */
  findings: string[];
}

type Process = ReturnType<typeof startFleetbot>;

/** A small seeded generator (mulberry32): the same seed, the same kills. */
export function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** The shape a seed runs: odd seeds `single`, even seeds `scaled`. */
export function shapeOf(seed: number): Shape {
  return seed % 2 === 1 ? 'single' : 'scaled';
}

/**
 * An environment of the seed's shape, `kills` passes in it, each with one kill; `onKill` hears each
 * as it is checked. Returns them all.
 */
export async function chaosEnvironment(
  servers: ChaosServers,
  seed: number,
  kills: number,
  options: { storm?: number; onKill?: (kill: ChaosKill) => void } = {},
): Promise<ChaosKill[]> {
  const environment = await startEnvironment(servers, shapeOf(seed));
  const random = seeded(seed);
  const results: ChaosKill[] = [];
  try {
    for (let pass = 1; pass <= kills; pass++) {
      const kill = await runPass(environment, { seed, pass, storm: options.storm ?? STORM }, random);
      results.push(kill);
      options.onKill?.(kill);
    }
    return results;
  } finally {
    await environment.close();
  }
}

export interface Environment {
  shape: Shape;
  slack: FakeSlack;
  kube: Awaited<ReturnType<typeof startFakeKube>>;
  db: pg.Pool;
  backupDir: string;
  /** The processes that may be killed, by name. */
  victims: string[];
  /** The origins that take Slack requests and alerts. */
  origins: () => string[];
  /** What fleetbot's processes logged at warn and above (the current ones), for findings. */
  warnings: () => string[];
  /** Kills `victim` with SIGKILL, leaves it down `downForMs`, starts it again; resolves when it serves again. */
  kill: (victim: string, downForMs: number) => Promise<{ restartedAt: number }>;
  close: () => Promise<void>;
}

export async function startEnvironment(servers: ChaosServers, shape: Shape): Promise<Environment> {
  const dir = await mkdtemp(join(tmpdir(), 'fleetbot-chaos-'));
  // As root, fleetbot runs its embedded PostgreSQL as "postgres", which must reach the data folder.
  await chmod(dir, 0o711);
  const [slack, kube] = await Promise.all([startFakeSlack(), startFakeKube()]);
  kube.rollouts.stepMs = 400;
  const backupDir = join(dir, 'backups');
  const config = join(dir, 'fleetbot.yml');
  await writeFile(
    config,
    [
      'channels: { alerts: C0000ALERTS }',
      'alerts: { groupWindow: 0s, incidentChannel: [] }',
      'maintenance: { notices: [] }',
      'backups: { keep: 1000 }',
      `severities: { P2: { responseTime: ${RESPONSE_S}s } }`,
      `roles: { oncall: { slack: { users: [${ONCALL}] } } }`,
    ].join('\n'),
  );
  const env: Record<string, string> = {
    FLEETBOT_CONFIG: config,
    FLEETBOT_BACKUP_DIR: backupDir,
    FLEET_DATABASE_URL: servers.fleetDatabaseUrl,
    KUBECONFIG: kube.kubeconfigPath,
    ALERTS_TOKEN,
    SLACK_BOT_TOKEN: 'xoxb-0000000000-0000000000000-fakefakefakefakefakefake',
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_API_URL: slack.url,
    LOG_FORMAT: 'json',
    LOG_LEVEL: 'info',
  };
  const cleanups: (() => Promise<unknown>)[] = [
    () => Promise.all([slack.close(), kube.close()]),
    () => rm(dir, { recursive: true, force: true }),
  ];
  const close = async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  };
  try {
    const parts =
      shape === 'single'
        ? await singleShape(dir, env, cleanups)
        : await scaledShape(servers, dir, env, cleanups);
    const db = new pg.Pool({ connectionString: parts.databaseUrl, max: 2 });
    // A killed PostgreSQL breaks the pool's idle connections: the pool drops them and reconnects.
    db.on('error', () => {});
    cleanups.push(() => db.end());
    return { shape, slack, kube, db, backupDir, ...parts, close };
  } catch (error) {
    await close();
    throw error;
  }
}

type ShapeParts = Pick<Environment, 'victims' | 'origins' | 'kill' | 'warnings'> & { databaseUrl: string };

/** `web` ×2 and `worker` ×2 on a database of their own and a Redis of their own (append-only, fsync always). */
async function scaledShape(
  servers: ChaosServers,
  dir: string,
  env: Record<string, string>,
  cleanups: (() => Promise<unknown>)[],
): Promise<ShapeParts> {
  const name = `chaos_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: servers.postgresUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  cleanups.push(async () => {
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
    await admin.end();
  });
  const databaseUrl = Object.assign(new URL(servers.postgresUrl), { pathname: `/${name}` }).toString();
  const redis = await startRedis(join(dir, 'redis'));
  cleanups.push(() => redis.stop());
  const ports: Record<string, number> = { web1: await freePort(), web2: await freePort() };
  const processes = new Map<string, Process>();
  cleanups.push(() => stopAll([...processes.values()]));
  const fullEnv = { ...env, DATABASE_URL: databaseUrl, REDIS_URL: redis.url };
  const origin = (key: string) => `http://127.0.0.1:${ports[key]}`;
  const start = async (key: string) => {
    const role = key.startsWith('web') ? 'web' : 'worker';
    const child = startFleetbot([role], { ...fullEnv, PORT: String(ports[key] ?? 0) });
    processes.set(key, child);
    await (role === 'web' ? ready(origin(key), child, key) : started(child, key));
  };
  const keys = ['web1', 'web2', 'worker1', 'worker2'];
  await Promise.all(keys.map(start));
  return {
    databaseUrl,
    victims: [...keys, 'redis'],
    warnings: () => [...processes.values()].flatMap((child) => warningsIn(child.output())),
    origins: () => ['web1', 'web2'].map(origin),
    kill: async (victim, downForMs) => {
      if (victim === 'redis') {
        await redis.kill();
        await sleep(downForMs);
        await redis.start();
        return { restartedAt: performance.now() };
      }
      processes.get(victim)?.kill('SIGKILL');
      await sleep(downForMs);
      const restartedAt = performance.now();
      await start(victim);
      return { restartedAt };
    },
  };
}

/** One `fleetbot start` on its embedded PostgreSQL, answering HTTP. */
async function singleShape(
  dir: string,
  env: Record<string, string>,
  cleanups: (() => Promise<unknown>)[],
): Promise<ShapeParts> {
  const dataDir = join(dir, 'data');
  const port = await freePort();
  const origin = `http://127.0.0.1:${port}`;
  let child: Process | undefined;
  const postmasterPid = async () =>
    Number(
      (await readFile(join(dataDir, 'postgres', 'postmaster.pid'), 'utf8').catch(() => '')).split('\n')[0],
    );
  cleanups.push(async () => {
    // As an orchestrator stops it: SIGTERM stops its PostgreSQL too. One left by a kill is killed.
    if (child && !exited(child)) {
      child.kill('SIGTERM');
      await Promise.race([new Promise((resolve) => child?.once('exit', resolve)), sleep(15_000)]);
    }
    const pid = await postmasterPid();
    if (pid > 0) process.kill(pid, 'SIGKILL');
  });
  const start = async () => {
    child = startFleetbot(['start'], { ...env, FLEETBOT_DATA_DIR: dataDir, PORT: String(port) });
    await ready(origin, child, 'start');
  };
  await start();
  const secret = (file: string) => readFile(join(dataDir, file), 'utf8').then((text) => text.trim());
  const databaseUrl = `postgres://fleetbot:${encodeURIComponent(await secret('postgres-password'))}@127.0.0.1:${await secret('postgres.port')}/fleetbot`;
  return {
    databaseUrl,
    victims: ['start', 'postgres'],
    warnings: () => warningsIn(child?.output() ?? ''),
    origins: () => [origin],
    kill: async (victim, downForMs) => {
      if (victim === 'postgres') {
        // fleetbot starts its embedded PostgreSQL again by itself: recovery counts from the kill.
        const killed = await postmasterPid();
        process.kill(killed, 'SIGKILL');
        const restartedAt = performance.now();
        // Ready again means a new server: /readyz may still answer 200 from before it noticed.
        await eventually(
          async () => {
            const pid = await postmasterPid();
            return pid > 0 && pid !== killed;
          },
          60_000,
          'a new embedded PostgreSQL',
        );
        await ready(origin, child, 'start after its PostgreSQL died');
        return { restartedAt };
      }
      child?.kill('SIGKILL');
      await sleep(downForMs);
      const restartedAt = performance.now();
      await start();
      return { restartedAt };
    },
  };
}

interface Redis {
  url: string;
  start: () => Promise<void>;
  kill: () => Promise<void>;
  stop: () => Promise<void>;
}

/** A redis-server that keeps what it acknowledged (append-only, fsync on every write), as a managed Redis does. */
async function startRedis(dir: string): Promise<Redis> {
  await mkdir(dir, { recursive: true });
  const port = await freePort();
  let server: ChildProcess | undefined;
  const ping = () =>
    new Promise<boolean>((resolve) => {
      const probe = spawn('redis-cli', ['-p', String(port), 'ping'], { stdio: ['ignore', 'pipe', 'ignore'] });
      let out = '';
      probe.stdout.on('data', (chunk) => {
        out += String(chunk);
      });
      probe.once('close', () => resolve(out.includes('PONG')));
    });
  const redis: Redis = {
    url: `redis://127.0.0.1:${port}`,
    start: async () => {
      server = spawn(
        'redis-server',
        [
          ...['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', ''],
          ...['--appendonly', 'yes', '--appendfsync', 'always'],
        ],
        { stdio: 'ignore' },
      );
      await eventually(ping, 10_000, 'redis-server to answer');
    },
    kill: async () => {
      const stopped =
        server && !exited(server) ? new Promise((resolve) => server?.once('exit', resolve)) : undefined;
      server?.kill('SIGKILL');
      await stopped;
    },
    stop: () => redis.kill(),
  };
  await redis.start();
  return redis;
}

async function runPass(
  environment: Environment,
  { seed, pass, storm }: { seed: number; pass: number; storm: number },
  random: () => number,
): Promise<ChaosKill> {
  const { db, kube, slack } = environment;
  const count = async (sql: string, values: unknown[] = []) =>
    Number((await db.query(sql, values)).rows[0]?.n ?? 0);
  const patchesToApi = () =>
    kube.requests.filter(
      (request) => request.method === 'PATCH' && request.path.endsWith('/deployments/fleet-api'),
    ).length;
  const before = {
    patches: patchesToApi(),
    duplicateSteps: await countDuplicateSteps(count),
    extraPosts: await extraPosts(slack, count),
    at: new Date(),
  };

  // The kill, at a seeded moment of the pass.
  const chosen = environment.victims[Math.floor(random() * environment.victims.length)] as string;
  const killed = process.env.CHAOS_VICTIM ?? chosen;
  const killAtMs = Math.round(300 + random() * 6_000);
  const downForMs = Math.round(killed === 'redis' ? 1_000 + random() * 2_000 : 200 + random() * 1_500);
  let restartedAt = 0;
  const chaos = (async () => {
    await sleep(killAtMs);
    ({ restartedAt } = await environment.kill(killed, downForMs));
  })();

  // The scenario, all at once: a confirmed restart with a slow rollout, a backup, an alert storm.
  const events = (attempt: number) => {
    const origins = environment.origins();
    return `${origins[attempt % origins.length]}/slack/events`;
  };
  const command = (text: string) =>
    retrying((attempt) =>
      postSigned(
        events(attempt),
        slashCommandBody({ text, user_id: ONCALL, channel_id: OPS, response_url: slack.responseUrl() }),
        { secret: SECRET },
      ),
    );
  const restart = (async () => {
    const seen = await count("SELECT count(*) AS n FROM action_runs WHERE action = 'restart'");
    await command('restart api');
    const run = await eventually(
      async () =>
        (
          await db
            .query("SELECT id FROM action_runs WHERE action = 'restart' ORDER BY requested_at OFFSET $1", [
              seen,
            ])
            .catch(() => ({ rows: [] }))
        ).rows[0] as { id: string } | undefined,
      60_000,
      'the restart to wait for its confirmation',
    );
    await retrying((attempt) =>
      postSigned(
        events(attempt),
        blockActionsBody({
          user: { id: ONCALL },
          channel: { id: OPS },
          response_url: slack.responseUrl(),
          actions: [
            { type: 'button', action_id: 'fleet.confirm', value: run.id, action_ts: `${Date.now() / 1000}` },
          ],
        }),
        { secret: SECRET },
      ),
    );
  })();
  const backup = command('db backup');
  // As Alertmanager does: a delivery not answered 2xx is sent again, to the other replica if any.
  const alert = (i: number, status: 'firing' | 'resolved') =>
    retrying((attempt) => {
      const origins = environment.origins();
      return fetch(`${origins[(i + attempt) % origins.length]}/alerts/generic`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${ALERTS_TOKEN}` },
        body: JSON.stringify({
          title: `Storm ${pass}.${i}`,
          severity: 'P2',
          service: `storm-${pass}-${i}`,
          fingerprint: `storm-${pass}-${i}`,
          status,
        }),
      }).then((response) => ({ status: response.status }));
    });
  let acceptedAlerts = 0;
  const alerts = (async () => {
    for (let i = 0; i < storm; i++) {
      if (await alert(i, 'firing')) acceptedAlerts++;
      await sleep(100);
    }
  })();
  await Promise.all([chaos, restart, backup, alerts]);

  // Recovered: nothing running, every alert applied, every due first step fired. Each condition's
  // first time true is kept, to say which one recovery waited for.
  const settled = async (conditions: Record<string, string>, what: string) => {
    const at: Record<string, number> = {};
    await eventually(
      async () => {
        for (const [name, sql] of Object.entries(conditions)) {
          if ((await count(sql).catch(() => -1)) === 0) at[name] ??= performance.now();
          else delete at[name];
        }
        return Object.keys(at).length === Object.keys(conditions).length;
      },
      120_000,
      `seed ${seed} pass ${pass} ${what}`,
    ).catch(() => undefined);
    return Object.entries(at).sort(([, a], [, b]) => b - a)[0]?.[0] ?? 'nothing';
  };
  const waitedFor = await settled(
    {
      runs: "SELECT count(*) AS n FROM action_runs WHERE status IN ('running', 'queued')",
      alerts: 'SELECT count(*) AS n FROM alert_events WHERE processed_at IS NULL',
      steps: SKIPPED_STEPS,
    },
    'to recover',
  );
  const recoverMs = Math.round(performance.now() - restartedAt);
  const skippedSteps = await count(SKIPPED_STEPS);
  // The storm's alerts resolve, and their incidents with them (alerts.autoResolve): escalation stops,
  // and the messages it kept editing can settle.
  const resolving = performance.now();
  for (let i = 0; i < storm; i++) await alert(i, 'resolved');
  const settledBy = await settled(
    {
      alerts: 'SELECT count(*) AS n FROM alert_events WHERE processed_at IS NULL',
      incidents: "SELECT count(*) AS n FROM incidents WHERE status <> 'resolved'",
      // Every incident's latest version is in its message's record (the publisher marks it synced
      // after recording the edit): without it, "nothing pending" can hold in the moment between a
      // resolution and the edit that shows it, and the check below finds that edit on its way.
      published: 'SELECT count(*) AS n FROM incidents WHERE synced_version < version',
      messages: "SELECT count(*) AS n FROM slack_messages WHERE status = 'pending'",
    },
    'to settle',
  );
  if (process.env.CHAOS_DEBUG) {
    console.log(
      `pass ${pass}: settled by ${settledBy} ${Math.round(performance.now() - resolving)} ms after the resolves began`,
    );
  }
  const checks: ChaosChecks = {
    duplicateMutations: Math.max(0, patchesToApi() - before.patches - 1),
    lostAlerts: Math.max(
      0,
      acceptedAlerts -
        (await count(
          "SELECT count(DISTINCT fingerprint) AS n FROM alert_events WHERE status = 'firing' AND fingerprint LIKE $1",
          [`generic:storm-${pass}-%`],
        )),
    ),
    duplicateSteps: (await countDuplicateSteps(count)) - before.duplicateSteps,
    skippedSteps,
    unfinishedMessages: await count(
      "SELECT count(*) AS n FROM slack_messages WHERE status = 'pending' OR (status = 'delivered' AND delivered_version < version)",
    ),
    runsLeftRunning: await count("SELECT count(*) AS n FROM action_runs WHERE status = 'running'"),
    lostMessages: await count("SELECT count(*) AS n FROM slack_messages WHERE status = 'failed'"),
    halfDoneBackups: (await readdir(environment.backupDir).catch(() => [])).filter((file) =>
      file.endsWith('.partial'),
    ).length,
  };
  const duplicatePosts = Math.max(0, (await extraPosts(slack, count)) - before.extraPosts);
  const maxLateMs = await count(
    "SELECT coalesce(max((details->>'lateMs')::int), 0) AS n FROM timeline_events WHERE kind = 'escalated' AND at >= $1",
    [before.at],
  );
  const findings = Object.values(checks).some((n) => n > 0)
    ? (
        await db.query(
          `SELECT 'message ' || key || ' ' || status || ' v' || version || '/' || delivered_version || coalesce(' ' || last_error, '') AS f
             FROM slack_messages WHERE status IN ('pending', 'failed') OR (status = 'delivered' AND delivered_version < version)
           UNION ALL SELECT 'run ' || action || ' ' || status FROM action_runs WHERE status IN ('running', 'queued')
           UNION ALL SELECT 'alert ' || fingerprint || ' unprocessed' FROM alert_events WHERE processed_at IS NULL`,
        )
      ).rows
        .map((row) => String(row.f))
        .slice(0, 20)
        .concat(
          environment
            .warnings()
            .slice(-5)
            .map((line) => line.slice(0, 300)),
        )
        .concat(
          process.env.CHAOS_DEBUG
            ? (
                await db
                  .query(
                    "SELECT queue || ' ' || state || ' ' || count(*) AS f FROM fleetbot_queue.job GROUP BY queue, state",
                  )
                  .catch((error: Error) => ({ rows: [{ f: error.message }] }))
              ).rows.map((row) => String(row.f))
            : [],
        )
    : [];
  return {
    seed,
    shape: environment.shape,
    pass,
    killed,
    killAtMs,
    downForMs,
    checks,
    duplicatePosts,
    recoverMs,
    waitedFor,
    maxLateMs,
    acceptedAlerts,
    findings,
  };
}

/** Open incidents whose first deadline has not fired (every pass waits past it before checking). */
const SKIPPED_STEPS = `SELECT count(*) AS n FROM incidents WHERE status <> 'resolved' AND NOT EXISTS (
  SELECT 1 FROM timeline_events e WHERE e.incident_id = incidents.id AND e.kind = 'escalated'
   AND e.details->>'step' = 'deadline.1')`;

type Count = (sql: string, values?: unknown[]) => Promise<number>;

function countDuplicateSteps(count: Count): Promise<number> {
  return count(
    `SELECT coalesce(sum(n - 1), 0) AS n FROM (SELECT count(*) AS n FROM timeline_events
      WHERE kind = 'escalated' GROUP BY incident_id, details->>'step' HAVING count(*) > 1) d`,
  );
}

/** Top-level and thread posts in the fake Slack beyond those fleetbot recorded as delivered. */
async function extraPosts(slack: FakeSlack, count: Count): Promise<number> {
  const posted = slack.messages.filter(
    (message) => !message.channel.startsWith('U') && !message.channel.startsWith('D'),
  ).length;
  return (
    posted -
    (await count(
      "SELECT count(*) AS n FROM slack_messages WHERE kind = 'post' AND status = 'delivered' AND target->>'user' IS NULL",
    ))
  );
}

async function ready(origin: string, child: ChildProcess | undefined, what: string): Promise<void> {
  await eventually(
    async () => (await fetch(`${origin}/readyz`).catch(() => undefined))?.status === 200 || exited(child),
    60_000,
    `${what} ready`,
  );
  if (exited(child))
    throw new Error(`${what} exited: ${(child as Process | undefined)?.output?.().slice(-30_000)}`);
}

async function started(child: Process, what: string): Promise<void> {
  await eventually(
    () => child.output().includes('fleetbot started') || exited(child),
    60_000,
    `${what} started`,
  );
  if (exited(child)) throw new Error(`${what} exited: ${child.output().slice(-2_000)}`);
}

function warningsIn(output: string): string[] {
  return output.split('\n').filter((line) => /"level":"(warn|error|fatal)"/.test(line));
}

async function stopAll(children: ChildProcess[]): Promise<void> {
  for (const child of children) if (!exited(child)) child.kill('SIGKILL');
}

function exited(child: ChildProcess | undefined): boolean {
  return !child || child.exitCode !== null || child.signalCode !== null;
}

/** Sends until one is answered 2xx (another replica, a moment later), for up to 20 s; whether it was. */
async function retrying(send: (attempt: number) => Promise<{ status: number }>): Promise<boolean> {
  for (let attempt = 0; attempt < 80; attempt++) {
    const response = await send(attempt).catch(() => undefined);
    if (response && response.status >= 200 && response.status < 300) return true;
    await sleep(250);
  }
  return false;
}
