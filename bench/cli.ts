/**
 * npm run bench:cli — the CLI beside the commands it replaces, in the same run on the same world
 * (fake Kubernetes API and Azure Monitor, real PostgreSQL and redis-server, a local Fleet API):
 * wall time and peak RSS (GNU time's %e and %M) of each, medians of BENCH_ROUNDS runs (default 7).
 *
 *   fleetbot run status   vs  kubectl get deploy,statefulset,pods,svc
 *   fleetbot run health   vs  the runbook's health check typed by hand: kubectl ×3, curl, psql, redis-cli
 *   fleetbot --help
 *
 * fleetbot runs as a user's `fleetbot …` runs it: the built `dist/cli.js` through its own `#!` line
 * (which carries a V8 flag), after `npm run build`.
 *
 * Targets (issue 15): run status and run health ≤ 1.0 s wall and ≤ 120 MB peak RSS.
 */
import { execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { percentile } from './measure.ts';
import { startRunbookWorld } from './runbook-world.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const NAMESPACE = 'fleet-management';
const root = fileURLToPath(new URL('..', import.meta.url));
const cli = `${root}dist/cli.js`;

/** One run of `argv` under GNU time: wall seconds and peak RSS in MB (10^6 bytes). */
function timed(
  argv: readonly string[],
  env: Record<string, string>,
): Promise<{ wallS: number; rssMb: number }> {
  const child = spawn('/usr/bin/time', ['-f', 'bench-time %e %M', ...argv], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr += String(chunk);
  });
  return new Promise((resolve, reject) =>
    child.once('close', (code) => {
      const match = /bench-time ([\d.]+) (\d+)/.exec(stderr);
      if (!match || (code !== 0 && code !== 1))
        reject(new Error(`${argv.join(' ')} exited ${code}: ${stderr.slice(-2000)}`));
      else resolve({ wallS: Number(match[1]), rssMb: (Number(match[2]) * 1024) / 1e6 });
    }),
  );
}

async function medians(argv: readonly string[], env: Record<string, string>) {
  await timed(argv, env); // warm the page cache and Node's compile cache
  const runs = [];
  for (let i = 0; i < ROUNDS; i++) runs.push(await timed(argv, env));
  return {
    wallS: percentile(
      runs.map((run) => run.wallS),
      0.5,
    ),
    rssMb: percentile(
      runs.map((run) => run.rssMb),
      0.5,
    ),
  };
}

execFileSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
// What the kernel runs for `fleetbot …`: the interpreter and flags of the `#!` line, then the script.
const shebang = (readFileSync(cli, 'utf8').split('\n')[0] ?? '').replace(/^#!/, '').trim().split(/\s+/);
const world = await startRunbookWorld();
try {
  const { env } = world;
  const fleetbot = (...args: string[]) => [...shebang, cli, ...args];
  const byHand = [
    `kubectl get pods -n ${NAMESPACE}`,
    `kubectl get deployments -n ${NAMESPACE}`,
    `kubectl get services -n ${NAMESPACE}`,
    `curl -fsS ${world.apiUrl}/health`,
    `psql ${world.databaseUrl} -c 'SELECT 1'`,
    `redis-cli -p ${world.redisPort} ping`,
  ].join(' && ');
  const rows: [string, Awaited<ReturnType<typeof medians>>, string?, Awaited<ReturnType<typeof medians>>?][] =
    [];
  const plainStatus = await medians(['kubectl', 'get', 'deploy,statefulset,pods,svc', '-n', NAMESPACE], env);
  rows.push([
    '`fleetbot run status`',
    await medians(fleetbot('run', 'status'), env),
    '`kubectl get deploy,statefulset,pods,svc`',
    plainStatus,
  ]);
  const plainHealth = await medians(['sh', '-c', byHand], env);
  rows.push([
    '`fleetbot run health`',
    await medians(fleetbot('run', 'health'), env),
    'kubectl ×3, curl, psql, redis-cli by hand',
    plainHealth,
  ]);
  // The same without Application Insights: what the Azure SDK (loaded for the telemetry check) adds.
  const { APPINSIGHTS_RESOURCE_ID: _, ...noAzure } = env;
  rows.push(['`fleetbot run health`, no App Insights', await medians(fleetbot('run', 'health'), noAzure)]);
  rows.push(['`fleetbot --help`', await medians(fleetbot('--help'), env)]);

  console.log(
    `\nnode ${process.version} · ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'} · medians of ${ROUNDS} runs\n`,
  );
  console.log('| what | fleetbot wall | peak RSS | plain command | its wall | its RSS | wall ratio |');
  console.log('|---|---:|---:|---|---:|---:|---:|');
  for (const [name, ours, plainName, plain] of rows) {
    const theirs = plain
      ? `${plainName} | ${plain.wallS.toFixed(2)} s | ${plain.rssMb.toFixed(0)} MB | ${(ours.wallS / plain.wallS).toFixed(1)}×`
      : '— | | | ';
    console.log(`| ${name} | ${ours.wallS.toFixed(2)} s | ${ours.rssMb.toFixed(0)} MB | ${theirs} |`);
  }
  console.log('\nTargets: run status and run health ≤ 1.0 s wall and ≤ 120 MB peak RSS.');
} finally {
  await world.close();
}
