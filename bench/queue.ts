/**
 * npm run bench:queue — queue throughput and timer lateness on both backends.
 *
 * (1) add and process 10,000 small jobs at concurrency 10; (2) the lateness
 * (actual run time minus scheduled time) of 1,000 delayed jobs scheduled 2–5 s
 * ahead. Reports p50/p99 and the worker's peak RSS. Starts its own embedded
 * PostgreSQL and redis-server (`--hz 100`, see BENCHMARKS.md), on loopback only.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { EmbeddedPostgres } from '../src/db/embedded-postgres.ts';
import { freePort } from '../src/lib/free-port.ts';
import { createLogger } from '../src/logging/logger.ts';
import { createMetrics } from '../src/metrics.ts';
import { defineJob } from '../src/queue/job-definition.ts';
import { JobQueue } from '../src/queue/job-queue.ts';
import { openQueueBackend, type QueueBackendKind } from '../src/queue/queue-backend.ts';

const JOBS = Number(process.env.BENCH_JOBS ?? 10_000);
const DELAYED = Number(process.env.BENCH_DELAYED ?? 1_000);
const CONCURRENCY = 10;
const logger = createLogger({ level: 'warn' });

interface Figures {
  backend: QueueBackendKind;
  jobsPerSecond: number;
  lateness: { p50: number; p99: number; max: number };
  peakRssMb: number;
}

async function measure(
  kind: QueueBackendKind,
  databaseUrl: string,
  redisUrl: string | undefined,
): Promise<Figures> {
  let done = 0;
  let onAllDone: () => void = () => {};
  const lateness: number[] = [];
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 100);
  const jobs = [
    defineJob({
      name: 'bench.noop',
      queue: 'system',
      data: z.object({ n: z.number() }),
      async handle() {
        if (++done === JOBS) onAllDone();
      },
    }),
    defineJob({
      name: 'bench.timer',
      queue: 'escalations',
      data: z.object({ dueAt: z.number() }),
      async handle({ dueAt }) {
        lateness.push(Date.now() - dueAt);
        if (lateness.length === DELAYED) onAllDone();
      },
    }),
  ];
  const backend = openQueueBackend({ databaseUrl, redisUrl, namespace: `bench_${Date.now()}`, logger });
  await backend.prepare();
  const queue = new JobQueue({ backend, jobs, logger, metrics: createMetrics() });
  queue.startWorkers({ system: CONCURRENCY, escalations: CONCURRENCY });

  const started = performance.now();
  const allDone = new Promise<void>((resolve) => {
    onAllDone = resolve;
  });
  for (let i = 0; i < JOBS; i += 100) {
    await Promise.all(
      Array.from({ length: Math.min(100, JOBS - i) }, (_, k) => queue.enqueue('bench.noop', { n: i + k })),
    );
  }
  await allDone;
  const jobsPerSecond = JOBS / ((performance.now() - started) / 1000);

  const timersDone = new Promise<void>((resolve) => {
    onAllDone = resolve;
  });
  await Promise.all(
    Array.from({ length: DELAYED }, () => {
      const delayMs = 2_000 + Math.floor(Math.random() * 3_000);
      return queue.enqueue('bench.timer', { dueAt: Date.now() + delayMs }, { delayMs });
    }),
  );
  await timersDone;
  clearInterval(sampler);
  await queue.close();
  lateness.sort((a, b) => a - b);
  const at = (q: number) =>
    lateness[Math.min(lateness.length - 1, Math.floor(q * lateness.length))] ?? Number.NaN;
  return {
    backend: kind,
    jobsPerSecond: Math.round(jobsPerSecond),
    lateness: { p50: at(0.5), p99: at(0.99), max: lateness.at(-1) ?? Number.NaN },
    peakRssMb: Math.round(peakRss / 1024 / 1024),
  };
}

async function startRedis(): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const child = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--hz', '100'],
    {
      stdio: 'ignore',
    },
  );
  await new Promise((resolve) => setTimeout(resolve, 300));
  return { url: `redis://127.0.0.1:${port}`, child };
}

const dataDir = await mkdtemp(join(tmpdir(), 'fleetbot-bench-'));
const postgres = new EmbeddedPostgres({ dataDir, logger });
const databaseUrl = await postgres.start();
const redis = await startRedis();
try {
  const results = [
    await measure('postgres', databaseUrl, undefined),
    await measure('redis', databaseUrl, redis.url),
  ];
  console.log(
    `\nnode ${process.version} · ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'} · ${JOBS} jobs, concurrency ${CONCURRENCY} · ${DELAYED} delayed jobs 2–5 s ahead\n`,
  );
  console.log('| backend | jobs/s (add + process) | delayed lateness p50 | p99 | max | peak RSS |');
  console.log('|---|---:|---:|---:|---:|---:|');
  for (const r of results) {
    console.log(
      `| ${r.backend} | ${r.jobsPerSecond} | ${r.lateness.p50} ms | ${r.lateness.p99} ms | ${r.lateness.max} ms | ${r.peakRssMb} MB |`,
    );
  }
} finally {
  redis.child.kill('SIGTERM');
  await postgres.stop();
  await rm(dataDir, { recursive: true, force: true });
}
