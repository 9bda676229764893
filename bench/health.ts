/**
 * npm run bench:health — wall time of the health action.
 *
 * (1) every dependency healthy: the seven checks together vs the slowest check alone
 *     (target: within 100 ms of it — the checks run in parallel);
 * (2) one dependency hanging (a TCP server that never answers as the Fleet API): target within
 *     its timeout + 100 ms;
 * (3) peak RSS of a whole `fleetbot run health --json` process.
 * All on loopback: fake Kubernetes API and Azure Monitor, real PostgreSQL and redis-server, a local
 * HTTP server as the Fleet API.
 */
import { spawn } from 'node:child_process';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { systemClock } from '../src/adapters/clock.ts';
import { createKubeCluster } from '../src/cluster/kube-cluster.ts';
import { loadConfig } from '../src/config/index.ts';
import { type HealthCheck, runHealthChecks } from '../src/health/health-check.ts';
import { runbookHealthChecks } from '../src/health/runbook-checks.ts';
import { createLogger } from '../src/logging/logger.ts';
import { startRunbookWorld } from './runbook-world.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 30);
const HANG_TIMEOUT_MS = 1_000;
const credential = { getToken: async () => ({ token: 'bench', expiresOnTimestamp: Date.now() + 3_600_000 }) };
const logger = createLogger({ level: 'warn' });

const world = await startRunbookWorld();
const { kube, env } = world;

function checksFor(overrides: Record<string, string> = {}): readonly HealthCheck[] {
  const config = loadConfig({ env: { ...env, ...overrides } });
  const cluster = createKubeCluster({
    config,
    logger,
    clock: systemClock,
    kubeconfigPath: kube.kubeconfigPath,
  });
  return runbookHealthChecks(config, cluster, { azureCredential: credential });
}

async function median(run: () => Promise<number>): Promise<{ p50: number; max: number }> {
  await run(); // warm connections and JIT
  const samples: number[] = [];
  for (let i = 0; i < ROUNDS; i++) samples.push(await run());
  samples.sort((a, b) => a - b);
  return { p50: samples[Math.floor(samples.length / 2)] ?? Number.NaN, max: samples.at(-1) ?? Number.NaN };
}

try {
  const checks = checksFor();
  const single: Record<string, number> = {};
  for (const check of checks) {
    single[check.name] = (
      await median(async () => (await runHealthChecks([check], { timeoutMs: 5_000 })).durationMs)
    ).p50;
  }
  const all = await median(async () => {
    const report = await runHealthChecks(checks, { timeoutMs: 5_000 });
    if (report.verdict !== 'healthy')
      throw new Error(`expected healthy, got ${JSON.stringify(report.checks)}`);
    return report.durationMs;
  });
  const slowest = Math.max(...Object.values(single));
  const hanging = checksFor({ FLEET_API_URL: world.hangingUrl });
  const hung = await median(
    async () => (await runHealthChecks(hanging, { timeoutMs: HANG_TIMEOUT_MS })).durationMs,
  );
  const rss = await peakRss();

  console.log(
    `\nnode ${process.version} · ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'} · medians of ${ROUNDS} rounds\n`,
  );
  console.log('| check alone | p50 |\n|---|---:|');
  for (const [name, ms] of Object.entries(single)) console.log(`| ${name} | ${ms.toFixed(1)} ms |`);
  console.log('\n| measurement | p50 | max | target |\n|---|---:|---:|---|');
  console.log(
    `| all seven, healthy | ${all.p50.toFixed(1)} ms | ${all.max.toFixed(1)} ms | ≤ slowest single (${slowest.toFixed(1)} ms) + 100 ms |`,
  );
  console.log(
    `| Fleet API hanging, timeout ${HANG_TIMEOUT_MS} ms | ${hung.p50.toFixed(1)} ms | ${hung.max.toFixed(1)} ms | ≤ ${HANG_TIMEOUT_MS + 100} ms |`,
  );
  console.log(`| peak RSS of \`fleetbot run health --json\` | ${rss} MB | | |`);
} finally {
  await world.close();
}

/** `fleetbot run health` as a user runs it; the child reports its own peak RSS (getrusage) on exit. */
function peakRss(): Promise<number> {
  const cli = fileURLToPath(new URL('../src/cli.ts', import.meta.url));
  const report =
    "process.on('exit',()=>process.stderr.write('maxrss='+process.resourceUsage().maxRSS+'\\n'))";
  const child = spawn(
    process.execPath,
    ['--import', `data:text/javascript,${encodeURIComponent(report)}`, cli, 'run', 'health', '--json'],
    {
      env: { ...process.env, ...env, APPINSIGHTS_RESOURCE_ID: '' },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr?.on('data', (chunk) => {
    stderr += String(chunk);
  });
  return new Promise((resolve) =>
    child.once('close', () =>
      resolve(Math.round(Number(/maxrss=(\d+)/.exec(stderr)?.[1] ?? Number.NaN) / 1024)),
    ),
  );
}
