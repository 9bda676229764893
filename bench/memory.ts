/**
 * npm run bench:memory — resident memory (VmRSS) of the `fleetbot start` process:
 * (1) idle with Slack disabled;
 * (2) idle with Slack enabled (HTTP mode, against the fake Slack), then after the first `/fleet health`
 *     and after 100 of them, sent as signed slash commands to /slack/events and run by the worker
 *     against the fake Kubernetes API, a local HTTP server as the Fleet API and the fake Azure
 *     Monitor (whose credential fails: there is no token endpoint on loopback, so the check fails
 *     as it would with a wrong identity; the Azure SDK is loaded and used all the same).
 * Only the node process is measured: embedded PostgreSQL runs in processes of its own.
 *
 * After each step the process is left alone for BENCH_SETTLE_S (150) seconds and sampled every
 * 5 s. Two figures per step: "early", the median of the samples 10–20 s in (what a quick `ps`
 * sees), and "settled", the median of the last five. They differ because V8 keeps the young
 * generation it grew during start-up or a burst (30–110 MB) until its memory reducer runs, which
 * took 1.5–2.5 minutes of quiet here. No `--expose-gc`: a forced GC does not give those pages back
 * at once, the reducer does.
 *
 * BENCH_ROUNDS (default 3) rounds, each with fresh data directories; the table shows medians and
 * the range. BENCH_RUNS (100) health runs. FLEETBOT_CLI measures another entry point with this
 * harness: a checkout at another commit (a "before" figure), or `dist/cli.js` after `npm run build`
 * (what the Docker image runs: without Node's TypeScript stripping, ~30 MB less). BENCH_NODE_OPTIONS
 * is given to the measured process as NODE_OPTIONS (V8 flags to compare).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { freePort } from '../src/lib/free-port.ts';
import { FakeAzureMonitor } from '../test/support/fake-azure-monitor.ts';
import { startFakeKube } from '../test/support/fake-kube/index.ts';
import { startFakeSlack } from '../test/support/fake-slack/index.ts';
import { postSigned, slashCommandBody } from '../test/support/slack-requests.ts';
import { heapFigures, rssMb } from './measure.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const RUNS = Number(process.env.BENCH_RUNS ?? 100);
const SETTLE_MS = Number(process.env.BENCH_SETTLE_S ?? 150) * 1000;
const SAMPLE_EVERY_MS = 5_000;
/** Samples (5 s apart) that make the "early" figure: 10, 15 and 20 s after the step. */
const EARLY = [1, 2, 3];
/** The last samples, whose median is the "settled" figure. */
const SETTLED = 5;
/** Slash commands in flight at once: Slack sends them as people type, not 100 in one instant. */
const IN_FLIGHT = 10;
const CLI = process.env.FLEETBOT_CLI ?? fileURLToPath(new URL('../src/cli.ts', import.meta.url));
const SECRET = '00000000fakefakefakefake00000000';

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? Number.NaN) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

interface Reading {
  /** V8's heap (used / total) and memory outside it, from /metrics at the end of the window, in MB. */
  heap: string;
  /** Median of the samples 10–20 s after the step. */
  early: number;
  /** Median of the last samples of the quiet window. */
  settled: number;
  /** Every sample, 5 s apart, for the log. */
  samples: number[];
}

/** Leaves the process alone for SETTLE_MS, sampling its RSS every 5 s. */
async function quietRss(bot: Fleetbot): Promise<Reading> {
  const samples: number[] = [];
  for (let elapsed = 0; elapsed < SETTLE_MS; elapsed += SAMPLE_EVERY_MS) {
    await sleep(SAMPLE_EVERY_MS);
    samples.push(rssMb(bot.pid));
  }
  return {
    heap: await heapFigures(bot.port),
    early: median(EARLY.map((i) => samples[i] ?? Number.NaN)),
    settled: median(samples.slice(-SETTLED)),
    samples,
  };
}

async function waitFor<T>(what: string, timeoutMs: number, check: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(100);
  }
}

interface Fleetbot {
  child: ChildProcess;
  pid: number;
  port: number;
  dataDir: string;
  output(): string;
  stop(): Promise<void>;
}

async function startFleetbot(env: Record<string, string>): Promise<Fleetbot> {
  const dataDir = await mkdtemp(join(tmpdir(), 'fleetbot-bench-memory-'));
  const port = await freePort();
  const child = spawn(process.execPath, [CLI, 'start'], {
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '/root',
      FLEETBOT_DATA_DIR: dataDir,
      PORT: String(port),
      LOG_LEVEL: 'warn',
      LOG_FORMAT: 'json',
      ...(process.env.BENCH_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_NODE_OPTIONS } : {}),
      ...env,
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
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${CLI}`);
  await waitFor('/readyz to answer 200', 60_000, async () => {
    if (child.exitCode !== null) throw new Error(`fleetbot exited early:\n${output}`);
    const response = await fetch(`http://127.0.0.1:${port}/readyz`).catch(() => undefined);
    return response?.status === 200 ? true : undefined;
  });
  return {
    child,
    pid,
    port,
    dataDir,
    output: () => output,
    async stop() {
      child.kill('SIGTERM');
      await exited;
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** The embedded database of a running `fleetbot start`, as test/cli/start.test.ts reaches it. */
async function embeddedDatabase(dataDir: string): Promise<pg.Client> {
  const password = (await readFile(join(dataDir, 'postgres-password'), 'utf8')).trim();
  const port = (await readFile(join(dataDir, 'postgres.port'), 'utf8')).trim();
  const client = new pg.Client({
    connectionString: `postgres://fleetbot:${encodeURIComponent(password)}@127.0.0.1:${port}/fleetbot`,
  });
  await client.connect();
  return client;
}

/**
 * Sends `count` signed `/fleet health` commands, then waits until every run recorded so far has
 * finished and every Slack message it produced has left the outbox.
 */
async function healthRuns(bot: Fleetbot, db: pg.Client, count: number, total: number): Promise<void> {
  let next = 0;
  const send = async () => {
    while (next < count) {
      next++;
      const response = await postSigned(
        `http://127.0.0.1:${bot.port}/slack/events`,
        // A user per ten commands: the per-user limit (20 a minute) must not answer "slow down".
        slashCommandBody({
          text: 'health',
          response_url: slack.responseUrl(),
          user_id: `U${String(Math.floor(next / 10)).padStart(9, '0')}`,
        }),
        { secret: SECRET },
      );
      if (response.status !== 200)
        throw new Error(`/fleet health answered ${response.status}: ${response.text}`);
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, send));
  await waitFor(`${total} finished health runs and an empty outbox`, 10 * 60_000, async () => {
    const { rows } = await db.query<{ finished: number; pending: number }>(
      `SELECT (SELECT count(*)::int FROM action_runs WHERE action = 'health' AND finished_at IS NOT NULL) AS finished,
              (SELECT count(*)::int FROM slack_messages WHERE status = 'pending') AS pending`,
    );
    const [row] = rows;
    if (bot.child.exitCode !== null) throw new Error(`fleetbot exited:\n${bot.output()}`);
    return row && row.finished >= total && row.pending === 0 ? true : undefined;
  });
}

interface Round {
  idleSlackOff: Reading;
  idleSlackOn: Reading;
  afterFirst: Reading;
  afterAll: Reading;
  healthRunsMs: number;
  /** What the runs reported: run statuses with counts, and the last run's checks. */
  outcome: string;
}

/** Proof that the runs went through the real path: their statuses, and what the last one's checks said. */
async function outcome(db: pg.Client): Promise<string> {
  const statuses = await db.query<{ status: string; n: number }>(
    `SELECT status, count(*)::int AS n FROM action_runs WHERE action = 'health' GROUP BY status ORDER BY status`,
  );
  const last = await db.query<{ checks: { name: string; status: string }[] | null }>(
    `SELECT result->'data'->'checks' AS checks FROM action_runs WHERE action = 'health' ORDER BY finished_at DESC LIMIT 1`,
  );
  const checks = (last.rows[0]?.checks ?? []).map((check) => `${check.name} ${check.status}`);
  return `runs ${statuses.rows.map((row) => `${row.status} ×${row.n}`).join(', ')}; last: ${checks.join(', ')}`;
}

async function round(): Promise<Round> {
  const off = await startFleetbot(baseEnv);
  let idleSlackOff: Reading;
  try {
    idleSlackOff = await quietRss(off);
  } finally {
    await off.stop();
  }

  const on = await startFleetbot({
    ...baseEnv,
    SLACK_BOT_TOKEN: 'xoxb-0000000000-0000000000000-fakefakefakefakefakefake',
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_API_URL: slack.url,
  });
  const db = await embeddedDatabase(on.dataDir);
  try {
    const idleSlackOn = await quietRss(on);
    await healthRuns(on, db, 1, 1);
    const afterFirst = await quietRss(on);
    const started = performance.now();
    await healthRuns(on, db, RUNS - 1, RUNS);
    const healthRunsMs = performance.now() - started;
    const afterAll = await quietRss(on);
    return { idleSlackOff, idleSlackOn, afterFirst, afterAll, healthRunsMs, outcome: await outcome(db) };
  } finally {
    await db.end();
    await on.stop();
  }
}

const [slack, kube, azure] = await Promise.all([startFakeSlack(), startFakeKube(), FakeAzureMonitor.start()]);
azure.answer({ count: 1284 });
const api = createServer((_request, response) => {
  response.writeHead(200, { 'content-type': 'application/json' });
  response.end(JSON.stringify({ status: 'healthy', environment: 'production', version: '1.0.0' }));
});
await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
const baseEnv = {
  KUBECONFIG: kube.kubeconfigPath,
  FLEET_API_URL: `http://127.0.0.1:${(api.address() as AddressInfo).port}`,
  APPINSIGHTS_RESOURCE_ID:
    '/subscriptions/00000000-0000-0000-0000-00000000f1ee/resourceGroups/rg/providers/microsoft.insights/components/fleet',
  AZURE_MONITOR_LOGS_ENDPOINT: azure.url,
};

try {
  const rounds: Round[] = [];
  const steps = [
    ['idle, Slack disabled', (r: Round) => r.idleSlackOff],
    ['idle, Slack enabled (HTTP)', (r: Round) => r.idleSlackOn],
    ['after the first `/fleet health`', (r: Round) => r.afterFirst],
    [`after ${RUNS} \`/fleet health\``, (r: Round) => r.afterAll],
  ] as const;
  for (let i = 0; i < ROUNDS; i++) {
    const result = await round();
    rounds.push(result);
    process.stderr.write(`round ${i + 1}/${ROUNDS} (RSS every 5 s, MB) · ${result.outcome}\n`);
    for (const [name, pick] of steps) {
      process.stderr.write(
        `  ${name}: ${pick(result)
          .samples.map((mb) => mb.toFixed(0))
          .join(' ')} · ${pick(result).heap}\n`,
      );
    }
  }
  const figure = (pick: (r: Round) => number, unit = 'MB', digits = 0) => {
    const values = rounds.map(pick);
    const show = (value: number) => `${value.toFixed(digits)} ${unit}`;
    return rounds.length > 1
      ? `${show(median(values))} (${show(Math.min(...values))} – ${show(Math.max(...values))})`
      : show(median(values));
  };
  console.log(
    `\n${CLI}\nnode ${process.version} · ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'} · ${ROUNDS} round(s), medians (range)\n`,
  );
  console.log(
    `| \`fleetbot start\`, VmRSS of the node process | 10–20 s after | settled (last 25 s of ${SETTLE_MS / 1000} s) |\n|---|---:|---:|`,
  );
  for (const [name, pick] of steps) {
    console.log(`| ${name} | ${figure((r) => pick(r).early)} | ${figure((r) => pick(r).settled)} |`);
  }
  const growth = (from: (r: Round) => Reading, key: 'early' | 'settled') => (r: Round) =>
    r.afterAll[key] - from(r)[key];
  for (const [name, from] of [
    [`growth, first run → after ${RUNS}`, (r: Round) => r.afterFirst],
    [`growth, idle → after ${RUNS}`, (r: Round) => r.idleSlackOn],
  ] as const) {
    console.log(`| ${name} | ${figure(growth(from, 'early'))} | ${figure(growth(from, 'settled'))} |`);
  }
  console.log(`\n${RUNS - 1} health runs took ${figure((r) => r.healthRunsMs / 1000, 's', 1)}.`);
} finally {
  api.close();
  await azure.close();
  await kube.close();
  await slack.close();
}
