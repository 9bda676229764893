/**
 * bench:console — issue 13: the web console's page render time on a database of months of use,
 * 10,000 incidents and ~1,000,000 timeline events (test/support/console-seed.ts: ~100 events each,
 * one incident with 2,000), 10 clients in a closed loop, each request the whole page as a browser
 * gets it (a signed-in session cookie, the body read to the end). Target: p99 ≤ 50 ms for the list
 * (first page, filtered pages, a deep page) and the 2,000-event incident page.
 *
 * One `fleetbot web` (HTTP only) on embedded PostgreSQL, seeded before it starts (migrations, then
 * the seed, then VACUUM ANALYZE as an old database would be), the local OpenID Connect issuer
 * playing Sign in with Slack, and the fake Slack answering `auth.test` (fleetbot's workspace). One
 * sign-in by fetch as a member with `operate` (the audit log shows); every request reuses it.
 *
 * Each page is checked: HTTP 200 and what it should show (its rows, its incident, its events), so an
 * error page is counted as failed, never timed as a success. Server time per scenario is the mean of
 * fleetbot's own `fleetbot_http_request_duration_seconds` (route `/console/*`) over the measured
 * requests, from /metrics before and after.
 *
 *   npm run bench:console
 *
 * Knobs: BENCH_CONSOLE_INCIDENTS (10000), BENCH_CONSOLE_EVENTS_EACH (100), BENCH_CONSOLE_BIG_EVENTS
 * (2000), BENCH_CONSOLE_RUNS (5000), BENCH_CONSOLE_CLIENTS (10), BENCH_CONSOLE_REQUESTS (2000 per
 * scenario), BENCH_CONSOLE_WARM_UP (200), BENCH_CONSOLE_ONLY (scenario keys, comma-separated),
 * BENCH_CONSOLE_EXPLAIN=1 (prints EXPLAIN ANALYZE of the pages' queries), FLEETBOT_CLI, and
 * BENCH_CONSOLE_NODE_OPTIONS (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`, given to fleetbot),
 * BENCH_CONSOLE_RATE (50 pages/s; 0 skips the steady measurement), BENCH_CONSOLE_PACED_REQUESTS (1000).
 *
 * Two measurements per page: saturated (the closed loop above: how many pages/s the machine
 * serves, where latency is queueing) and at a steady rate well below that (what a person loading
 * the page waits while others use the console too).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { Agent, get } from 'node:http';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { PgConsoleReads } from '../src/db/console-reads.ts';
import { EmbeddedPostgres } from '../src/db/embedded-postgres.ts';
import { migrate } from '../src/db/migrate.ts';
import { freePort } from '../src/lib/free-port.ts';
import { createLogger } from '../src/logging/logger.ts';
import { openLoginForm } from '../test/support/console-client.ts';
import { seedConsole } from '../test/support/console-seed.ts';
import { startFakeSlack, TEAM } from '../test/support/fake-slack/index.ts';
import { LOGIN_FIELD, startOidcIssuer } from '../test/support/oidc-issuer.ts';
import { type CpuUsage, formatCpu, startCpuWindow } from './cpu-usage.ts';
import { startFleetbot } from './fleetbot-process.ts';
import { percentile, rssMb } from './measure.ts';

const env = process.env;
const INCIDENTS = Number(env.BENCH_CONSOLE_INCIDENTS ?? 10_000);
const EVENTS_EACH = Number(env.BENCH_CONSOLE_EVENTS_EACH ?? 100);
const BIG = { number: Math.ceil(INCIDENTS / 2), events: Number(env.BENCH_CONSOLE_BIG_EVENTS ?? 2_000) };
const RUNS = Number(env.BENCH_CONSOLE_RUNS ?? 5_000);
const CLIENTS = Number(env.BENCH_CONSOLE_CLIENTS ?? 10);
const REQUESTS = Number(env.BENCH_CONSOLE_REQUESTS ?? 2_000);
const WARM_UP = Number(env.BENCH_CONSOLE_WARM_UP ?? 200);
/** The steady rate (pages per second, open loop) of the second measurement, and its length. */
const RATE = Number(env.BENCH_CONSOLE_RATE ?? 50);
const PACED_REQUESTS = Number(env.BENCH_CONSOLE_PACED_REQUESTS ?? 1_000);
const ONLY = env.BENCH_CONSOLE_ONLY?.split(',').map((key) => key.trim());
const EXPLAIN = env.BENCH_CONSOLE_EXPLAIN === '1';
const TARGET_MS = 50;

const USER = 'U0000ONCALL';
const CLIENT_ID = '0000000000.0000000000001';
const CLIENT_SECRET = 'bench-client-secret-00000000000000';
const CONFIG = `roles:\n  oncall:\n    slack: { users: [${USER}] }\n`;

const logger = createLogger({ level: 'warn' });
const log = (line: string) => console.log(line);
const n = (value: number) => Math.round(value).toLocaleString('en-US');

// ---------------------------------------------------------------------------------------------
// Pages

/** One kind of request: its path, and what its page must show to count. */
interface Scenario {
  key: string;
  label: string;
  path: string;
  /** Whether the issue's target applies (the other lines are extra). */
  target: boolean;
  /** Why the body is not the page it should be, or undefined when it is. */
  check(body: string): string | undefined;
}

/** The incident numbers a list page shows, in order. */
function listed(body: string): number[] {
  return [...body.matchAll(/<tr>\n<td><a href="\/console\/incidents\/(\d+)">INC-\1<\/a>/g)].map((match) =>
    Number(match[1]),
  );
}

/**
 * A list page showing exactly the incidents it should: the newest 50 of the seeded numbers that
 * pass `fits`, newest first.
 */
function listCheck(fits: (number: number) => boolean, what: string) {
  const expected: number[] = [];
  for (let number = INCIDENTS; number >= 1 && expected.length < 50; number--) {
    if (fits(number)) expected.push(number);
  }
  return (body: string) => {
    const numbers = listed(body);
    if (numbers.length !== expected.length)
      return `${numbers.length} incidents listed, expected ${expected.length}`;
    const index = numbers.findIndex((number, at) => number !== expected[at]);
    return index < 0
      ? undefined
      : `INC-${numbers[index]} listed where INC-${expected[index]} (${what}) was expected`;
  };
}

/** `YYYY-MM-DD` of a UTC day. */
const day = (at: Date) => at.toISOString().slice(0, 10);

/**
 * The scenarios; `laterPath` is the 2,000-event incident's "Later events" link, read from its
 * first page. `seededAt` is the seed's `now` (incident n opened (INCIDENTS − n) × 5 min before it).
 */
function scenarios(seededAt: Date, laterPath: string): Scenario[] {
  const openedAt = (number: number) => seededAt.getTime() - (INCIDENTS - number) * 5 * 60_000;
  // A week in the middle of the table: from the day 20 days back to the day 14 days back, inclusive.
  const from = new Date(seededAt.getTime() - 20 * 86_400_000);
  const to = new Date(seededAt.getTime() - 14 * 86_400_000);
  const fromMs = Date.parse(`${day(from)}T00:00:00Z`);
  const toMs = Date.parse(`${day(to)}T00:00:00Z`) + 86_400_000;
  const deepBefore = 150;
  const big = BIG.number;
  const timelineItems = (body: string) =>
    (/<ol class="timeline">([\s\S]*?)<\/ol>/.exec(body)?.[1] ?? '').split('<li>').length - 1;
  const incidentCheck = (first: boolean) => (body: string) => {
    if (!body.includes(`<h1>INC-${big} · `)) return `not INC-${big}'s page`;
    if (!body.includes(`<p class="muted">${BIG.events} events, 200 shown from`))
      return `no "${BIG.events} events, 200 shown" line`;
    if (timelineItems(body) !== 200) return `${timelineItems(body)} timeline events shown, expected 200`;
    if (!body.includes('Later events')) return 'no "Later events" link';
    if (!first && !body.includes('>First events</a>')) return 'no "First events" link';
    return undefined;
  };
  return [
    {
      key: 'first',
      label: 'list, first page',
      path: '/console/incidents',
      target: true,
      check: listCheck(() => true, 'the newest'),
    },
    {
      key: 'filtered',
      label: 'list, status=open & severity=P1 & q=redis',
      path: '/console/incidents?status=open&severity=P1&q=redis',
      target: true,
      // Seeded: P1 and the redis title are n ≡ 1 (mod 4), open is n ≡ 0 or 1 (mod 10): n ≡ 1 (mod 20).
      check: listCheck((number) => number % 20 === 1, 'open, P1 and about redis'),
    },
    {
      key: 'dates',
      label: `list, from=${day(from)} & to=${day(to)}`,
      path: `/console/incidents?from=${day(from)}&to=${day(to)}`,
      target: true,
      check: listCheck(
        (number) => openedAt(number) >= fromMs && openedAt(number) < toMs,
        'opened in that week',
      ),
    },
    {
      key: 'deep',
      label: `list, deep page (before=${deepBefore})`,
      path: `/console/incidents?before=${deepBefore}`,
      target: true,
      check: listCheck((number) => number < deepBefore, `older than INC-${deepBefore}`),
    },
    {
      key: 'nomatch',
      label: 'list, q matching nothing (reads every row)',
      path: '/console/incidents?q=no+such+incident',
      target: true,
      check: (body) => (body.includes('No incidents match.') ? undefined : 'no "No incidents match."'),
    },
    {
      key: 'incident',
      label: `incident page, INC-${big} (${n(BIG.events)} events), first 200`,
      path: `/console/incidents/${big}`,
      target: true,
      check: incidentCheck(true),
    },
    {
      key: 'later',
      label: `incident page, INC-${big}, "Later events" (201–400)`,
      path: laterPath,
      target: true,
      check: incidentCheck(false),
    },
    {
      key: 'overview',
      label: 'overview (extra)',
      path: '/console/',
      target: false,
      check: (body) =>
        body.includes('<h1>Overview</h1>') && body.includes('Alerts received per day')
          ? undefined
          : 'not the overview',
    },
    {
      key: 'audit',
      label: 'audit log (extra)',
      path: '/console/audit',
      target: false,
      check: (body) =>
        (body.match(/<td>(?:health|restart|scale) <small>/g)?.length ?? 0) === 50
          ? undefined
          : 'not 50 audit rows',
    },
  ];
}

// ---------------------------------------------------------------------------------------------
// Load

interface Measured {
  latencies: number[];
  failed: number;
  firstFailure?: string;
  seconds: number;
}

/** Keep-alive connections, one per client: node:http costs the bench less CPU than fetch. */
const agent = new Agent({ keepAlive: true, maxSockets: CLIENTS });

/** GET `url` with the session: status and the whole body. */
function request(url: string, cookie: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    get(url, { agent, headers: { cookie } }, (response) => {
      response.setEncoding('utf8');
      let body = '';
      response.on('data', (chunk: string) => {
        body += chunk;
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      response.on('error', reject);
    }).on('error', reject);
  });
}

/** One measured request: its latency from `since` when the page is right, else why it is not. */
async function timed(
  origin: string,
  cookie: string,
  scenario: Scenario,
  since: number,
  into: { latencies: number[]; failed: number; firstFailure?: string },
): Promise<void> {
  let problem: string | undefined;
  try {
    const { status, body } = await request(`${origin}${scenario.path}`, cookie);
    const ms = performance.now() - since;
    problem = status === 200 ? scenario.check(body) : `HTTP ${status}`;
    if (!problem) into.latencies.push(ms);
  } catch (error) {
    problem = (error as Error).message;
  }
  if (problem) {
    into.failed++;
    into.firstFailure ??= problem;
  }
}

/**
 * `count` requests for `path` from CLIENTS clients in a closed loop (each sends its next request
 * when its last answer's body has arrived); a response that is not 200 or fails the page's check
 * counts as failed and is not timed. This is the console saturated: latency is mostly queueing.
 */
async function load(origin: string, cookie: string, scenario: Scenario, count: number): Promise<Measured> {
  const measured: Measured = { latencies: [], failed: 0, seconds: 0 };
  let sent = 0;
  const began = performance.now();
  const client = async () => {
    while (sent < count) {
      sent++;
      await timed(origin, cookie, scenario, performance.now(), measured);
    }
  };
  await Promise.all(Array.from({ length: CLIENTS }, client));
  measured.seconds = (performance.now() - began) / 1000;
  return measured;
}

/**
 * `count` requests for `path` sent at `rate` per second whatever the answers do (an open loop, as
 * people browsing send them), each timed from when it was due, so a slow answer that delays the
 * next send is counted against the page rather than hidden (coordinated omission).
 */
async function paced(
  origin: string,
  cookie: string,
  scenario: Scenario,
  count: number,
  rate: number,
): Promise<Measured> {
  const measured: Measured = { latencies: [], failed: 0, seconds: 0 };
  const began = performance.now();
  const requests: Promise<void>[] = [];
  for (let i = 0; i < count; i++) {
    const due = began + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    requests.push(timed(origin, cookie, scenario, due, measured));
  }
  await Promise.all(requests);
  measured.seconds = (performance.now() - began) / 1000;
  return measured;
}

/** fleetbot's own sum and count of console request durations (seconds) and how many took ≤ 50 ms. */
async function serverFigures(origin: string): Promise<{ sum: number; count: number; within: number }> {
  const text = await (await fetch(`${origin}/metrics`)).text();
  const value = (pattern: RegExp) => Number(pattern.exec(text)?.[1] ?? 0);
  return {
    sum: value(/^fleetbot_http_request_duration_seconds_sum\{method="GET",route="\/console\/\*"\} (\S+)$/m),
    count: value(
      /^fleetbot_http_request_duration_seconds_count\{method="GET",route="\/console\/\*"\} (\S+)$/m,
    ),
    within: value(
      /^fleetbot_http_request_duration_seconds_bucket\{le="0\.05",method="GET",route="\/console\/\*"\} (\S+)$/m,
    ),
  };
}

// ---------------------------------------------------------------------------------------------
// Set-up

/** Migrations, the seed, alert deliveries for the overview, then VACUUM ANALYZE. */
async function prepare(databaseUrl: string, seededAt: Date): Promise<void> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  try {
    await migrate(pool, logger);
    let began = Date.now();
    await seedConsole(pool, {
      incidents: INCIDENTS,
      eventsEach: EVENTS_EACH,
      big: BIG,
      runs: RUNS,
      now: seededAt,
    });
    // One delivery row per incident (deliveries = its alert count): the overview's alerts per day.
    await pool.query(
      `INSERT INTO alert_events (source, fingerprint, status, starts_at, alert, deliveries, counted, received_at,
                                 last_received_at, processed_at, incident_id)
       SELECT 'generic', 'seed-' || i.id, 'firing', i.opened_at, jsonb_build_object('title', i.title),
              i.alert_count, i.alert_count, i.opened_at, i.opened_at, i.opened_at, i.id
         FROM incidents i`,
    );
    // Each incident's alert (with a runbook link) and its message in the alerts channel, as the
    // worker leaves them: the incident page shows both, with links to Slack and to the runbook.
    await pool.query(
      `INSERT INTO alerts (source, fingerprint, status, severity, title, service, payload, incident_id, repeat_count,
                           first_seen_at, last_seen_at)
       SELECT 'generic', 'seed-' || i.id, 'firing', i.severity, i.title, i.service,
              jsonb_build_object('links', jsonb_build_array(jsonb_build_object(
                'label', 'Runbook', 'url', 'https://runbooks.example.com/' || i.service))),
              i.id, i.alert_count, i.opened_at, i.opened_at + interval '1 minute'
         FROM incidents i`,
    );
    await pool.query(
      `INSERT INTO slack_messages (key, kind, target, status, ts, posted_channel, version, delivered_version,
                                   next_attempt_at, last_sent_at, created_at)
       SELECT 'incident.' || i.id, 'post', '{"channel": "C0000ALERTS"}'::jsonb, 'delivered',
              extract(epoch FROM i.opened_at)::bigint || '.000100', 'C0000ALERTS', 1, 1, i.opened_at, i.opened_at, i.opened_at
         FROM incidents i`,
    );
    const counts = await pool.query(
      'SELECT (SELECT count(*) FROM incidents)::int AS incidents, (SELECT count(*) FROM timeline_events)::int AS events',
    );
    const row = counts.rows[0] as { incidents: number; events: number };
    log(
      `seeded ${n(row.incidents)} incidents, ${n(row.events)} timeline events, ${n(RUNS)} action runs in ${((Date.now() - began) / 1000).toFixed(1)} s`,
    );
    began = Date.now();
    // A database in use for months has been vacuumed (visibility map set, statistics current);
    // without this, autovacuum would start on the fresh million rows in the middle of a measurement.
    await pool.query('VACUUM ANALYZE');
    const size = await pool.query('SELECT pg_size_pretty(pg_database_size(current_database())) AS size');
    log(`VACUUM ANALYZE in ${((Date.now() - began) / 1000).toFixed(1)} s; database ${size.rows[0].size}`);
  } finally {
    await pool.end();
  }
}

/**
 * Signs USER in by fetch and returns the session's Cookie header. CONSOLE_URL is the public origin
 * (as behind a proxy) and nothing listens there: the issuer's redirect back to it is taken to
 * fleetbot's own address instead, which is what a proxy in front of it would do.
 */
async function signIn(origin: string, consoleUrl: string): Promise<string> {
  const form = await openLoginForm(origin, '/console/');
  const back = await form.browser.postForm(
    form.login,
    { [LOGIN_FIELD]: USER },
    { stopBefore: (url) => url.startsWith(`${consoleUrl}/`) },
  );
  const hop = back.at(-1);
  const location = hop?.headers.get('location');
  if (!hop || !location) throw new Error(`the issuer did not redirect back: HTTP ${hop?.status}`);
  const callback = new URL(location, hop.url);
  if (callback.origin !== consoleUrl) throw new Error(`the issuer redirected to ${callback.href}`);
  const done = await form.browser.get(`${origin}${callback.pathname}${callback.search}`, { follow: false });
  const session = form.browser.jar.get(`${origin}/console/`, 'fleetbot_session');
  if (!session) throw new Error(`no session after the callback: HTTP ${done.at(-1)?.status}`);
  return `fleetbot_session=${session}`;
}

// ---------------------------------------------------------------------------------------------

const pgDir = await mkdtemp(join(tmpdir(), 'fleetbot-bench-console-pg-'));
const postgres = new EmbeddedPostgres({ dataDir: pgDir, logger });
const serverUrl = await postgres.start();
const slack = await startFakeSlack();
// The console's public URL, registered with the issuer before fleetbot starts.
const consoleUrl = `http://127.0.0.1:${await freePort()}`;
const issuer = await startOidcIssuer({
  client: { id: CLIENT_ID, secret: CLIENT_SECRET, redirectUri: `${consoleUrl}/console/auth/callback` },
  users: { [USER]: { teamId: TEAM.id, name: 'Olive Oncall' } },
});
try {
  await measure(serverUrl, slack.url, consoleUrl, issuer.url);
} finally {
  await Promise.all([slack.close(), issuer.close()]);
  await postgres.stop();
  await rm(pgDir, { recursive: true, force: true });
}

/** Seeds, starts fleetbot, signs in, measures every scenario, prints the report. */
async function measure(serverUrl: string, slackUrl: string, consoleUrl: string, issuerUrl: string) {
  const seededAt = new Date();
  const nodeOptions = env.BENCH_CONSOLE_NODE_OPTIONS;
  const bot = await startFleetbot({
    backend: 'postgres',
    serverUrl,
    config: CONFIG,
    command: 'web',
    prepare: (store) => prepare(store.databaseUrl, seededAt),
    env: {
      SLACK_BOT_TOKEN: 'xoxb-0000000000-0000000000000-fakefakefakefakefakefake',
      SLACK_SIGNING_SECRET: '00000000fakefakefakefake00000000',
      SLACK_API_URL: slackUrl,
      SLACK_CLIENT_ID: CLIENT_ID,
      SLACK_CLIENT_SECRET: CLIENT_SECRET,
      CONSOLE_SESSION_SECRET: 'bench-session-secret-000000000000000000000000',
      CONSOLE_URL: consoleUrl,
      CONSOLE_OIDC_ISSUER: issuerUrl,
      ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}),
    },
  });
  let peakRss = rssMb(bot.pid);
  const rssTimer = setInterval(() => {
    try {
      peakRss = Math.max(peakRss, rssMb(bot.pid));
    } catch {
      // exited
    }
  }, 100);
  try {
    const cookie = await signIn(bot.origin, consoleUrl);
    log(`signed in as ${USER}; fleetbot web (pid ${bot.pid}) idle RSS ${rssMb(bot.pid).toFixed(0)} MB`);
    const first = await fetch(`${bot.origin}/console/incidents/${BIG.number}`, { headers: { cookie } });
    const firstBody = await first.text();
    const later = /<a rel="next" href="([^"]+)">Later events/.exec(firstBody)?.[1];
    if (first.status !== 200 || !later)
      throw new Error(`INC-${BIG.number}: HTTP ${first.status}, no "Later events" link`);
    const laterPath = later.replaceAll('&amp;', '&').replace(/#.*$/, '');

    if (EXPLAIN) await explain(bot.db);

    const rows: {
      scenario: Scenario;
      measured: Measured;
      serverMeanMs: number;
      serverWithin: number;
      cpu: CpuUsage;
      bytes: number;
    }[] = [];
    for (const scenario of scenarios(seededAt, laterPath)) {
      if (ONLY && !ONLY.includes(scenario.key)) continue;
      const warm = await load(bot.origin, cookie, scenario, WARM_UP);
      if (warm.failed > 0) throw new Error(`${scenario.label}: warm-up failed: ${warm.firstFailure}`);
      const bytes = Buffer.byteLength((await request(`${bot.origin}${scenario.path}`, cookie)).body);
      const before = await serverFigures(bot.origin);
      const cpu = startCpuWindow([bot.pid]);
      const measured = await load(bot.origin, cookie, scenario, REQUESTS);
      const usage = cpu.stop();
      const after = await serverFigures(bot.origin);
      const served = after.count - before.count;
      rows.push({
        scenario,
        measured,
        serverMeanMs: ((after.sum - before.sum) / served) * 1000,
        serverWithin: (after.within - before.within) / served,
        cpu: usage,
        bytes,
      });
      const { latencies } = measured;
      log(
        `${scenario.label}: ${n(latencies.length)} ok, ${measured.failed} failed${measured.firstFailure ? ` (${measured.firstFailure})` : ''}, p50 ${percentile(latencies, 0.5).toFixed(1)} ms, p99 ${percentile(latencies, 0.99).toFixed(1)} ms · ${formatCpu(usage)}`,
      );
    }

    // The same pages at a steady rate, as people browsing send them, one page at a time.
    const steady: { scenario: Scenario; measured: Measured }[] = [];
    for (const row of rows) {
      if (!row.scenario.target || RATE <= 0) continue;
      const measured = await paced(bot.origin, cookie, row.scenario, PACED_REQUESTS, RATE);
      steady.push({ scenario: row.scenario, measured });
      const { latencies } = measured;
      log(
        `${row.scenario.label} at ${RATE}/s: ${n(latencies.length)} ok, ${measured.failed} failed, p50 ${percentile(latencies, 0.5).toFixed(1)} ms, p99 ${percentile(latencies, 0.99).toFixed(1)} ms`,
      );
    }

    const ms = (value: number) => `${value.toFixed(1)} ms`;
    log(
      `\nnode ${process.version} · ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'} · ${n(INCIDENTS)} incidents, ${n(
        (INCIDENTS - 1) * EVENTS_EACH + BIG.events,
      )} timeline events · ${CLIENTS} clients, closed loop, ${n(REQUESTS)} requests per line after ${WARM_UP} to warm up\n`,
    );
    log(
      '| page | path | KB | req/s | p50 | p95 | p99 | max | failed | server mean (≤ 50 ms) | CPU: fleetbot / postgres / bench / others | target p99 ≤ 50 ms |',
    );
    log('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|');
    for (const row of rows) {
      const { latencies, failed, seconds } = row.measured;
      const p99 = percentile(latencies, 0.99);
      const { ours } = row.cpu;
      const target = row.scenario.target ? (p99 <= TARGET_MS && failed === 0 ? '✓' : '✗') : '–';
      log(
        `| ${row.scenario.label} | \`${row.scenario.path}\` | ${(row.bytes / 1000).toFixed(0)} | ${n(latencies.length / seconds)} | ${ms(percentile(latencies, 0.5))} | ${ms(percentile(latencies, 0.95))} | ${ms(p99)} | ${ms(Math.max(...latencies))} | ${failed} | ${ms(row.serverMeanMs)} (${(row.serverWithin * 100).toFixed(0)} %) | ${ours.fleetbot ?? 0} / ${ours.postgres ?? 0} / ${ours.bench ?? 0} / ${row.cpu.others} % | ${target} |`,
      );
    }
    if (steady.length > 0) {
      log(
        `\nThe same pages at a steady ${RATE} pages/s (open loop, each timed from when it was due), ${n(PACED_REQUESTS)} requests per line\n`,
      );
      log('| page | achieved req/s | p50 | p95 | p99 | max | failed | target p99 ≤ 50 ms |');
      log('|---|---:|---:|---:|---:|---:|---:|---|');
      for (const { scenario, measured } of steady) {
        const { latencies, failed, seconds } = measured;
        const p99 = percentile(latencies, 0.99);
        log(
          `| ${scenario.label} | ${n(latencies.length / seconds)} | ${ms(percentile(latencies, 0.5))} | ${ms(percentile(latencies, 0.95))} | ${ms(p99)} | ${ms(Math.max(...latencies))} | ${failed} | ${p99 <= TARGET_MS && failed === 0 ? '✓' : '✗'} |`,
        );
      }
    }
    log(`\npeak RSS of fleetbot web: ${peakRss.toFixed(0)} MB`);
    const warnings = bot
      .output()
      .split('\n')
      .filter((line) => line.includes('"level":40') || line.includes('"level":50'));
    if (warnings.length > 0) log(`fleetbot logged ${warnings.length} warnings/errors, first: ${warnings[0]}`);
  } finally {
    clearInterval(rssTimer);
    agent.destroy();
    await bot.stop();
  }
}

/**
 * EXPLAIN (ANALYZE, BUFFERS) of the statements behind the pages, as the console sends them: the
 * console's own read models run on a pool that explains each statement before running it (no copy
 * of their SQL here to drift from them).
 */
async function explain(db: pg.Pool): Promise<void> {
  let name = '';
  const explaining = {
    async query(sql: string, values?: unknown[]) {
      const { rows } = await db.query(`EXPLAIN (ANALYZE, BUFFERS) ${sql}`, values);
      log(
        `\n-- ${name}\n${rows.map((row) => String((row as Record<string, unknown>)['QUERY PLAN'])).join('\n')}`,
      );
      return db.query(sql, values);
    },
  } as unknown as pg.Pool;
  const reads = new PgConsoleReads({ pool: explaining });
  const day = 86_400_000;
  const pages: [string, () => Promise<unknown>][] = [
    ['first page', () => reads.incidents({ limit: 51 })],
    ['filtered', () => reads.incidents({ status: 'open', severity: 'P1', text: 'redis', limit: 51 })],
    [
      'dates',
      () =>
        reads.incidents({
          from: new Date(Date.now() - 20 * day),
          to: new Date(Date.now() - 13 * day),
          limit: 51,
        }),
    ],
    ['deep', () => reads.incidents({ before: 150, limit: 51 })],
    ['no match', () => reads.incidents({ text: 'no such incident', limit: 51 })],
    [
      'incident with its alerts, runs and message',
      () => reads.incident(BIG.number, `incident.${BIG.number}`),
    ],
    ['timeline page and count', () => reads.timeline(BIG.number, undefined, 200)],
    ['overview: open by severity', () => reads.openCounts()],
    ['overview: 30 days', () => reads.periodStats(new Date(Date.now() - 30 * day), new Date())],
    ['overview: open incidents', () => reads.openIncidents(10)],
    ['audit log', () => reads.audit({ limit: 51 })],
  ];
  for (const [label, read] of pages) {
    name = label;
    await read();
  }
}
