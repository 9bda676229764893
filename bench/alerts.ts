/**
 * npm run bench:alerts — alerts becoming incidents (issue 9), on both queue backends:
 * (a) durable intake: 20 senders, each with one request in flight (wrk, alert-requests.lua), single
 *     generic alerts and Alertmanager groups of 100. A 202 counts only once the alerts it
 *     acknowledged are found in alert_events at the end (lost = acknowledged but not stored).
 *     Taken with `fleetbot start` and again with `fleetbot web` alone (no worker in the process),
 *     which shows what the worker beside the intake costs it.
 * (b) a storm: 10,000 alerts over 50 fingerprints, each fingerprint sent again and again as a
 *     source re-sends a firing alert (same start, so stored once and counted as a repeat): incidents
 *     opened, Slack calls made, time until every alert is applied and no Slack message is pending.
 * (c) alert → its message posted: one alert at a time, each of a service of its own, from the
 *     moment the request is sent to the moment the fake Slack receives chat.postMessage.
 * (d) Prometheus Alertmanager beside it: its own ingest on /api/v2/alerts under the same load (a
 *     comparison, in memory and not durable), then Alertmanager delivering real webhooks to fleetbot.
 *
 * fleetbot runs as `fleetbot start` (HTTP and workers in one process) with the default grouping
 * (`alerts.groupWindow` 5m): every alert names a service of its own among 50 (`load-svc-7`), none of
 * them configured, so they group by that name and 50 fingerprints make 50 incidents. Severity P3
 * (no incident channels). Each measurement has a fresh database and, for the Redis queue, a fresh
 * redis-server; one embedded PostgreSQL 18 server (fsync on) serves them all.
 *
 * Knobs: BENCH_SECONDS (10) per intake run after a BENCH_WARM_UP_S (3) warm-up, BENCH_STORM_ALERTS
 * (10000), BENCH_STORM_STARTS=distinct (each storm alert with a start of its own: 10,000 rows),
 * BENCH_LATENCY_ALERTS (200), BENCH_LATENCY_GAP_MS (100), BENCH_AM_ALERTS (1000),
 * BENCH_BACKENDS (postgres,redis), BENCH_PARTS (a,b,c,d), BENCH_INTAKE_ROLES (start,web),
 * BENCH_DRAIN_LIMIT_S (120); FLEETBOT_CLI measures another entry point (dist/cli.js, another checkout).
 * Every figure carries the CPU its processes and everything else on the machine used meanwhile
 * ("others": another developer's tests); rerun one where others used much.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type pg from 'pg';
import { EmbeddedPostgres } from '../src/db/embedded-postgres.ts';
import { createLogger } from '../src/logging/logger.ts';
import { type RecordedCall, startFakeSlack } from '../test/support/fake-slack/index.ts';
import { type LoadResult, runLoad } from './alert-load.ts';
import { alertmanagerVersion, startAlertmanager } from './alertmanager.ts';
import { type CpuUsage, formatCpu, startCpuWindow } from './cpu-usage.ts';
import { type Backend, type Fleetbot, startFleetbot } from './fleetbot-process.ts';
import { percentile } from './measure.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const WARM_UP_S = Number(process.env.BENCH_WARM_UP_S ?? 3);
const SENDERS = 20;
const GROUP_SIZE = 100;
/** Services (and so incidents) the alerts of a run are spread over. */
const KINDS = 50;
const STORM_ALERTS = Number(process.env.BENCH_STORM_ALERTS ?? 10_000);
const STORM_DISTINCT = process.env.BENCH_STORM_STARTS === 'distinct';
const LATENCY_ALERTS = Number(process.env.BENCH_LATENCY_ALERTS ?? 200);
const LATENCY_GAP_MS = Number(process.env.BENCH_LATENCY_GAP_MS ?? 100);
const AM_ALERTS = Number(process.env.BENCH_AM_ALERTS ?? 1_000);
const DRAIN_LIMIT_MS = Number(process.env.BENCH_DRAIN_LIMIT_S ?? 120) * 1000;
const BACKENDS = (process.env.BENCH_BACKENDS ?? 'postgres,redis').split(',') as Backend[];
/** `start` as deployed; `web` alone shows what the intake does without the worker beside it. */
const INTAKE_ROLES = (process.env.BENCH_INTAKE_ROLES ?? 'start,web').split(',') as Role[];
const PARTS = new Set((process.env.BENCH_PARTS ?? 'a,b,c,d').split(','));
/** The incident message's edit pace (INCIDENT_UPDATE_INTERVAL_MS in src/services/incident-publisher.ts). */
const EDIT_INTERVAL_MS = 5_000;

const TOKEN = 'bench-alerts-token-0000';
const ALERTS_CHANNEL = 'C0000ALERTS';
const CONFIG = `channels:\n  alerts: ${ALERTS_CHANNEL}\n`;
const SLACK_TOKEN = 'xoxb-0000000000-0000000000000-fakefakefakefakefakefake';

const log = (line: string) => process.stderr.write(`${line}\n`);

// ---------------------------------------------------------------------------------------------
// Payloads (placeholders of alert-requests.lua: @REQ@ request id, @START@ distinct start, @K@ 0…49)

/** One generic alert; `req` labels it with its request so the check can find it. */
const genericSingle = JSON.stringify({
  title: 'Load alert @K@',
  severity: 'P3',
  service: 'load-svc-@K@',
  fingerprint: 'load-@K@',
  startsAt: '@START@',
  labels: { req: '@REQ@' },
});

/** An Alertmanager webhook (v4) of one group: 100 alerts with fingerprints 0…99 over the 50 services. */
function alertmanagerGroup(size: number): string {
  const alerts = Array.from({ length: size }, (_, i) => ({
    status: 'firing',
    labels: {
      alertname: 'LoadTest',
      service: `load-svc-${i % KINDS}`,
      instance: `i-${i}`,
      severity: 'warning',
      req: '@REQ@',
    },
    annotations: { summary: `Load alert ${i}` },
    startsAt: '@START@',
    endsAt: '0001-01-01T00:00:00Z',
    generatorURL: 'http://prometheus.example:9090/graph?g0.expr=up',
    fingerprint: i.toString(16).padStart(16, '0'),
  }));
  return JSON.stringify({
    receiver: 'fleetbot',
    status: 'firing',
    alerts,
    groupLabels: { alertname: 'LoadTest' },
    commonLabels: { alertname: 'LoadTest', severity: 'warning' },
    commonAnnotations: {},
    externalURL: 'http://alertmanager.example:9093',
    version: '4',
    groupKey: '{}:{alertname="LoadTest"}',
    truncatedAlerts: 0,
  });
}

/** Alerts as Prometheus posts them to Alertmanager's /api/v2/alerts: a list. */
function alertmanagerPostable(size: number): string {
  return JSON.stringify(
    Array.from({ length: size }, (_, i) => ({
      labels: {
        alertname: 'LoadTest',
        service: `load-svc-${(i + size) % KINDS}`,
        instance: size === 1 ? '@REQ@' : `@REQ@-${i}`,
        severity: 'warning',
      },
      annotations: { summary: 'Load alert' },
      startsAt: '@START@',
      generatorURL: 'http://prometheus.example:9090/graph?g0.expr=up',
    })),
  );
}

// ---------------------------------------------------------------------------------------------
// Checks against fleetbot's database

interface Progress {
  stored: number;
  unprocessed: number;
  pendingMessages: number;
  unsyncedIncidents: number;
}

async function progress(db: pg.Pool): Promise<Progress> {
  const { rows } = await db.query<Progress>(
    `SELECT (SELECT count(*)::int FROM alert_events) AS stored,
            (SELECT count(*)::int FROM alert_events WHERE processed_at IS NULL) AS unprocessed,
            (SELECT count(*)::int FROM slack_messages WHERE status = 'pending') AS "pendingMessages",
            (SELECT count(*)::int FROM incidents WHERE synced_version < version) AS "unsyncedIncidents"`,
  );
  const [row] = rows;
  if (!row) throw new Error('no progress row');
  return row;
}

/**
 * Waits until every stored alert is applied, every incident's message is recorded, and no Slack
 * message is pending (edits held back by the 5 s pace included). Returns performance.now() then.
 */
async function drained(bot: Fleetbot, limitMs = DRAIN_LIMIT_MS): Promise<{ at: number; left?: Progress }> {
  const deadline = performance.now() + limitMs;
  for (;;) {
    const now = await progress(bot.db);
    if (now.unprocessed === 0 && now.pendingMessages === 0 && now.unsyncedIncidents === 0) {
      return { at: performance.now() };
    }
    if (performance.now() > deadline) return { at: Number.NaN, left: now };
    await sleep(50);
  }
}

/**
 * Alerts acknowledged (202) but not in alert_events: each acknowledged request carried `perRequest`
 * alerts labelled with its id. `repeats` counts rows stored for more than one delivery: none is
 * expected, as every request's alerts have starts of their own (a repeat would hide an alert).
 */
async function lostAlerts(
  db: pg.Pool,
  acked: readonly string[],
  perRequest: number,
): Promise<{ lost: number; repeats: number }> {
  const { rows } = await db.query<{ req: string; n: number; repeats: number }>(
    `SELECT alert->'labels'->>'req' AS req, count(*)::int AS n, count(*) FILTER (WHERE deliveries > 1)::int AS repeats
       FROM alert_events GROUP BY 1`,
  );
  const stored = new Map(rows.map((row) => [row.req, row.n]));
  let lost = 0;
  for (const req of acked) lost += Math.max(0, perRequest - (stored.get(req) ?? 0));
  return { lost, repeats: rows.reduce((sum, row) => sum + row.repeats, 0) };
}

/** fleetbot's log lines at level error or worse. */
function errorsLogged(bot: Fleetbot): string[] {
  return bot
    .output()
    .split('\n')
    .filter((line) => /"level":(50|60)/.test(line));
}

// ---------------------------------------------------------------------------------------------
// Slack calls

interface SlackFigures {
  alertPosts: number;
  threadPosts: number;
  alertEdits: number;
  threadEdits: number;
  /** Shortest time between two sends (post or edit) of one message. */
  minGapMs: number;
  /** Most edits of one incident's messages (alert message and its thread) in any 5 s. */
  maxEditsPer5s: number;
  /** Edits that sent what the message already showed (text and blocks), alert message / thread. */
  unchangedAlertEdits: number;
  unchangedThreadEdits: number;
  /** Slack's published limits: chat.postMessage about 1 a second per channel, chat.update Tier 3 (50+ a minute). */
  busiestSecondPosts: number;
  busiestMinuteEdits: number;
  failed: number;
  other: string;
}

/** The most of `times` within any window of `windowMs`. */
function busiest(times: readonly number[], windowMs: number): number {
  const sorted = [...times].sort((a, b) => a - b);
  let most = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while ((sorted[i] ?? 0) - (sorted[j] ?? 0) >= windowMs) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

/** What a post or an edit shows: its text and blocks. */
function content(call: RecordedCall): string {
  return JSON.stringify([call.args.text ?? '', call.args.blocks ?? []]);
}

function slackFigures(calls: readonly RecordedCall[]): SlackFigures {
  const ok = (call: RecordedCall) => call.status === 200 && call.response.ok === true;
  const posts = calls.filter((call) => call.method === 'chat.postMessage' && ok(call));
  const alertPosts = posts.filter((call) => !call.args.thread_ts && call.args.channel === ALERTS_CHANNEL);
  const alertTs = new Set(alertPosts.map((call) => String(call.response.ts)));
  const edits = calls.filter((call) => call.method === 'chat.update' && ok(call));
  // Every send of a message, by its ts; and which incident (its alert message's ts) a message is of.
  const sends = new Map<string, number[]>();
  const incidentOf = new Map<string, string>();
  for (const post of posts) {
    const ts = String(post.response.ts);
    sends.set(ts, [post.at]);
    incidentOf.set(ts, post.args.thread_ts ? String(post.args.thread_ts) : ts);
  }
  const editsByIncident = new Map<string, number[]>();
  const shown = new Map(posts.map((post) => [String(post.response.ts), content(post)]));
  let unchangedAlertEdits = 0;
  let unchangedThreadEdits = 0;
  for (const edit of [...edits].sort((a, b) => a.at - b.at)) {
    const ts = String(edit.args.ts);
    if (shown.get(ts) === content(edit)) {
      if (alertTs.has(ts)) unchangedAlertEdits++;
      else unchangedThreadEdits++;
    }
    shown.set(ts, content(edit));
    sends.get(ts)?.push(edit.at);
    const incident = incidentOf.get(ts) ?? ts;
    editsByIncident.set(incident, [...(editsByIncident.get(incident) ?? []), edit.at]);
  }
  let minGapMs = Number.POSITIVE_INFINITY;
  for (const times of sends.values()) {
    times.sort((a, b) => a - b);
    for (let i = 1; i < times.length; i++)
      minGapMs = Math.min(minGapMs, (times[i] ?? 0) - (times[i - 1] ?? 0));
  }
  let maxEditsPer5s = 0;
  for (const times of editsByIncident.values()) {
    maxEditsPer5s = Math.max(maxEditsPer5s, busiest(times, EDIT_INTERVAL_MS));
  }
  const counted = new Set(['chat.postMessage', 'chat.update']);
  const other = new Map<string, number>();
  for (const call of calls) {
    if (!counted.has(call.method)) other.set(call.method, (other.get(call.method) ?? 0) + 1);
  }
  return {
    alertPosts: alertPosts.length,
    threadPosts: posts.length - alertPosts.length,
    alertEdits: edits.filter((call) => alertTs.has(String(call.args.ts))).length,
    threadEdits: edits.filter((call) => !alertTs.has(String(call.args.ts))).length,
    minGapMs,
    maxEditsPer5s,
    unchangedAlertEdits,
    unchangedThreadEdits,
    busiestSecondPosts: busiest(
      posts.filter((call) => call.args.channel === ALERTS_CHANNEL).map((call) => call.at),
      1_000,
    ),
    busiestMinuteEdits: busiest(
      edits.map((call) => call.at),
      60_000,
    ),
    failed: calls.filter((call) => counted.has(call.method) && !ok(call)).length,
    other: [...other].map(([method, n]) => `${method} ×${n}`).join(', ') || 'none',
  };
}

// ---------------------------------------------------------------------------------------------
// The parts

/** `start`: HTTP and workers in one process, as deployed; `web`: the HTTP side alone, no worker. */
type Role = 'start' | 'web';

interface IntakeRow {
  backend: Backend;
  role: Role;
  payload: string;
  load: LoadResult;
  perRequest: number;
  lost: number;
  at: Progress;
  cpu: CpuUsage;
  errors: number;
}

async function intake(backend: Backend, shape: 'single' | 'group', role: Role): Promise<IntakeRow> {
  const bot = await start(backend, role);
  try {
    const single = shape === 'single';
    const perRequest = single ? 1 : GROUP_SIZE;
    const common = {
      origin: bot.origin,
      path: single ? '/alerts/generic' : '/alerts/alertmanager',
      template: single ? genericSingle : alertmanagerGroup(GROUP_SIZE),
      senders: SENDERS,
      expectedStatus: 202,
      token: TOKEN,
      kinds: KINDS,
      workDir,
    };
    const warm = await runLoad({ ...common, run: 'warm', seconds: WARM_UP_S });
    const cpu = startCpuWindow([bot.pid]);
    const load = await runLoad({ ...common, run: 'load', seconds: SECONDS });
    const usage = cpu.stop();
    const at = await progress(bot.db);
    const { lost, repeats } = await lostAlerts(bot.db, [...warm.acked, ...load.acked], perRequest);
    const row: IntakeRow = {
      backend,
      role,
      payload: single ? 'single generic alert' : `Alertmanager group of ${GROUP_SIZE}`,
      load,
      perRequest,
      lost,
      at,
      cpu: usage,
      errors: errorsLogged(bot).length,
    };
    log(
      `(a) ${backend} ${role} ${row.payload}: ${durableRate(row)} alerts/s durable, p99 ${load.p99} ms, lost ${lost}, ` +
        `refused ${load.refused}, socket errors ${load.errors}, repeats ${repeats}; worker applied ${at.stored - at.unprocessed} of ${at.stored} · ${formatCpu(usage)}`,
    );
    if (load.complaints) log(`    first refusals:\n${load.complaints}`);
    for (const line of errorsLogged(bot).slice(0, 3)) log(`    fleetbot: ${line.slice(0, 400)}`);
    return row;
  } finally {
    await bot.stop();
  }
}

function durableRate(row: IntakeRow): number {
  return Math.round((row.load.acked.length * row.perRequest - row.lost) / row.load.seconds);
}

interface StormRow {
  backend: Backend;
  load: LoadResult;
  deliveries: number;
  rows: number;
  incidents: number;
  counted: number;
  slack: SlackFigures;
  sendMs: number;
  drainMs: number;
  afterLastMs: number;
  left: Progress | undefined;
  cpu: CpuUsage;
}

async function storm(backend: Backend): Promise<StormRow> {
  const bot = await start(backend);
  try {
    const startsAt = new Date(Date.now() - 60_000).toISOString();
    const template = JSON.stringify({
      title: 'Storm alert @K@',
      severity: 'P3',
      service: 'storm-svc-@K@',
      fingerprint: 'storm-@K@',
      startsAt: STORM_DISTINCT ? '@START@' : startsAt,
    });
    slack.clearCalls();
    const cpu = startCpuWindow([bot.pid]);
    const began = performance.now();
    const load = await runLoad({
      origin: bot.origin,
      path: '/alerts/generic',
      template,
      run: 'storm',
      senders: SENDERS,
      seconds: 600,
      requestsPerSender: Math.ceil(STORM_ALERTS / SENDERS),
      expectedStatus: 202,
      token: TOKEN,
      kinds: KINDS,
      workDir,
    });
    const sent = performance.now();
    const done = await drained(bot);
    const usage = cpu.stop();
    const { rows } = await bot.db.query<{
      deliveries: number;
      rows: number;
      incidents: number;
      counted: number;
    }>(
      `SELECT (SELECT coalesce(sum(deliveries), 0)::int FROM alert_events) AS deliveries,
              (SELECT count(*)::int FROM alert_events) AS rows,
              (SELECT count(*)::int FROM incidents) AS incidents,
              (SELECT coalesce(sum(alert_count + repeat_count), 0)::int FROM incidents) AS counted`,
    );
    const counts = rows[0] ?? { deliveries: 0, rows: 0, incidents: 0, counted: 0 };
    const row: StormRow = {
      backend,
      load,
      ...counts,
      slack: slackFigures(slack.calls),
      sendMs: sent - began,
      drainMs: done.at - began,
      afterLastMs: done.at - sent,
      left: done.left,
      cpu: usage,
    };
    log(
      `(b) ${backend}: ${load.acked.length} acknowledged in ${(row.sendMs / 1000).toFixed(1)} s (p99 ${load.p99} ms), ` +
        `${counts.rows} rows / ${counts.deliveries} deliveries, ${counts.incidents} incidents counting ${counts.counted}; ` +
        `Slack ${JSON.stringify(row.slack)}; drained ${(row.drainMs / 1000).toFixed(1)} s${done.left ? ` NOT drained: ${JSON.stringify(done.left)}` : ''} · ${formatCpu(usage)}`,
    );
    for (const line of errorsLogged(bot).slice(0, 3)) log(`    fleetbot: ${line.slice(0, 400)}`);
    return row;
  } finally {
    await bot.stop();
  }
}

interface LatencyRow {
  backend: Backend;
  latencies: number[];
  cpu: CpuUsage;
}

async function latency(backend: Backend): Promise<LatencyRow> {
  const bot = await start(backend);
  try {
    slack.clearCalls();
    const probe = async (label: string, i: number): Promise<number> => {
      // Zero-padded, so that no probe's name is the start of another's.
      const name = `probe-${label}-${String(i).padStart(5, '0')}`;
      const sentAt = Date.now();
      const response = await fetch(`${bot.origin}/alerts/generic`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          title: `Probe ${name}`,
          severity: 'P3',
          service: `${name}-svc`,
          fingerprint: name,
        }),
      });
      await response.arrayBuffer();
      if (response.status !== 202) throw new Error(`probe answered ${response.status}`);
      const posted = await slack.waitFor(
        'chat.postMessage',
        (call) => !call.args.thread_ts && String(call.args.text ?? '').includes(name),
        10_000,
      );
      return posted.at - sentAt;
    };
    for (let i = 0; i < 5; i++) await probe('warm', i);
    const cpu = startCpuWindow([bot.pid]);
    const latencies: number[] = [];
    for (let i = 0; i < LATENCY_ALERTS; i++) {
      const began = performance.now();
      latencies.push(await probe('m', i));
      await sleep(Math.max(0, LATENCY_GAP_MS - (performance.now() - began)));
    }
    const usage = cpu.stop();
    const row = { backend, latencies, cpu: usage };
    log(
      `(c) ${backend}: p50 ${percentile(latencies, 0.5)} ms, p99 ${percentile(latencies, 0.99)} ms, max ${Math.max(...latencies)} ms · ${formatCpu(usage)}`,
    );
    return row;
  } finally {
    await bot.stop();
  }
}

interface AlertmanagerIngestRow {
  payload: string;
  perRequest: number;
  load: LoadResult;
  cpu: CpuUsage;
}

async function alertmanagerIngest(shape: 'single' | 'group'): Promise<AlertmanagerIngestRow> {
  const am = await startAlertmanager(
    'route:\n  receiver: blackhole\n  group_by: [alertname]\nreceivers:\n  - name: blackhole\n',
  );
  try {
    const perRequest = shape === 'single' ? 1 : GROUP_SIZE;
    const common = {
      origin: am.origin,
      path: '/api/v2/alerts',
      template: alertmanagerPostable(perRequest),
      senders: SENDERS,
      expectedStatus: 200,
      kinds: KINDS,
      workDir,
    };
    await runLoad({ ...common, run: 'warm', seconds: WARM_UP_S });
    const cpu = startCpuWindow([]);
    const load = await runLoad({ ...common, run: 'load', seconds: SECONDS });
    const usage = cpu.stop();
    const row = {
      payload: shape === 'single' ? 'single alert' : `list of ${GROUP_SIZE} alerts`,
      perRequest,
      load,
      cpu: usage,
    };
    log(
      `(d) Alertmanager ingest, ${row.payload}: ${Math.round((load.acked.length * perRequest) / load.seconds)} alerts/s, p99 ${load.p99} ms · ${formatCpu(usage)}`,
    );
    return row;
  } finally {
    await am.stop();
  }
}

interface AlertmanagerDeliveryRow {
  backend: Backend;
  pushed: number;
  notifications: number;
  failedNotifications: number;
  stored: number;
  incidents: number;
  alertPosts: number;
  firstPostMs: number;
  lastPostMs: number;
  drainMs: number;
  cpu: CpuUsage;
}

async function alertmanagerDelivery(backend: Backend): Promise<AlertmanagerDeliveryRow> {
  const bot = await start(backend);
  try {
    const am = await startAlertmanager(
      [
        'route:',
        '  receiver: fleetbot',
        '  group_by: [alertname]',
        '  group_wait: 1s',
        '  group_interval: 1s',
        '  repeat_interval: 1h',
        'receivers:',
        '  - name: fleetbot',
        '    webhook_configs:',
        `      - url: ${bot.origin}/alerts/alertmanager`,
        '        http_config:',
        `          authorization: { credentials: ${TOKEN} }`,
        '',
      ].join('\n'),
    );
    try {
      slack.clearCalls();
      const services = new Set<string>();
      const cpu = startCpuWindow([bot.pid]);
      const pushedAt = Date.now();
      const began = performance.now();
      for (let first = 0; first < AM_ALERTS; first += GROUP_SIZE) {
        const batch = Array.from({ length: Math.min(GROUP_SIZE, AM_ALERTS - first) }, (_, k) => {
          const i = first + k;
          services.add(`am-svc-${i % KINDS}`);
          return {
            labels: {
              alertname: `BenchAlert${i % 10}`,
              service: `am-svc-${i % KINDS}`,
              instance: `i-${i}`,
              severity: 'warning',
            },
            annotations: { summary: `Alertmanager bench alert ${i}` },
            generatorURL: 'http://prometheus.example:9090/graph?g0.expr=up',
          };
        });
        const response = await fetch(`${am.origin}/api/v2/alerts`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(batch),
        });
        await response.arrayBuffer();
        if (response.status !== 200) throw new Error(`Alertmanager answered ${response.status}`);
      }
      // One incident per service (the default groupWindow groups a service's alerts).
      const expected = services.size;
      const deadline = Date.now() + 60_000;
      const alertPosts = () =>
        slack.calls.filter(
          (call) =>
            call.method === 'chat.postMessage' &&
            !call.args.thread_ts &&
            call.args.channel === ALERTS_CHANNEL,
        );
      while (alertPosts().length < expected && Date.now() < deadline) await sleep(50);
      const done = await drained(bot, 60_000);
      const usage = cpu.stop();
      const posts = alertPosts().map((call) => call.at - pushedAt);
      const { rows } = await bot.db.query<{ stored: number; incidents: number }>(
        `SELECT (SELECT count(*)::int FROM alert_events) AS stored, (SELECT count(*)::int FROM incidents) AS incidents`,
      );
      const row: AlertmanagerDeliveryRow = {
        backend,
        pushed: AM_ALERTS,
        notifications: await am.metric('alertmanager_notifications_total', 'integration="webhook"'),
        failedNotifications: await am.metric(
          'alertmanager_notifications_failed_total',
          'integration="webhook"',
        ),
        stored: rows[0]?.stored ?? 0,
        incidents: rows[0]?.incidents ?? 0,
        alertPosts: posts.length,
        firstPostMs: posts.length ? Math.min(...posts) : Number.NaN,
        lastPostMs: posts.length ? Math.max(...posts) : Number.NaN,
        drainMs: done.at - began,
        cpu: usage,
      };
      log(
        `(d) Alertmanager → fleetbot, ${backend}: ${JSON.stringify({ ...row, cpu: formatCpu(usage) })}${done.left ? ` NOT drained: ${JSON.stringify(done.left)}` : ''}`,
      );
      for (const line of errorsLogged(bot).slice(0, 3)) log(`    fleetbot: ${line.slice(0, 400)}`);
      if (row.failedNotifications > 0) log(am.output().slice(-2000));
      return row;
    } finally {
      await am.stop();
    }
  } finally {
    await bot.stop();
  }
}

// ---------------------------------------------------------------------------------------------
// Report

const n = (value: number) => (Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : '—');
const s = (ms: number) => (Number.isFinite(ms) ? `${(ms / 1000).toFixed(1)} s` : 'not drained');
const mark = (ok: boolean) => (ok ? '✓' : '✗');
const cpuCell = (usage: CpuUsage) =>
  `others ${usage.others} %; fleetbot ${usage.ours.fleetbot ?? 0} %, postgres ${usage.ours.postgres ?? 0} %${usage.ours.redis ? `, redis ${usage.ours.redis} %` : ''}${usage.ours.alertmanager ? `, alertmanager ${usage.ours.alertmanager} %` : ''}`;
const backendName = (backend: Backend) => (backend === 'postgres' ? 'PostgreSQL queue' : 'Redis queue');

function report(results: {
  intake: IntakeRow[];
  storms: StormRow[];
  latencies: LatencyRow[];
  amIngest: AlertmanagerIngestRow[];
  amDelivery: AlertmanagerDeliveryRow[];
  amMissing: string | undefined;
  amVersion: string | undefined;
}) {
  console.log(
    `\nnode ${process.version} · ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'} · ${SENDERS} senders · ${SECONDS} s per intake run after ${WARM_UP_S} s warm-up · CPU in % of one core (the machine has ${cpus().length * 100} %), "others" = processes outside this bench\n`,
  );
  if (results.intake.length) {
    console.log('(a) Durable intake\n');
    console.log(
      '| fleetbot | queue | per request | durable alerts/s | requests/s | p50 | p99 | acknowledged alerts | lost | refused / errors | applied by the worker at the end | CPU during the run | target ≥ 2,000/s, p99 ≤ 50 ms, 0 lost |',
    );
    console.log('|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|');
    for (const row of results.intake) {
      const rate = durableRate(row);
      const ok = rate >= 2000 && row.load.p99 <= 50 && row.lost === 0;
      console.log(
        `| ${row.role === 'start' ? '`start` (HTTP + worker)' : '`web` alone (no worker)'} | ${backendName(row.backend)} | ${row.payload} | ${n(rate)} | ${n(row.load.rps)} | ${row.load.p50} ms | ${row.load.p99} ms | ${n(row.load.acked.length * row.perRequest)} | ${row.lost} | ${row.load.refused} / ${row.load.errors} | ${n(row.at.stored - row.at.unprocessed)} of ${n(row.at.stored)} | ${cpuCell(row.cpu)} | ${mark(ok)} |`,
      );
    }
  }
  if (results.storms.length) {
    console.log(
      `\n(b) Storm: ${n(STORM_ALERTS)} alerts over ${KINDS} fingerprints (${KINDS} services), ${STORM_DISTINCT ? 'each with a start of its own' : 'each fingerprint re-sent with the same start'}, ${SENDERS} senders\n`,
    );
    console.log(
      '| queue | acknowledged (202) | sent in | 202 p99 | stored rows / deliveries | incidents (alerts + repeats counted) | drained: after the start / after the last 202 | CPU |',
    );
    console.log('|---|---:|---:|---:|---:|---:|---:|---|');
    for (const row of results.storms) {
      console.log(
        `| ${backendName(row.backend)} | ${n(row.load.acked.length)} | ${s(row.sendMs)} | ${row.load.p99} ms | ${n(row.rows)} / ${n(row.deliveries)} | ${row.incidents} (${n(row.counted)}) | ${s(row.drainMs)} / ${s(row.afterLastMs)} | ${cpuCell(row.cpu)} |`,
      );
    }
    console.log(
      '\n| queue | chat.postMessage: alert messages / thread replies | chat.update: alert messages / thread replies | shortest gap between two sends of one message | most edits of one incident (both messages) in 5 s | busiest second: posts to the channel | busiest minute: chat.update | target: 1 message per incident, ≤ 1 edit per incident per 5 s |',
    );
    console.log('|---|---:|---:|---:|---:|---:|---:|---|');
    for (const row of results.storms) {
      const { slack: f } = row;
      const oneMessage = f.alertPosts === row.incidents;
      const alertPace = f.minGapMs >= EDIT_INTERVAL_MS;
      console.log(
        `| ${backendName(row.backend)} | ${f.alertPosts} / ${f.threadPosts} | ${f.alertEdits} / ${f.threadEdits} | ${s(f.minGapMs)} | ${f.maxEditsPer5s} | ${f.busiestSecondPosts} | ${f.busiestMinuteEdits} | alert message once per incident ${mark(oneMessage)}, each message ≤ 1 edit per 5 s ${mark(alertPace)}, ≤ 1 edit per incident per 5 s ${mark(f.maxEditsPer5s <= 1)}${row.left ? ', not drained ✗' : ''} |`,
      );
    }
    const other = [...new Set(results.storms.map((row) => row.slack.other))].join('; ');
    const unchanged = results.storms.map(
      (row) => row.slack.unchangedAlertEdits + row.slack.unchangedThreadEdits,
    );
    console.log(
      `\nOther Slack calls during the storms: ${other}. Edits that changed nothing: ${unchanged.join(', ')}. Failed Slack calls: ${results.storms.map((row) => row.slack.failed).join(', ')}.`,
    );
  }
  if (results.latencies.length) {
    console.log(
      `\n(c) Alert → alert message posted: ${LATENCY_ALERTS} alerts one at a time, ≥ ${LATENCY_GAP_MS} ms apart, each a service of its own\n`,
    );
    console.log('| queue | p50 | p99 | max | CPU | target p99 < 200 ms |');
    console.log('|---|---:|---:|---:|---|---|');
    for (const row of results.latencies) {
      const p99 = percentile(row.latencies, 0.99);
      console.log(
        `| ${backendName(row.backend)} | ${percentile(row.latencies, 0.5)} ms | ${p99} ms | ${Math.max(...row.latencies)} ms | ${cpuCell(row.cpu)} | ${mark(p99 < 200)} |`,
      );
    }
  }
  if (results.amMissing) {
    console.log(`\n(d) Alertmanager: NOT RUN — ${results.amMissing}.`);
  }
  if (results.amIngest.length) {
    console.log(
      `\n(d) ${results.amVersion}: its own ingest on /api/v2/alerts, same load (in memory, not durable)\n`,
    );
    console.log('| payload | alerts/s | requests/s | p50 | p99 | refused / errors | CPU |');
    console.log('|---|---:|---:|---:|---:|---:|---|');
    for (const row of results.amIngest) {
      console.log(
        `| ${row.payload} | ${n((row.load.acked.length * row.perRequest) / row.load.seconds)} | ${n(row.load.rps)} | ${row.load.p50} ms | ${row.load.p99} ms | ${row.load.refused} / ${row.load.errors} | ${cpuCell(row.cpu)} |`,
      );
    }
  }
  if (results.amDelivery.length) {
    console.log(
      `\n(d) Alertmanager's webhooks to fleetbot: ${n(AM_ALERTS)} alerts pushed to Alertmanager (10 alertnames, ${KINDS} services), group_by [alertname], group_wait 1s\n`,
    );
    console.log(
      '| queue | webhooks sent (failed) | alerts stored | incidents | alert messages | push → first message | push → last message | drained | CPU |',
    );
    console.log('|---|---:|---:|---:|---:|---:|---:|---:|---|');
    for (const row of results.amDelivery) {
      console.log(
        `| ${backendName(row.backend)} | ${row.notifications} (${row.failedNotifications}) | ${n(row.stored)} | ${row.incidents} | ${row.alertPosts} | ${n(row.firstPostMs)} ms | ${n(row.lastPostMs)} ms | ${s(row.drainMs)} | ${cpuCell(row.cpu)} |`,
      );
    }
  }
}

// ---------------------------------------------------------------------------------------------

const logger = createLogger({ level: 'warn' });
const workDir = await mkdtemp(join(tmpdir(), 'fleetbot-bench-alerts-'));
// A folder of its own: as root the server runs as `postgres`, which cannot enter workDir (0700).
const pgDir = await mkdtemp(join(tmpdir(), 'fleetbot-bench-alerts-pg-'));
const postgres = new EmbeddedPostgres({ dataDir: pgDir, logger });
const serverUrl = await postgres.start();
const slack = await startFakeSlack();
const start = (backend: Backend, command: Role = 'start') =>
  startFleetbot({
    backend,
    command,
    serverUrl,
    config: CONFIG,
    env: {
      ALERTS_TOKEN: TOKEN,
      SLACK_BOT_TOKEN: SLACK_TOKEN,
      SLACK_SIGNING_SECRET: '00000000fakefakefakefake00000000',
      SLACK_API_URL: slack.url,
    },
  });

log(
  `load average at start: ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
const results = {
  intake: [] as IntakeRow[],
  storms: [] as StormRow[],
  latencies: [] as LatencyRow[],
  amIngest: [] as AlertmanagerIngestRow[],
  amDelivery: [] as AlertmanagerDeliveryRow[],
  amMissing: undefined as string | undefined,
  amVersion: undefined as string | undefined,
};
try {
  if (PARTS.has('a')) {
    for (const role of INTAKE_ROLES) {
      for (const backend of BACKENDS) {
        for (const shape of ['single', 'group'] as const) {
          results.intake.push(await intake(backend, shape, role));
        }
      }
    }
  }
  if (PARTS.has('b')) for (const backend of BACKENDS) results.storms.push(await storm(backend));
  if (PARTS.has('c')) for (const backend of BACKENDS) results.latencies.push(await latency(backend));
  if (PARTS.has('d')) {
    const found = alertmanagerVersion();
    if ('missing' in found) {
      results.amMissing = found.missing;
    } else {
      results.amVersion = found.version;
      for (const shape of ['single', 'group'] as const)
        results.amIngest.push(await alertmanagerIngest(shape));
      for (const backend of BACKENDS) results.amDelivery.push(await alertmanagerDelivery(backend));
    }
  }
} finally {
  await slack.close();
  await postgres.stop();
  await rm(workDir, { recursive: true, force: true });
  await rm(pgDir, { recursive: true, force: true });
}
report(results);
