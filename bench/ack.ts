/**
 * npm run bench:ack — how fast a signed slash command is acknowledged, 50 connections, 10 s each:
 * (a) bare node:http that only verifies the signature (the physical limit),
 * (b) a minimal Bolt app whose /fleet handler only acks,
 * (c) fleetbot answering `/fleet help` (no enqueue),
 * (d) fleetbot answering `/fleet health` (one enqueue) on the PostgreSQL and Redis queues.
 * Every request is signed as Slack signs it, with its own trigger_id. Loopback only.
 *
 * BENCH_CPU_PROF=<dir>: each fleetbot server records a CPU profile of its measured load into <dir>
 * and its top functions and packages are printed (the profiler costs a few % of throughput).
 * BENCH_ONLY=<text>[,<text>…]: only the servers whose name contains one of them (`(b),(c)`, `Redis`).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EmbeddedPostgres } from '../src/db/embedded-postgres.ts';
import { freePort } from '../src/lib/free-port.ts';
import { createLogger } from '../src/logging/logger.ts';
import { startFakeKube } from '../test/support/fake-kube/index.ts';
import { startFakeSlack } from '../test/support/fake-slack/index.ts';
import { formatSummary, readProfile, summariseProfile } from './cpu-profile.ts';

const SECRET = '00000000fakefakefakefake00000000';
const DURATION_S = Number(process.env.BENCH_SECONDS ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const WARM_UP_S = 3;
const CONNECTIONS = 50;
const THREADS = Number(process.env.BENCH_WRK_THREADS ?? 2);
// BENCH_PIN=1: the server on CPU 0 and wrk on CPU 1 (taskset), as the baselines were measured.
const PIN = process.env.BENCH_PIN === '1';
const SERVER_CPU = '0';
const LOAD_CPU = '1';
function pinned(cpu: string, command: string, args: string[]): [string, string[]] {
  return PIN ? ['taskset', ['-c', cpu, command, ...args]] : [command, args];
}
const PROFILE_DIR = process.env.BENCH_CPU_PROF;
const ONLY = process.env.BENCH_ONLY;
const target = fileURLToPath(new URL('./ack-target.ts', import.meta.url));
const script = fileURLToPath(new URL('./signed-requests.lua', import.meta.url));

let commands = 0;
/** Each request from a user of its own: fleetbot limits each user to 20 commands a minute, and
 * this measures the acknowledgement of commands that are accepted, not of "slow down" answers. */
function signedCommand(text: string) {
  commands++;
  const timestamp = Math.floor(Date.now() / 1000);
  const body = new URLSearchParams({
    token: 'FAKEverificationTOKEN000',
    team_id: 'T0000FLEET',
    channel_id: 'C0000INCIDENT',
    user_id: `U${String(commands).padStart(10, '0')}`,
    command: '/fleet',
    text,
    response_url: 'https://hooks.slack.com/commands/T0000FLEET/1/x',
    trigger_id: `${Date.now()}.${randomBytes(8).toString('hex')}`,
  }).toString();
  const signature = `v0=${createHmac('sha256', SECRET).update(`v0:${timestamp}:${body}`).digest('hex')}`;
  return {
    method: 'POST' as const,
    body,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': signature,
    },
  };
}

async function startTarget(
  variant: string,
  env: Record<string, string> = {},
): Promise<{ port: number; child: ChildProcess }> {
  const child = spawn(...pinned(SERVER_CPU, process.execPath, [target, variant]), {
    env: { ...process.env, SLACK_SIGNING_SECRET: SECRET, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout?.on('data', (chunk) => {
      const match = /READY (\d+)/.exec(String(chunk));
      if (match) resolve(Number(match[1]));
    });
    child.once('exit', (code) => reject(new Error(`${variant} exited with ${code}`)));
  });
  return { port, child };
}

/** Distinct signed requests for one load run, in the file format signed-requests.lua reads. */
async function requestFile(text: string, count: number): Promise<string> {
  const file = join(dataDir, `requests-${text}-${randomBytes(4).toString('hex')}.tsv`);
  const lines = Array.from({ length: count }, () => {
    const request = signedCommand(text);
    return `${request.headers['x-slack-request-timestamp']}\t${request.headers['x-slack-signature']}\t${request.body}`;
  });
  await writeFile(file, `${lines.join('\n')}\n`);
  return file;
}

/**
 * wrk (C, from Debian's packages) as the load: a JavaScript load generator on the same two
 * cores would measure itself as much as the server.
 */
async function load(port: number, text: string, seconds = DURATION_S) {
  // Enough that no request is sent twice at up to 8,000 req/s: a repeat would be a Slack retry.
  const file = await requestFile(text, Math.max(40_000, seconds * 8_000));
  const child = spawn(
    ...pinned(LOAD_CPU, 'wrk', [
      `-t${THREADS}`,
      `-c${CONNECTIONS}`,
      `-d${seconds}s`,
      '--latency',
      '-s',
      script,
      `http://127.0.0.1:${port}/slack/events`,
      '--',
      file,
      String(THREADS),
    ]),
  );
  let output = '';
  child.stdout.on('data', (chunk) => {
    output += String(chunk);
  });
  await new Promise((resolve) => child.once('exit', resolve));
  const percentile = (p: string) => toMs(new RegExp(`^\\s*${p}%\\s+([\\d.]+)(us|ms|s)`, 'm').exec(output));
  return {
    rps: Math.round(Number(/Requests\/sec:\s+([\d.]+)/.exec(output)?.[1] ?? Number.NaN)),
    p50: percentile('50'),
    p99: percentile('99'),
    errors:
      Number(/Non-2xx or 3xx responses: (\d+)/.exec(output)?.[1] ?? 0) +
      Number(/Socket errors:.*?timeout (\d+)/.exec(output)?.[1] ?? 0),
  };
}

interface ProcessCpu {
  name: string;
  ppid: number;
  /** CPU seconds used so far (user + system). */
  seconds: number;
}

/** Every process's CPU so far, by pid, from Linux's /proc. */
async function processes(): Promise<Map<number, ProcessCpu>> {
  const table = new Map<number, ProcessCpu>();
  for (const pid of (await readdir('/proc')).filter((name) => /^\d+$/.test(name))) {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
    const match = /^\d+ \((.*)\) (.*)$/s.exec(stat);
    if (!match?.[1] || !match[2]) continue;
    const fields = match[2].split(' ');
    // ppid, utime and stime: the 4th, 14th and 15th fields of stat; times in ticks (100 a second).
    table.set(Number(pid), {
      name: match[1].startsWith('postgres') ? 'postgres' : match[1],
      ppid: Number(fields[1]),
      seconds: (Number(fields[11]) + Number(fields[12])) / 100,
    });
  }
  return table;
}

/**
 * The CPU each program used between two snapshots, split into this benchmark's own processes (the
 * server, its database and Redis, the kernel's threads) and everybody else's: a run during which
 * others used the CPU is reported as such, since its figures are not from a quiet machine.
 */
async function cpuUsed(before: Map<number, ProcessCpu>, ours: (pid: number, ppid: number) => boolean) {
  const after = await processes();
  const mine = new Map<string, number>();
  const others = new Map<string, number>();
  for (const [pid, { name, ppid, seconds }] of after) {
    const used = seconds - (before.get(pid)?.seconds ?? 0);
    if (used < 0.05) continue;
    const kernel = pid === 2 || ppid === 2;
    const into = kernel || ours(pid, ppid) ? mine : others;
    const program = kernel ? 'kernel' : name;
    into.set(program, (into.get(program) ?? 0) + used);
  }
  const list = (map: Map<string, number>) =>
    [...map]
      .filter(([, seconds]) => seconds >= 0.1)
      .sort((a, b) => b[1] - a[1])
      .map(([program, seconds]) => `${program} ${seconds.toFixed(1)} s`)
      .join(', ');
  const othersSeconds = [...others.values()].reduce((sum, seconds) => sum + seconds, 0);
  return { mine: list(mine), others: list(others), othersSeconds };
}

function toMs(match: RegExpExecArray | null): number {
  if (!match) return Number.NaN;
  const value = Number(match[1]);
  return Math.round((match[2] === 'us' ? value / 1000 : match[2] === 's' ? value * 1000 : value) * 10) / 10;
}

const logger = createLogger({ level: 'warn' });
const dataDir = await mkdtemp(join(tmpdir(), 'fleetbot-bench-ack-'));
const postgres = new EmbeddedPostgres({ dataDir, logger });
const databaseUrl = await postgres.start();
const redisPort = await freePort();
const redis = spawn(
  'redis-server',
  ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', '', '--hz', '100'],
  { stdio: 'ignore' },
);
const [slack, kube] = await Promise.all([startFakeSlack(), startFakeKube()]);
const fleetbotEnv = {
  DATABASE_URL: databaseUrl,
  SLACK_BOT_TOKEN: 'xoxb-0000000000-0000000000000-fakefakefakefakefakefake',
  SLACK_API_URL: slack.url,
  KUBECONFIG: kube.kubeconfigPath,
};

type Measured = Awaited<ReturnType<typeof load>>;
/** What issue 15 asks of each server, against the minimal Bolt app (b) of the same run. */
type Target = { text: string; met?: (r: Measured, bolt: Measured | undefined) => boolean | undefined };
const AGAINST_BOLT: Target = {
  text: 'req/s ≥ 75 % of b, p99 ≤ 2 × b',
  met: (r, bolt) => (bolt ? r.rps >= 0.75 * bolt.rps && r.p99 <= 2 * bolt.p99 : undefined),
};
const ENQUEUE: Target = { text: 'p99 ≤ 50 ms', met: (r) => r.p99 <= 50 };
const variants = (
  [
    ['(a) bare node:http, signature only', 'bare', 'help', {}, { text: 'the physical limit' } as Target],
    ['(b) minimal Bolt app, ack only', 'bolt', 'help', {}, { text: '' } as Target],
    ['(c) fleetbot /fleet help', 'fleetbot', 'help', fleetbotEnv, AGAINST_BOLT],
    ['(d) fleetbot /fleet health, PostgreSQL queue', 'fleetbot', 'health', fleetbotEnv, ENQUEUE],
    [
      '(d) fleetbot /fleet health, Redis queue',
      'fleetbot',
      'health',
      { ...fleetbotEnv, REDIS_URL: `redis://127.0.0.1:${redisPort}` },
      ENQUEUE,
    ],
  ] as const
).filter(([name]) => !ONLY || ONLY.split(',').some((part) => name.includes(part)));
const runs = new Map<string, Measured[]>(variants.map(([name]) => [name, []]));
/** The embedded PostgreSQL's postmaster: it and its children are this benchmark's own. */
const postmaster = Number(
  (await readFile(join(postgres.clusterDir, 'postmaster.pid'), 'utf8')).split('\n')[0],
);
/** CPU seconds other programs may use during one load before its figures are flagged as not quiet. */
const NOISE_S = 0.5;
const noisy: string[] = [];
try {
  // Rounds interleave the variants, so a slow spell on a shared machine hits them all alike.
  for (let round = 0; round < ROUNDS; round += 1) {
    for (const [name, variant, text, env] of variants) {
      const profile =
        PROFILE_DIR && variant === 'fleetbot'
          ? join(PROFILE_DIR, `${name.replace(/\W+/g, '-').replace(/^-|-$/g, '')}-${round + 1}.cpuprofile`)
          : undefined;
      const { port, child } = await startTarget(
        variant,
        profile ? { ...env, ACK_PROFILE_FILE: profile } : env,
      );
      await load(port, text, WARM_UP_S).catch(() => undefined); // warm-up, discarded
      if (profile) child.kill('SIGUSR2'); // the profiler starts with the measured load
      const before = await processes();
      runs.get(name)?.push(await load(port, text));
      const cpu = await cpuUsed(
        before,
        (pid, ppid) => [child.pid, process.pid, redis.pid, postmaster].includes(pid) || ppid === postmaster,
      );
      if (cpu.othersSeconds >= NOISE_S) noisy.push(`${name}, round ${round + 1}: ${cpu.others}`);
      child.kill('SIGTERM');
      await new Promise((resolve) => child.once('exit', resolve));
      if (profile) {
        console.log(`\n${name}, round ${round + 1}: CPU profile ${profile}`);
        console.log(
          `  CPU used during the ${DURATION_S} s load (of ${cpus().length * DURATION_S} s): ${cpu.mine}; others: ${cpu.others || 'none'}\n`,
        );
        console.log(formatSummary(summariseProfile(await readProfile(profile), 12)));
      }
    }
  }
} finally {
  redis.kill('SIGTERM');
  await Promise.all([slack.close(), kube.close()]);
  await postgres.stop();
  await rm(dataDir, { recursive: true, force: true });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}
const rows = variants.map(([name, variant, , , target]) => {
  const measured = runs.get(name) ?? [];
  const of = (key: 'rps' | 'p50' | 'p99') => median(measured.map((m) => m[key]));
  return {
    name,
    variant,
    target,
    rps: of('rps'),
    p50: of('p50'),
    p99: of('p99'),
    errors: measured.reduce((sum, m) => sum + m.errors, 0),
  };
});
const bolt = rows.find((r) => r.variant === 'bolt');
console.log(
  `\nnode ${process.version} · ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'} · ${CONNECTIONS} connections, ${THREADS} wrk threads · medians of ${ROUNDS} rounds of ${DURATION_S} s, each after a ${WARM_UP_S} s warm-up${PIN ? ' · pinned (BENCH_PIN=1)' : ''}${PROFILE_DIR ? ' · under the CPU profiler' : ''}\n`,
);
console.log('| server | req/s | ack p50 | ack p99 | vs Bolt req/s | p99 vs Bolt | target | non-2xx/errors |');
console.log('|---|---:|---:|---:|---:|---:|---|---:|');
for (const r of rows) {
  const ratio = bolt ? `${Math.round((r.rps / bolt.rps) * 100)} %` : '';
  const tail = bolt ? `${(r.p99 / bolt.p99).toFixed(2)}×` : '';
  const met = r.target.met?.(r, bolt);
  const target = `${r.target.text}${met === undefined ? '' : met ? ' ✓' : ' ✗'}`;
  console.log(
    `| ${r.name} | ${r.rps} | ${r.p50} ms | ${r.p99} ms | ${ratio} | ${tail} | ${target} | ${r.errors} |`,
  );
}
if (noisy.length > 0) {
  console.log(
    `\nNot a quiet machine: other programs used the CPU during ${noisy.length} of the loads (over ${NOISE_S} s each):\n${noisy.map((line) => `  ${line}`).join('\n')}`,
  );
}
