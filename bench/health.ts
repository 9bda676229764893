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
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:http';
import { type AddressInfo, createServer as createTcpServer, type Socket } from 'node:net';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { systemClock } from '../src/adapters/clock.ts';
import { createKubeCluster } from '../src/cluster/kube-cluster.ts';
import { loadConfig } from '../src/config/index.ts';
import { EmbeddedPostgres } from '../src/db/embedded-postgres.ts';
import { type HealthCheck, runHealthChecks } from '../src/health/health-check.ts';
import { runbookHealthChecks } from '../src/health/runbook-checks.ts';
import { freePort } from '../src/lib/free-port.ts';
import { createLogger } from '../src/logging/logger.ts';
import { FakeAzureMonitor } from '../test/support/fake-azure-monitor.ts';
import { startFakeKube } from '../test/support/fake-kube/index.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 30);
const HANG_TIMEOUT_MS = 1_000;
const credential = { getToken: async () => ({ token: 'bench', expiresOnTimestamp: Date.now() + 3_600_000 }) };
const logger = createLogger({ level: 'warn' });

const kube = await startFakeKube();
const azure = await FakeAzureMonitor.start();
azure.answer({ count: 1284 });
const api = createServer((_request, response) => {
  response.writeHead(200, { 'content-type': 'application/json' });
  response.end(JSON.stringify({ status: 'healthy', environment: 'production', version: '1.0.0' }));
});
await new Promise<void>((resolve) => api.listen(0, '127.0.0.1', resolve));
const sockets = new Set<Socket>();
const silent = createTcpServer((socket) => sockets.add(socket));
await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
const dataDir = await mkdtemp(join(tmpdir(), 'fleetbot-bench-health-'));
const postgres = new EmbeddedPostgres({ dataDir, logger });
const databaseUrl = await postgres.start();
const redisPort = await freePort();
const redis: ChildProcess = spawn(
  'redis-server',
  ['--port', String(redisPort), '--bind', '127.0.0.1', '--save', ''],
  { stdio: 'ignore' },
);
await new Promise((resolve) => setTimeout(resolve, 300));

const env = {
  KUBECONFIG: kube.kubeconfigPath,
  FLEET_API_URL: `http://127.0.0.1:${(api.address() as AddressInfo).port}`,
  FLEET_DATABASE_URL: databaseUrl,
  FLEET_REDIS_URL: `redis://127.0.0.1:${redisPort}`,
  APPINSIGHTS_RESOURCE_ID:
    '/subscriptions/00000000-0000-0000-0000-00000000f1ee/resourceGroups/rg/providers/microsoft.insights/components/fleet',
  AZURE_MONITOR_LOGS_ENDPOINT: azure.url,
  LOG_LEVEL: 'warn',
};

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
  const hanging = checksFor({ FLEET_API_URL: `http://127.0.0.1:${(silent.address() as AddressInfo).port}` });
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
  for (const socket of sockets) socket.destroy();
  silent.close();
  api.close();
  redis.kill('SIGTERM');
  await azure.close();
  await kube.close();
  await postgres.stop();
  await rm(dataDir, { recursive: true, force: true });
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
