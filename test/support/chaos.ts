/**
 * The chaos suite's engine (issue 18): real fleetbot processes — `web` ×2 and `worker` ×2 on
 * PostgreSQL and Redis — against the fake cluster and the fake Slack, driven through a scenario (a
 * confirmed restart with a slow rollout, an alert storm whose incidents escalate on short timers)
 * while one process, chosen by the seed, is killed with SIGKILL at a seeded moment and started
 * again. Then the invariants are checked from the outside: the cluster's recorded requests, the
 * Slack messages as they finally stand, the database's rows.
 *
 * Used by `npm run chaos` (hundreds of seeds, figures for BENCHMARKS.md) and by a short test.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
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
const STORM = 30;
/** P2's response time here: each storm incident's first deadline falls inside the round. */
const RESPONSE_S = 4;

export interface ChaosServers {
  /** A PostgreSQL superuser URL: each round gets a database of its own on it. */
  postgresUrl: string;
  redisUrl: string;
}

/** The named checks, each a count that must be 0. */
export interface ChaosChecks {
  duplicateMutations: number;
  lostAlerts: number;
  duplicateSteps: number;
  skippedSteps: number;
  unfinishedMessages: number;
  runsLeftRunning: number;
}

export interface ChaosRound {
  seed: number;
  killed: string;
  killAtMs: number;
  checks: ChaosChecks;
  /** Slack posts beyond the one each recorded message should make: the delivery path's documented crash window. */
  duplicatePosts: number;
  /** From the killed process's restart until every check could be made (everything settled). */
  recoverMs: number;
  /** The latest escalation step, after its due time. */
  maxLateMs: number;
  acceptedAlerts: number;
  /** What a failed check found, to start from when replaying the seed. */
  findings: string[];
}

type Role = 'web' | 'worker';
type Process = ReturnType<typeof startFleetbot>;

/** A small seeded generator (mulberry32): the same seed, the same kill. */
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

export async function chaosRound(servers: ChaosServers, seed: number): Promise<ChaosRound> {
  const random = seeded(seed);
  // A Redis database of its own (1–15; the test suite's other files use 0), emptied first: rounds
  // run one after another, and each starts with an empty queue.
  const redisUrl = Object.assign(new URL(servers.redisUrl), { pathname: `/${1 + (seed % 15)}` }).toString();
  execFileSync('redis-cli', ['-u', redisUrl, 'flushdb'], { stdio: 'ignore' });
  const name = `chaos_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: servers.postgresUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const databaseUrl = Object.assign(new URL(servers.postgresUrl), { pathname: `/${name}` }).toString();
  const [slack, kube, dir] = await Promise.all([
    startFakeSlack(),
    startFakeKube(),
    mkdtemp(join(tmpdir(), 'fleetbot-chaos-')),
  ]);
  kube.rollouts.stepMs = 400;
  const processes = new Map<string, Process>();
  const db = new pg.Client({ connectionString: databaseUrl });
  try {
    const config = join(dir, 'fleetbot.yml');
    await writeFile(
      config,
      [
        'channels: { alerts: C0000ALERTS }',
        'alerts: { groupWindow: 0s, incidentChannel: [] }',
        'maintenance: { notices: [] }',
        `severities: { P2: { responseTime: ${RESPONSE_S}s } }`,
        `roles: { oncall: { slack: { users: [${ONCALL}] } } }`,
      ].join('\n'),
    );
    const ports = { web1: await freePort(), web2: await freePort() };
    const env = {
      DATABASE_URL: databaseUrl,
      REDIS_URL: redisUrl,
      FLEETBOT_CONFIG: config,
      KUBECONFIG: kube.kubeconfigPath,
      ALERTS_TOKEN,
      SLACK_BOT_TOKEN: 'xoxb-0000000000-0000000000000-fakefakefakefakefakefake',
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_API_URL: slack.url,
      LOG_FORMAT: 'json',
      LOG_LEVEL: 'info',
    };
    const roles: Record<string, Role> = { web1: 'web', web2: 'web', worker1: 'worker', worker2: 'worker' };
    const start = (key: string) => {
      const role = roles[key] as Role;
      const port = key === 'web1' ? ports.web1 : key === 'web2' ? ports.web2 : 0;
      const child = startFleetbot([role], { ...env, PORT: String(port) });
      processes.set(key, child);
      return child;
    };
    const up = (key: string) =>
      roles[key] === 'web'
        ? eventually(
            async () =>
              (await fetch(`${origin(key)}/readyz`).catch(() => undefined))?.status === 200 ||
              exited(processes.get(key)),
            60_000,
            `${key} ready`,
          )
        : eventually(
            () => processes.get(key)?.output().includes('fleetbot started'),
            60_000,
            `${key} started`,
          );
    const origin = (key: string) => `http://127.0.0.1:${key === 'web1' ? ports.web1 : ports.web2}`;
    for (const key of Object.keys(roles)) start(key);
    await Promise.all(Object.keys(roles).map(up));
    await db.connect();

    // The kill, at a seeded moment of the scenario.
    const victims = Object.keys(roles);
    const killed = victims[Math.floor(random() * victims.length)] as string;
    const killAtMs = Math.round(300 + random() * 6_000);
    const downForMs = Math.round(200 + random() * 1_500);
    const begun = performance.now();
    let restartedAt = 0;
    const chaos = (async () => {
      await sleep(killAtMs);
      processes.get(killed)?.kill('SIGKILL');
      await sleep(downForMs);
      start(killed);
      restartedAt = performance.now();
      await up(killed);
    })();

    // The scenario: a confirmed restart with a slow rollout, and an alert storm, at once.
    const webs = ['web1', 'web2'];
    const restart = (async () => {
      const events = (attempt: number) => `${origin(webs[attempt % 2] as string)}/slack/events`;
      await retrying((attempt) =>
        postSigned(
          events(attempt),
          slashCommandBody({
            text: 'restart api',
            user_id: ONCALL,
            channel_id: OPS,
            response_url: slack.responseUrl(),
          }),
          {
            secret: SECRET,
          },
        ),
      );
      const run = await eventually(
        async () =>
          (await db.query("SELECT id FROM action_runs WHERE action = 'restart'")).rows[0] as
            | { id: string }
            | undefined,
        30_000,
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
              {
                type: 'button',
                action_id: 'fleet.confirm',
                value: run.id,
                action_ts: `${Date.now() / 1000}`,
              },
            ],
          }),
          { secret: SECRET },
        ),
      );
    })();
    let acceptedAlerts = 0;
    const storm = (async () => {
      for (let i = 0; i < STORM; i++) {
        const body = JSON.stringify({
          title: `Storm ${i}`,
          severity: 'P2',
          service: `storm-${i}`,
          fingerprint: `storm-${i}`,
        });
        // As Alertmanager does: a delivery not answered 2xx is sent again, to the other replica.
        const accepted = await retrying((attempt) =>
          fetch(`${origin(webs[(i + attempt) % 2] as string)}/alerts/generic`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${ALERTS_TOKEN}` },
            body,
          }).then((response) => ({ status: response.status })),
        );
        if (accepted) acceptedAlerts++;
        await sleep(100);
      }
    })();
    await Promise.all([chaos, restart, storm]);

    // Settled: nothing running, every alert applied, every due step fired, every message delivered.
    const count = async (sql: string) => Number((await db.query(sql)).rows[0]?.n ?? 0);
    await eventually(
      async () =>
        (await count("SELECT count(*) AS n FROM action_runs WHERE status IN ('running', 'queued')")) === 0 &&
        (await count('SELECT count(*) AS n FROM alert_events WHERE processed_at IS NULL')) === 0 &&
        (await count(
          `SELECT count(*) AS n FROM incidents WHERE status <> 'resolved' AND NOT EXISTS (
             SELECT 1 FROM timeline_events e WHERE e.incident_id = incidents.id AND e.kind = 'escalated'
              AND e.details->>'step' = 'deadline.1')`,
        )) === 0 &&
        (await count("SELECT count(*) AS n FROM slack_messages WHERE status = 'pending'")) === 0,
      120_000,
      `round ${seed} to settle`,
    ).catch(() => undefined);
    const recoverMs = Math.round(performance.now() - (restartedAt || begun));
    const patches = kube.requests.filter(
      (request) => request.method === 'PATCH' && request.path.endsWith('/deployments/fleet-api'),
    ).length;
    const checks: ChaosChecks = {
      duplicateMutations: Math.max(0, patches - 1),
      lostAlerts: Math.max(
        0,
        acceptedAlerts -
          (await count("SELECT count(DISTINCT fingerprint) AS n FROM alert_events WHERE status = 'firing'")),
      ),
      duplicateSteps: await count(
        `SELECT coalesce(sum(n - 1), 0) AS n FROM (SELECT count(*) AS n FROM timeline_events
          WHERE kind = 'escalated' GROUP BY incident_id, details->>'step' HAVING count(*) > 1) d`,
      ),
      skippedSteps: await count(
        `SELECT count(*) AS n FROM incidents WHERE status <> 'resolved' AND NOT EXISTS (
           SELECT 1 FROM timeline_events e WHERE e.incident_id = incidents.id AND e.kind = 'escalated'
            AND e.details->>'step' = 'deadline.1')`,
      ),
      unfinishedMessages: await count(
        "SELECT count(*) AS n FROM slack_messages WHERE status = 'pending' OR (status = 'delivered' AND delivered_version < version)",
      ),
      runsLeftRunning: await count("SELECT count(*) AS n FROM action_runs WHERE status = 'running'"),
    };
    const recordedPosts = await count(
      "SELECT count(*) AS n FROM slack_messages WHERE kind = 'post' AND status = 'delivered' AND target->>'user' IS NULL",
    );
    const duplicatePosts = Math.max(0, postsIn(slack) - recordedPosts);
    const maxLateMs = await count(
      "SELECT coalesce(max((details->>'lateMs')::int), 0) AS n FROM timeline_events WHERE kind = 'escalated'",
    );
    const findings = Object.values(checks).some((n) => n > 0)
      ? (
          await db.query(
            `SELECT 'message ' || key || ' ' || status || ' v' || version || '/' || delivered_version || coalesce(' ' || last_error, '') AS f
               FROM slack_messages WHERE status = 'pending' OR (status = 'delivered' AND delivered_version < version)
             UNION ALL SELECT 'run ' || action || ' ' || status FROM action_runs WHERE status IN ('running', 'queued')
             UNION ALL SELECT 'alert ' || fingerprint || ' unprocessed' FROM alert_events WHERE processed_at IS NULL`,
          )
        ).rows.map((row) => String(row.f))
      : [];
    return { seed, killed, killAtMs, checks, duplicatePosts, recoverMs, maxLateMs, acceptedAlerts, findings };
  } finally {
    for (const child of processes.values()) if (!exited(child)) child.kill('SIGKILL');
    await db.end().catch(() => undefined);
    await Promise.all([slack.close(), kube.close(), rm(dir, { recursive: true, force: true })]);
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
    await admin.end();
  }
}

/** Top-level and thread posts the fake Slack holds (what a person would count in the channel). */
function postsIn(slack: FakeSlack): number {
  return slack.messages.filter(
    (message) => !message.channel.startsWith('U') && !message.channel.startsWith('D'),
  ).length;
}

function exited(child: Process | undefined): boolean {
  return !child || child.exitCode !== null || child.signalCode !== null;
}

/** Sends until one is answered 2xx (the other web replica, a moment later), at most 20 tries; whether it was. */
async function retrying(send: (attempt: number) => Promise<{ status: number }>): Promise<boolean> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const response = await send(attempt).catch(() => undefined);
    if (response && response.status >= 200 && response.status < 300) return true;
    await sleep(250);
  }
  return false;
}
