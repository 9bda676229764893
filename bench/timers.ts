/**
 * npm run bench:timers — escalation timers (issue 10), on each queue backend:
 * (1) BENCH_INCIDENTS (10,000) open P2 incidents whose first ack deadline (`deadline.1`) comes due
 *     evenly over BENCH_SPREAD_S (60) seconds, run by one `fleetbot worker`: lateness of each step
 *     (its timeline `at` − its `dueAt`) p50/p99/max, steps recorded early or twice, the worker's
 *     VmRSS (peak while the timers fire and their messages go out, and settled after), Slack calls;
 * (2) a restart: BENCH_OVERDUE (1,000) incidents whose deadline passed 10–20 s ago and whose jobs are
 *     gone (a flushed queue), then `fleetbot worker` starts: time from the process start (and from its
 *     "fleetbot started" log line) until every overdue step is recorded, each once and marked late.
 *
 * The lateness is the timer machinery's (delayed job → check → step recorded), not the intake's: the
 * incidents are put in place before the worker starts, as if opened 10 min (P2's response time here)
 * before their deadline: rows in PostgreSQL with the policy frozen from the bench's fleetbot.yml by
 * the product's `policyFor`, a run id, `escalation_due_at`, the page and the initial-assessment nudge
 * done and on the timeline, the incident message posted (to the fake Slack) and it and its thread
 * summary recorded as delivered. The product's evaluator is asked (`Escalations.next`, a sample) that
 * each waits for `deadline.1` at the time meant. Each timer's `escalation.check` delayed job is then
 * queued through the product's queue layer (`composeServices` in this process) with the id, data and
 * delay `Escalations` gives it. Only then does the worker start; the first deadline is BENCH_LEAD_S
 * after preparing began, the worker ready well before it.
 *
 * The worker runs as deployed (`fleetbot worker`, concurrency 10 per queue, its sweeps) against the
 * fake Slack; the on-call role has one person (U0000ONCALL), so a deadline is a DM to them and a
 * mention under the incident's message; the team lead (level 1 of the chain) has nobody. The
 * recurring maintenance window holds nothing (`maintenance.holdPaging: []`), so the figures do not
 * depend on the day the bench runs. Each measurement has a fresh database and, for the Redis queue, a
 * fresh redis-server (`--hz 100`); one embedded PostgreSQL 18 server serves them all.
 *
 * Both parts stop waiting BENCH_DRAIN_LIMIT_S (120) after the last deadline (part 2: 180 s after the
 * spawn): steps still missing then count as late as that wait, so the figures are lower bounds (≥),
 * and the RSS after the run is marked "still busy" when Slack messages or incident messages were
 * still to go out. The worker's job times (/metrics) and, with BENCH_PG_STATS=1, the statements that
 * took most of PostgreSQL's time (pg_stat_statements, the server restarted once to load it) are
 * printed to stderr, to show where the time goes.
 *
 * Knobs: BENCH_INCIDENTS (10000), BENCH_SPREAD_S (60), BENCH_OVERDUE (1000), BENCH_BACKENDS
 * (postgres,redis), BENCH_PARTS (timers,restart), BENCH_LEAD_S (preparing + worker start before the
 * first deadline; default 20 s + 2 ms per incident), BENCH_SETTLE_S (30: quiet time after the run
 * for the RSS after it), BENCH_DRAIN_LIMIT_S (120), BENCH_PG_STATS (0), BENCH_NODE_OPTIONS (given to
 * the worker as NODE_OPTIONS), FLEETBOT_CLI (another entry point). Every figure carries the CPU used
 * meanwhile, "others" included (another developer's tests); rerun a disturbed one.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { WebClient } from '@slack/web-api';
import pg from 'pg';
import { systemClock } from '../src/adapters/clock.ts';
import { type Config, loadConfig } from '../src/config/index.ts';
import { openDatabase } from '../src/db/database.ts';
import { EmbeddedPostgres } from '../src/db/embedded-postgres.ts';
import { PgIncidentStore } from '../src/db/incident-store.ts';
import { migrate } from '../src/db/migrate.ts';
import { jobId } from '../src/domain/jobs.ts';
import { phaseTargets } from '../src/escalation/phases.ts';
import { policyFor } from '../src/escalation/policy.ts';
import { createLogger } from '../src/logging/logger.ts';
import { composeServices } from '../src/main.ts';
import { INCIDENT_UPDATE_INTERVAL_MS, incidentMessageKey } from '../src/services/incident-publisher.ts';
import { renderIncidentSummary } from '../src/slack/render/incident.ts';
import { startFakeSlack } from '../test/support/fake-slack/index.ts';
import { type CpuUsage, type CpuWindow, formatCpu, startCpuWindow } from './cpu-usage.ts';
import { type Backend, type Fleetbot, type FleetbotStore, startFleetbot } from './fleetbot-process.ts';
import { heapFigures, percentile, rssMb } from './measure.ts';

const INCIDENTS = Number(process.env.BENCH_INCIDENTS ?? 10_000);
const SPREAD_MS = Number(process.env.BENCH_SPREAD_S ?? 60) * 1000;
const OVERDUE = Number(process.env.BENCH_OVERDUE ?? 1_000);
const BACKENDS = (process.env.BENCH_BACKENDS ?? 'postgres,redis').split(',') as Backend[];
const PARTS = new Set((process.env.BENCH_PARTS ?? 'timers,restart').split(','));
const LEAD_MS = Number(process.env.BENCH_LEAD_S ?? 20 + (2 * INCIDENTS) / 1000) * 1000;
const SETTLE_MS = Number(process.env.BENCH_SETTLE_S ?? 30) * 1000;
const DRAIN_LIMIT_MS = Number(process.env.BENCH_DRAIN_LIMIT_S ?? 120) * 1000;
/** How long (2) waits for the overdue steps after the spawn, and for the worker's readiness. */
const RESTART_LIMIT_MS = 180_000;
/** Diagnosis: pg_stat_statements on the bench's server, the statements that took most time per run. */
const PG_STATS = process.env.BENCH_PG_STATS === '1';
/** Jobs queued at once while preparing (adds to the PostgreSQL queue are batched when concurrent). */
const ENQUEUERS = 50;
/** A timer planned less than this before its deadline would not be the worker's: the run stops. */
const PLAN_MARGIN_MS = 5_000;
/** Steps this late are marked "late by" (LATE_AFTER_MS in src/services/escalations.ts). */
const MARKED_LATE_AFTER_MS = 5_000;
const SAMPLE_EVERY_MS = 250;

const ALERTS_CHANNEL = 'C0000ALERTS';
const ONCALL = 'U0000ONCALL';
const RESPONSE_TIME = '10m';
// P2 pages `oncall`; its deadlines add `teamLead` (escalation.unacknowledged), who has nobody here.
// Its duration rules (30m, 1h, 2h after the page) stay 20 min or more past the deadline.
const CONFIG = [
  'channels:',
  `  alerts: ${ALERTS_CHANNEL}`,
  'severities:',
  '  P2:',
  `    responseTime: ${RESPONSE_TIME}`,
  'roles:',
  '  oncall:',
  '    slack:',
  `      users: [${ONCALL}]`,
  'maintenance:',
  '  holdPaging: []',
  '',
].join('\n');
const SLACK_TOKEN = 'xoxb-0000000000-0000000000000-fakefakefakefakefakefake';
const STEP = 'deadline.1';

const log = (line: string) => process.stderr.write(`${line}\n`);
const logger = createLogger({ level: 'warn' });

// ---------------------------------------------------------------------------------------------
// State put in place before the worker starts

/** The bench's fleetbot.yml as fleetbot loads it, with this store's URLs. */
function benchConfig(store: FleetbotStore): Config {
  return loadConfig({
    file: configFile,
    env: {
      DATABASE_URL: store.databaseUrl,
      ...(store.redisUrl ? { REDIS_URL: store.redisUrl } : {}),
      SLACK_BOT_TOKEN: SLACK_TOKEN,
      SLACK_API_URL: slack.url,
    },
  });
}

/**
 * `count` open P2 incidents, numbered 1…count, the policy frozen: opened at `dueAt(n)` − the response
 * time (10 min), so that `deadline.1` is due at `dueAt(n)`, with what fleetbot did meanwhile done and
 * on the timeline (the page at open, the initial-assessment nudge at 5 min; the next phase nudge
 * comes at 30 min). Their messages are posted and recorded as delivered, as the publisher leaves them.
 */
async function openIncidents(
  pool: pg.Pool,
  config: Config,
  count: number,
  dueAt: (n: number) => number,
): Promise<void> {
  const policy = policyFor(config, 'P2');
  const opened = (n: number) => new Date(dueAt(n) - policy.responseTimeMs);
  const CHUNK = 1_000;
  for (let first = 1; first <= count; first += CHUNK) {
    const numbers = Array.from({ length: Math.min(CHUNK, count - first + 1) }, (_, k) => first + k);
    await pool.query(
      `INSERT INTO incidents (id, title, severity, status, service, opened_at, opened_by, created_at, updated_at,
                              escalation_policy, escalation_run_id, escalation_done, escalation_due_at,
                              version, synced_version)
       SELECT r.n, 'Timer bench incident ' || r.n, 'P2', 'triggered', 'timer-svc-' || r.n, r.opened, 'bench',
              r.opened, r.opened, $2::jsonb, gen_random_uuid(), '{page,nudge.assessment}', r.due, 1, 1
         FROM jsonb_to_recordset($1::jsonb) AS r(n int, opened timestamptz, due timestamptz)`,
      [
        JSON.stringify(numbers.map((n) => ({ n, opened: opened(n), due: new Date(dueAt(n)) }))),
        JSON.stringify(policy),
      ],
    );
    await pool.query(
      `INSERT INTO timeline_events (incident_id, at, kind, actor, details)
       SELECT id, opened_at, 'escalated', 'fleetbot',
              jsonb_build_object('step', 'page', 'roles', '["oncall"]'::jsonb, 'people', $2::jsonb,
                                 'dueAt', to_jsonb(opened_at),
                                 'text', 'Paged On-Call Engineer: P2 incident opened')
         FROM incidents WHERE id = ANY($1::bigint[])
       UNION ALL
       SELECT id, opened_at + make_interval(secs => $3::float8 / 1000), 'note', 'fleetbot',
              jsonb_build_object('step', 'nudge.assessment', 'text', 'Initial assessment ran over its target (5 min)')
         FROM incidents WHERE id = ANY($1::bigint[])`,
      [numbers, JSON.stringify([ONCALL]), config.escalation.phases.assessment],
    );
  }
  await pool.query(`SELECT setval('incidents_id_seq', $1)`, [count]);
  await postIncidentMessages(pool, config, count);
}

/**
 * Each incident's message in the alerts channel, posted to the fake Slack (its edits need a ts Slack
 * knows), and its summary in the thread, rendered as the publisher renders it (unchanged by a
 * deadline, so never edited): both recorded as delivered under the publisher's keys.
 */
async function postIncidentMessages(pool: pg.Pool, config: Config, count: number): Promise<void> {
  const client = new WebClient(SLACK_TOKEN, { slackApiUrl: slack.url, retryConfig: { retries: 0 } });
  const { rows } = await pool.query<{ id: string }>('SELECT id FROM incidents ORDER BY id');
  const posted = new Map<number, string>();
  let next = 0;
  await Promise.all(
    Array.from({ length: 20 }, async () => {
      while (next < rows.length) {
        const n = Number(rows[next++]?.id);
        const answer = await client.chat.postMessage({
          channel: ALERTS_CHANNEL,
          text: `P2 · ${incidentMessageKey(n)} · timer bench incident`,
        });
        posted.set(n, String(answer.ts));
      }
    }),
  );
  // The incidents as the publisher reads them, for their summaries.
  const incidents = await new PgIncidentStore({ pool }).list({ includeResolved: false, limit: count });
  const messages = incidents.flatMap((incident) => {
    const key = incidentMessageKey(incident.number);
    return [
      {
        key,
        target: { channel: ALERTS_CHANNEL },
        content: { text: `P2 · ${key} · timer bench incident` },
        ts: posted.get(incident.number),
        sent: incident.openedAt,
      },
      {
        key: `${key}.summary`,
        target: { channel: ALERTS_CHANNEL, threadKey: key },
        content: renderIncidentSummary({
          incident,
          targets: phaseTargets(incident, config.escalation.phases),
        }),
        ts: `${Math.floor(incident.openedAt.getTime() / 1000)}.${String(incident.number).padStart(6, '0')}`,
        sent: incident.openedAt,
      },
    ];
  });
  for (let first = 0; first < messages.length; first += 1_000) {
    await pool.query(
      `INSERT INTO slack_messages (key, kind, target, content, version, delivered_version, status, ts, posted_channel,
                                   min_update_interval_ms, next_attempt_at, last_sent_at, created_at, delivered_at)
       SELECT r.key, 'post', r.target, r.content, 1, 1, 'delivered', r.ts, $2, $3, r.sent, r.sent, r.sent, r.sent
         FROM jsonb_to_recordset($1::jsonb) AS r(key text, target jsonb, content jsonb, ts text, sent timestamptz)`,
      [JSON.stringify(messages.slice(first, first + 1_000)), ALERTS_CHANNEL, INCIDENT_UPDATE_INTERVAL_MS],
    );
  }
}

interface Planned {
  firstDueAt: number;
  /** When incident n's deadline is due (epoch ms). */
  dueAt: (n: number) => number;
  planMs: number;
  /** The least time any timer had left when its job was queued. */
  minimumLeadMs: number;
}

/**
 * (1)'s state: the incidents, then each one's `escalation.check` job queued through the product's
 * queue layer (`composeServices` in this process), as `Escalations` queues it at open: the same id
 * (incident, run, due time), data and delay. Earliest first.
 */
async function prepareTimers(store: FleetbotStore, planned: Planned): Promise<void> {
  const config = benchConfig(store);
  const dataDir = await mkdtemp(join(tmpdir(), 'fleetbot-bench-timers-'));
  const database = await openDatabase({ databaseUrl: store.databaseUrl, dataDir, logger });
  try {
    await migrate(database.pool, logger);
    if (PG_STATS) await database.pool.query('CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    const began = Date.now();
    planned.firstDueAt = began + LEAD_MS;
    const dueAt = (n: number) => planned.firstDueAt + Math.floor(((n - 1) * SPREAD_MS) / INCIDENTS);
    planned.dueAt = dueAt;
    await openIncidents(database.pool, config, INCIDENTS, dueAt);
    log(
      `  ${INCIDENTS} incidents and their messages in place after ${((Date.now() - began) / 1000).toFixed(1)} s`,
    );
    const services = await composeServices(config, database, { logger, clock: systemClock });
    try {
      // The product's evaluator agrees: the next thing each incident waits for is deadline.1, then.
      const incidents = services.incidents.store;
      for (let n = 1; n <= INCIDENTS; n += Math.max(1, Math.floor(INCIDENTS / 50))) {
        const view = await incidents.view(n);
        const next =
          view && (await services.incidents.escalations.next(view.incident, view.escalation, new Date()));
        if (next?.at.getTime() !== dueAt(n) || !next.roles.includes('oncall')) {
          throw new Error(
            `incident ${n} waits for ${JSON.stringify(next)}, not deadline.1 at ${new Date(dueAt(n)).toISOString()}`,
          );
        }
      }
      const { rows } = await database.pool.query<{ id: string; run: string }>(
        'SELECT id, escalation_run_id AS run FROM incidents ORDER BY id',
      );
      let next = 0;
      planned.minimumLeadMs = Number.POSITIVE_INFINITY;
      await Promise.all(
        Array.from({ length: ENQUEUERS }, async () => {
          while (next < rows.length) {
            const row = rows[next++];
            const n = Number(row?.id);
            const due = dueAt(n);
            const left = due - Date.now();
            if (left < PLAN_MARGIN_MS) {
              throw new Error(
                `queueing is too slow: incident ${n} had ${left} ms left before its deadline; raise BENCH_LEAD_S (now ${LEAD_MS / 1000})`,
              );
            }
            planned.minimumLeadMs = Math.min(planned.minimumLeadMs, left);
            const runId = String(row?.run);
            await services.queue.enqueue(
              'escalation.check',
              { number: n, runId, dueAt: new Date(due).toISOString() },
              { jobId: jobId('escalation', n, runId, due), delayMs: left },
            );
          }
        }),
      );
    } finally {
      await services.queue.close();
    }
    planned.planMs = Date.now() - began;
    log(
      `  ${INCIDENTS} timers queued ${(planned.planMs / 1000).toFixed(1)} s after preparing began; the closest had ${(planned.minimumLeadMs / 1000).toFixed(1)} s left`,
    );
  } finally {
    await database.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/**
 * (2)'s state: incidents whose deadline passed 10–20 s before the worker starts (preparing takes a
 * second or two: the spread is placed from its start, the report gives the overdue times at the
 * spawn), with the timer stored on the row and no job queued, as after a flushed queue store.
 */
async function prepareOverdue(store: FleetbotStore, planned: { dueFrom: number }): Promise<void> {
  const config = benchConfig(store);
  const dataDir = await mkdtemp(join(tmpdir(), 'fleetbot-bench-timers-'));
  const database = await openDatabase({ databaseUrl: store.databaseUrl, dataDir, logger });
  try {
    await migrate(database.pool, logger);
    planned.dueFrom = Date.now() - 19_000;
    const dueAt = (n: number) => planned.dueFrom + Math.floor(((n - 1) * 10_000) / OVERDUE);
    await openIncidents(database.pool, config, OVERDUE, dueAt);
  } finally {
    await database.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------------
// What the worker did

interface StepFigures {
  recorded: number;
  incidents: number;
  twice: number;
  early: number;
  markedLate: number;
  lateness: number[];
  firstAt: number;
  lastAt: number;
}

async function stepFigures(db: pg.Pool): Promise<StepFigures> {
  const { rows } = await db.query<{ incident_id: string; at: Date; due: string; text: string }>(
    `SELECT incident_id, at, details->>'dueAt' AS due, details->>'text' AS text
       FROM timeline_events WHERE kind = 'escalated' AND details->>'step' = $1`,
    [STEP],
  );
  const lateness = rows.map((row) => row.at.getTime() - Date.parse(row.due));
  const ats = rows.map((row) => row.at.getTime());
  return {
    recorded: rows.length,
    incidents: new Set(rows.map((row) => row.incident_id)).size,
    twice: rows.length - new Set(rows.map((row) => row.incident_id)).size,
    early: lateness.filter((ms) => ms < 0).length,
    markedLate: rows.filter((row) => row.text.includes('late by')).length,
    lateness,
    firstAt: Math.min(...ats),
    lastAt: Math.max(...ats),
  };
}

/** Steps recorded so far: incidents with `deadline.1` done (set in the transaction that records it). */
async function recordedCount(db: pg.Pool): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM incidents WHERE escalation_done @> ARRAY[$1]',
    [STEP],
  );
  return rows[0]?.n ?? 0;
}

/** Messages still to go out, and incidents whose message does not show their latest change yet. */
async function backlog(db: pg.Pool): Promise<{ pending: number; unsynced: number }> {
  const { rows } = await db.query<{ pending: number; unsynced: number }>(
    `SELECT (SELECT count(*)::int FROM slack_messages WHERE status = 'pending') AS pending,
            (SELECT count(*)::int FROM incidents WHERE synced_version < version) AS unsynced`,
  );
  return rows[0] ?? { pending: Number.NaN, unsynced: Number.NaN };
}

/** Jobs the worker ran, from its /metrics: per job name, how many and their mean and total time. */
async function jobTimes(bot: Fleetbot): Promise<string> {
  const text = await (await fetch(`${bot.origin}/metrics`)).text();
  const read = (suffix: string) => {
    const values = new Map<string, number>();
    const pattern = new RegExp(
      `^fleetbot_job_duration_seconds_${suffix}\\{[^}]*job="([^"]+)"[^}]*\\} (\\S+)$`,
      'gm',
    );
    for (const match of text.matchAll(pattern)) {
      const job = match[1] ?? '?';
      values.set(job, (values.get(job) ?? 0) + Number(match[2]));
    }
    return values;
  };
  const sums = read('sum');
  const counts = read('count');
  return [...sums]
    .sort(([, a], [, b]) => b - a)
    .map(([job, sum]) => {
      const count = counts.get(job) ?? 0;
      return `${job} ×${count}, mean ${((sum / Math.max(1, count)) * 1000).toFixed(0)} ms, total ${sum.toFixed(0)} s`;
    })
    .join('; ');
}

/** Error lines the worker logged, the first few, shortened. */
function errorLines(bot: Fleetbot): string[] {
  return logLines(bot)
    .filter((line) => line.level === 'error' || line.level === 'fatal')
    .slice(0, 3)
    .map((line) => JSON.stringify(line).slice(0, 600));
}

/** escalation.check outcomes from the worker's /metrics: completed, delayed (ran early, put back), … */
async function checkOutcomes(bot: Fleetbot): Promise<Record<string, number>> {
  const text = await (await fetch(`${bot.origin}/metrics`)).text();
  const outcomes: Record<string, number> = {};
  for (const match of text.matchAll(
    /^fleetbot_jobs_processed_total\{([^}]*job="escalation\.check"[^}]*)\} (\S+)$/gm,
  )) {
    const outcome = /outcome="([^"]+)"/.exec(match[1] ?? '')?.[1] ?? '?';
    outcomes[outcome] = Number(match[2]);
  }
  return outcomes;
}

/** The statements that took the most time in this database since the last reset (BENCH_PG_STATS=1). */
async function topStatements(db: pg.Pool): Promise<string[]> {
  const { rows } = await db.query<{ calls: string; total: number; mean: number; query: string }>(
    `SELECT calls, total_exec_time AS total, mean_exec_time AS mean,
            left(regexp_replace(query, '\\s+', ' ', 'g'), 140) AS query
       FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
      ORDER BY total_exec_time DESC LIMIT 15`,
  );
  return rows.map(
    (row) =>
      `${String(Math.round(row.total)).padStart(7)} ms ${String(row.calls).padStart(7)} calls ${row.mean.toFixed(2).padStart(7)} ms  ${row.query}`,
  );
}

/** The worker's log lines (JSON). */
function logLines(bot: Fleetbot): { level: string; time: string; msg: string }[] {
  return bot
    .output()
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line));
}

/** Warnings and errors the worker logged, by message. */
function logged(bot: Fleetbot): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const line of logLines(bot)) {
    if (!['warn', 'error', 'fatal'].includes(line.level)) continue;
    counts[line.msg] = (counts[line.msg] ?? 0) + 1;
  }
  return counts;
}

/** When the worker first logged `msg` (epoch ms): "workers started", then "fleetbot started". */
function loggedAt(bot: Fleetbot, msg: string): number {
  const line = logLines(bot).find((entry) => entry.msg === msg);
  return line ? Date.parse(line.time) : Number.NaN;
}

interface SlackFigures {
  dms: number;
  threadReplies: number;
  edits: number;
  other: number;
  failed: number;
}

function slackFigures(): SlackFigures {
  const figures: SlackFigures = { dms: 0, threadReplies: 0, edits: 0, other: 0, failed: 0 };
  for (const call of slack.calls) {
    if (call.status !== 200 || call.response.ok !== true) figures.failed++;
    if (call.method === 'chat.postMessage' && call.args.channel === ONCALL) figures.dms++;
    else if (call.method === 'chat.postMessage' && call.args.thread_ts) figures.threadReplies++;
    else if (call.method === 'chat.update') figures.edits++;
    else figures.other++;
  }
  return figures;
}

/** VmRSS samples of a process every SAMPLE_EVERY_MS, with their times. */
function sampleRss(pid: number) {
  const samples: { at: number; mb: number }[] = [];
  const take = () => {
    try {
      samples.push({ at: Date.now(), mb: rssMb(pid) });
    } catch {
      // exited
    }
  };
  take();
  const timer = setInterval(take, SAMPLE_EVERY_MS);
  return {
    samples,
    stop: () => clearInterval(timer),
    peak: (from = 0, to = Number.POSITIVE_INFINITY) =>
      Math.max(...samples.filter((s) => s.at >= from && s.at <= to).map((s) => s.mb)),
  };
}

async function waitUntil(limitAt: number, done: () => Promise<boolean>): Promise<boolean> {
  for (;;) {
    if (await done()) return true;
    if (Date.now() > limitAt) return false;
    await sleep(500);
  }
}

const start = (backend: Backend, prepare: (store: FleetbotStore) => Promise<void>) =>
  startFleetbot({
    backend,
    command: 'worker',
    serverUrl,
    config: CONFIG,
    prepare,
    env: {
      SLACK_BOT_TOKEN: SLACK_TOKEN,
      SLACK_API_URL: slack.url,
      LOG_LEVEL: 'info',
      ...(process.env.BENCH_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_NODE_OPTIONS } : {}),
    },
    readyTimeoutMs: RESTART_LIMIT_MS,
  });

// ---------------------------------------------------------------------------------------------
// (1) 10,000 timers

interface TimersRow {
  backend: Backend;
  planned: Planned;
  readyBeforeFirstMs: number;
  steps: StepFigures;
  /** After the last deadline was due: every step recorded / every ping out / every message up to date. */
  allRecordedMs: number;
  deliveredMs: number;
  syncedMs: number;
  /** Steps not recorded within BENCH_DRAIN_LIMIT_S after the last due time; their lateness is at least the wait. */
  missing: number;
  /** Lateness of every step, the missing ones counted as late as the wait for them (so p99 is a lower bound then). */
  lateness: number[];
  /** What was left to do when the bench stopped waiting. */
  left: { pending: number; unsynced: number };
  statements: string[];
  rss: { idle: number; peak: number; settled: number };
  /** V8's heap when the bench stopped waiting for the steps, and at the end. */
  heap: { busy: string; after: string };
  slack: SlackFigures;
  checks: Record<string, number>;
  /** Jobs run by the worker: count, mean and total time per job name. */
  jobs: string;
  logged: Record<string, number>;
  cpu: CpuUsage;
}

async function timers(backend: Backend): Promise<TimersRow> {
  log(
    `(1) ${backend}: ${INCIDENTS} timers over ${SPREAD_MS / 1000} s, the first ${LEAD_MS / 1000} s after planning starts`,
  );
  slack.clearCalls();
  const planned: Planned = { firstDueAt: 0, dueAt: () => Number.NaN, planMs: 0, minimumLeadMs: 0 };
  const bot = await start(backend, (store) => prepareTimers(store, planned));
  try {
    slack.clearCalls();
    const rss = sampleRss(bot.pid);
    const readyBeforeFirstMs = planned.firstDueAt - bot.readyAt;
    log(`  worker ready ${(readyBeforeFirstMs / 1000).toFixed(1)} s before the first deadline`);
    await sleep(Math.max(0, planned.firstDueAt - Date.now()));
    const idle = rss.peak(planned.firstDueAt - 2_000, planned.firstDueAt);
    if (PG_STATS) await bot.db.query('SELECT pg_stat_statements_reset()');
    const cpu = startCpuWindow([bot.pid]);
    const lastDueAt = planned.firstDueAt + SPREAD_MS;
    const limitAt = lastDueAt + DRAIN_LIMIT_MS;
    let progressAt = 0;
    const allRecorded = await waitUntil(limitAt, async () => {
      const n = await recordedCount(bot.db);
      if (Date.now() - progressAt > 10_000) {
        progressAt = Date.now();
        log(`  ${n} of ${INCIDENTS} recorded, ${((Date.now() - planned.firstDueAt) / 1000).toFixed(0)} s in`);
      }
      return n >= INCIDENTS;
    });
    const usage = cpu.stop();
    const stoppedWaitingAt = Date.now();
    const heapBusy = await heapFigures(bot.port);
    const statements = PG_STATS ? await topStatements(bot.db) : [];
    const steps = await stepFigures(bot.db);
    const allRecordedMs = allRecorded ? steps.lastAt - lastDueAt : Number.NaN;
    const unrecorded = await bot.db.query<{ id: string }>(
      `SELECT id FROM incidents WHERE id NOT IN (
         SELECT incident_id FROM timeline_events WHERE kind = 'escalated' AND details->>'step' = $1)`,
      [STEP],
    );
    const lateness = [
      ...steps.lateness,
      ...unrecorded.rows.map((row) => stoppedWaitingAt - planned.dueAt(Number(row.id))),
    ];
    let deliveredAt = Number.NaN;
    let syncedAt = Number.NaN;
    let left = { pending: Number.NaN, unsynced: Number.NaN };
    await waitUntil(limitAt, async () => {
      left = await backlog(bot.db);
      if (left.pending === 0 && Number.isNaN(deliveredAt)) deliveredAt = Date.now();
      if (left.unsynced === 0 && Number.isNaN(syncedAt)) syncedAt = Date.now();
      return left.pending === 0 && left.unsynced === 0;
    });
    const drainedAt = Date.now();
    log(
      `  ${left.pending === 0 && left.unsynced === 0 ? 'drained' : `stopped waiting: ${JSON.stringify(left)}`}; quiet for ${SETTLE_MS / 1000} s for the settled RSS`,
    );
    await sleep(SETTLE_MS);
    rss.stop();
    const settledSamples = rss.samples.filter((s) => s.at > Date.now() - 5_000).map((s) => s.mb);
    const row: TimersRow = {
      backend,
      planned,
      readyBeforeFirstMs,
      steps,
      allRecordedMs,
      deliveredMs: deliveredAt - lastDueAt,
      syncedMs: syncedAt - lastDueAt,
      missing: unrecorded.rows.length,
      lateness,
      left,
      statements,
      rss: {
        idle,
        peak: rss.peak(planned.firstDueAt, drainedAt),
        settled: percentile(settledSamples, 0.5),
      },
      heap: { busy: heapBusy, after: await heapFigures(bot.port) },
      slack: slackFigures(),
      checks: await checkOutcomes(bot),
      jobs: await jobTimes(bot),
      logged: logged(bot),
      cpu: usage,
    };
    log(
      `  ${backend}: ${steps.recorded} recorded (${steps.incidents} incidents, ${row.missing} missing), lateness p50 ${percentile(lateness, 0.5)} ms, p99 ${percentile(lateness, 0.99)} ms, max ${Math.max(...lateness)} ms; early ${steps.early}, twice ${steps.twice}, marked late ${steps.markedLate}; ` +
        `RSS idle ${idle.toFixed(0)} / peak ${row.rss.peak.toFixed(0)} / settled ${row.rss.settled.toFixed(0)} MB; Slack ${JSON.stringify(row.slack)}; checks ${JSON.stringify(row.checks)}; logged ${JSON.stringify(row.logged)} · ${formatCpu(usage)}`,
    );
    log(`  jobs: ${row.jobs}`);
    log(`  V8: ${row.heap.busy} when the steps were waited for; ${row.heap.after} at the end`);
    for (const line of errorLines(bot)) log(`  worker: ${line}`);
    for (const line of statements) log(`    ${line}`);
    return row;
  } finally {
    await bot.stop();
  }
}

// ---------------------------------------------------------------------------------------------
// (2) a restart with overdue timers

interface RestartRow {
  backend: Backend;
  steps: StepFigures;
  /** From the spawn of the process, and from its "fleetbot started" line, until the last step was recorded. */
  fromSpawnMs: number;
  fromStartedMs: number;
  readyMs: number;
  /** From "workers started" to "fleetbot started": the start-up reconciliation, mostly. */
  reconcileMs: number;
  overdueAtSpawn: { least: number; most: number };
  checks: Record<string, number>;
  /** Jobs run by the worker: count, mean and total time per job name. */
  jobs: string;
  logged: Record<string, number>;
  cpu: CpuUsage;
}

async function restart(backend: Backend): Promise<RestartRow> {
  log(`(2) ${backend}: ${OVERDUE} timers 10–20 s overdue, no job queued; fleetbot worker starts`);
  const planned = { dueFrom: 0 };
  let cpu: CpuWindow | undefined;
  // The window opens before the spawn; the worker's pid is known when it closes.
  const workerPids: number[] = [];
  const bot = await start(backend, async (store) => {
    await prepareOverdue(store, planned);
    cpu = startCpuWindow(workerPids);
  });
  workerPids.push(bot.pid);
  try {
    const done = await waitUntil(
      bot.spawnedAt + RESTART_LIMIT_MS,
      async () => (await recordedCount(bot.db)) >= OVERDUE,
    );
    const usage = cpu?.stop() ?? startCpuWindow().stop();
    const steps = await stepFigures(bot.db);
    const row: RestartRow = {
      backend,
      steps,
      fromSpawnMs: done ? steps.lastAt - bot.spawnedAt : Number.NaN,
      fromStartedMs: done ? steps.lastAt - loggedAt(bot, 'fleetbot started') : Number.NaN,
      readyMs: bot.readyAt - bot.spawnedAt,
      reconcileMs: loggedAt(bot, 'fleetbot started') - loggedAt(bot, 'workers started'),
      overdueAtSpawn: {
        least: bot.spawnedAt - (planned.dueFrom + 10_000),
        most: bot.spawnedAt - planned.dueFrom,
      },
      checks: await checkOutcomes(bot),
      jobs: await jobTimes(bot),
      logged: logged(bot),
      cpu: usage,
    };
    log(
      `  ${backend}: ${steps.recorded} recorded (${steps.incidents} incidents), all by ${row.fromSpawnMs} ms after the spawn, ${row.fromStartedMs} ms after "fleetbot started" (ready at ${row.readyMs} ms; workers started → fleetbot started ${row.reconcileMs} ms); first at ${steps.firstAt - bot.spawnedAt} ms; marked late ${steps.markedLate}, twice ${steps.twice}; checks ${JSON.stringify(row.checks)}; logged ${JSON.stringify(row.logged)} · ${formatCpu(usage)}`,
    );
    log(`  jobs: ${row.jobs}`);
    for (const line of errorLines(bot)) log(`  worker: ${line}`);
    return row;
  } finally {
    await bot.stop();
  }
}

// ---------------------------------------------------------------------------------------------
// Report

const n = (value: number) => (Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : '—');
const s = (ms: number) => (Number.isFinite(ms) ? `${(ms / 1000).toFixed(1)} s` : 'not reached');
const mark = (ok: boolean) => (ok ? '✓' : '✗');
const backendName = (backend: Backend) => (backend === 'postgres' ? 'PostgreSQL queue' : 'Redis queue');
const cpuCell = (usage: CpuUsage) =>
  `load ${usage.loadAtStart.toFixed(2)}; others ${usage.others} %; fleetbot ${usage.ours.fleetbot ?? 0} %, postgres ${usage.ours.postgres ?? 0} %${usage.ours.redis ? `, redis ${usage.ours.redis} %` : ''}, bench ${usage.ours.bench ?? 0} %`;

function report(rows: { timers: TimersRow[]; restarts: RestartRow[] }) {
  console.log(
    `\nnode ${process.version} · ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'} · CPU in % of one core (the machine has ${cpus().length * 100} %), "others" = processes outside this bench\n`,
  );
  if (rows.timers.length) {
    console.log(
      `(1) ${n(INCIDENTS)} open P2 incidents, ${STEP} due evenly over ${SPREAD_MS / 1000} s, one \`fleetbot worker\`\n`,
    );
    console.log(
      `| queue | recorded (not within ${DRAIN_LIMIT_MS / 1000} s) | lateness p50 | p99 | max | early | twice | marked late (> ${MARKED_LATE_AFTER_MS / 1000} s) | all recorded / pings out / messages up to date, after the last due | worker RSS idle / peak / settled | CPU while the timers fired | target p99 ≤ 250 ms, never early, RSS ≤ 200 MB |`,
    );
    console.log('|---|---:|---:|---:|---:|---:|---:|---:|---|---|---|---|');
    for (const row of rows.timers) {
      const { steps } = row;
      // Missing steps count as late as the wait for them: the figures are then lower bounds.
      const atLeast = row.missing > 0 ? '≥ ' : '';
      const p99 = percentile(row.lateness, 0.99);
      console.log(
        `| ${backendName(row.backend)} | ${n(steps.recorded)} (${n(row.missing)}) | ${atLeast}${n(percentile(row.lateness, 0.5))} ms | ${atLeast}${n(p99)} ms | ${atLeast}${n(Math.max(...row.lateness))} ms | ${steps.early} | ${steps.twice} | ${n(steps.markedLate)} | ${s(row.allRecordedMs)} / ${s(row.deliveredMs)} / ${s(row.syncedMs)} | ${row.rss.idle.toFixed(0)} / ${row.rss.peak.toFixed(0)} / ${row.rss.settled.toFixed(0)} MB${row.left.pending || row.left.unsynced ? ' (still busy)' : ''} | ${cpuCell(row.cpu)} | p99 ${mark(p99 <= 250 && row.missing === 0)}, early ${mark(steps.early === 0)}, once ${mark(steps.twice === 0)}, RSS ${mark(row.rss.peak <= 200)} |`,
      );
    }
    console.log(
      '\n| queue | timers queued, after preparing began | worker ready before the first due | escalation.check jobs | Slack: DMs / thread replies / chat.update / other / failed | warnings logged by the worker |',
    );
    console.log('|---|---:|---:|---|---|---|');
    for (const row of rows.timers) {
      const f = row.slack;
      console.log(
        `| ${backendName(row.backend)} | ${s(row.planned.planMs)} | ${s(row.readyBeforeFirstMs)} | ${JSON.stringify(row.checks)} | ${n(f.dms)} / ${n(f.threadReplies)} / ${n(f.edits)} / ${n(f.other)} / ${n(f.failed)} | ${JSON.stringify(row.logged)} |`,
      );
    }
  }
  if (rows.restarts.length) {
    console.log(
      `\n(2) Restart: ${n(OVERDUE)} incidents whose ${STEP} passed 10–20 s before the worker started, no job queued\n`,
    );
    console.log(
      '| queue | overdue at the spawn | recorded (incidents) | all recorded after the spawn | after "fleetbot started" | ready (/readyz) after | "workers started" → "fleetbot started" | marked late | twice | escalation.check jobs | CPU | target all within 5 s of start |',
    );
    console.log('|---|---|---:|---:|---:|---:|---:|---:|---:|---|---|---|');
    for (const row of rows.restarts) {
      const { steps } = row;
      const ok = steps.incidents === OVERDUE && row.fromSpawnMs <= 5_000;
      console.log(
        `| ${backendName(row.backend)} | ${s(row.overdueAtSpawn.least)}–${s(row.overdueAtSpawn.most)} | ${n(steps.recorded)} (${n(steps.incidents)}) | ${s(row.fromSpawnMs)} | ${s(row.fromStartedMs)} | ${s(row.readyMs)} | ${s(row.reconcileMs)} | ${n(steps.markedLate)} ${mark(steps.markedLate === OVERDUE)} | ${steps.twice} ${mark(steps.twice === 0)} | ${JSON.stringify(row.checks)} | ${cpuCell(row.cpu)} | ${mark(ok)} |`,
      );
    }
  }
}

// ---------------------------------------------------------------------------------------------

const workDir = await mkdtemp(join(tmpdir(), 'fleetbot-bench-timers-'));
const configFile = join(workDir, 'fleetbot.yml');
await writeFile(configFile, CONFIG);
// A folder of its own: as root the server runs as `postgres`, which cannot enter workDir (0700).
const pgDir = await mkdtemp(join(tmpdir(), 'fleetbot-bench-timers-pg-'));
const postgres = new EmbeddedPostgres({ dataDir: pgDir, logger });
let serverUrl = await postgres.start();
if (PG_STATS) {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'`);
  await admin.end();
  await postgres.stop();
  serverUrl = await postgres.start();
}
const slack = await startFakeSlack();

log(
  `load average at start: ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
const results = { timers: [] as TimersRow[], restarts: [] as RestartRow[] };
try {
  for (const backend of BACKENDS) {
    if (PARTS.has('timers')) results.timers.push(await timers(backend));
    if (PARTS.has('restart')) results.restarts.push(await restart(backend));
  }
} finally {
  await slack.close();
  await postgres.stop();
  await rm(workDir, { recursive: true, force: true });
  await rm(pgDir, { recursive: true, force: true });
}
report(results);
