import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { z } from 'zod';
import { FleetbotError } from '../../src/domain/errors.ts';
import { JOBS } from '../../src/domain/jobs.ts';
import { createMetrics } from '../../src/metrics.ts';
import { defineJob, type JobDefinition, jobId } from '../../src/queue/job-definition.ts';
import { JobQueue } from '../../src/queue/job-queue.ts';
import { type JobHandlers, jobDefinitions } from '../../src/queue/jobs/index.ts';
import { openQueueBackend } from '../../src/queue/queue-backend.ts';
import { createTestDatabase, uniqueNamespace } from '../support/databases.ts';
import { eventually } from '../support/eventually.ts';
import { captureLogs } from '../support/log-capture.ts';

const redisUrl = inject('redisUrl');
const { logger } = captureLogs('silent');
let database: Awaited<ReturnType<typeof createTestDatabase>>;

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.drop();
});

interface Harness {
  queue: JobQueue;
  seen: { name: string; value: number; attempt: number }[];
}

const open: JobQueue[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((queue) => queue.close()));
});

function testJobs(seen: Harness['seen']) {
  const record = (name: string) => async (data: { value: number }, context: { attempt: number }) => {
    seen.push({ name, value: data.value, attempt: context.attempt });
  };
  let flakyFailures = 0;
  return [
    defineJob({
      name: 'test.record',
      queue: 'system',
      data: z.object({ value: z.number() }),
      handle: record('test.record'),
    }),
    defineJob({
      name: 'test.flaky-read',
      queue: 'system',
      data: z.object({ value: z.number() }),
      retry: { attempts: 3, backoffMs: 20 },
      async handle(data, context) {
        await record('test.flaky-read')(data, context);
        if (flakyFailures++ < 2) throw new Error('cluster answered 503');
      },
    }),
    defineJob({
      name: 'test.mutation',
      queue: 'system',
      data: z.object({ value: z.number() }),
      async handle(data, context) {
        await record('test.mutation')(data, context);
        throw new Error('rollout failed');
      },
    }),
    defineJob({
      name: 'test.slow',
      queue: 'system',
      data: z.object({ value: z.number() }),
      async handle(data, context) {
        await new Promise((resolve) => setTimeout(resolve, 400));
        await record('test.slow')(data, context);
      },
    }),
  ];
}

const backends = [
  { kind: 'postgres' as const, skip: false, reason: '' },
  { kind: 'redis' as const, skip: redisUrl === null, reason: inject('redisSkipReason') },
];

for (const backend of backends) {
  // Skipped only where redis-server is missing outside CI; global setup prints why, and CI fails instead.
  describe.skipIf(backend.skip)(`job queue on ${backend.kind}`, () => {
    async function harness(): Promise<Harness> {
      const seen: Harness['seen'] = [];
      const queueBackend = openQueueBackend({
        databaseUrl: database.url,
        redisUrl: backend.kind === 'redis' ? (redisUrl ?? undefined) : undefined,
        namespace: uniqueNamespace(),
        logger,
      });
      await queueBackend.prepare();
      const queue = new JobQueue({
        backend: queueBackend,
        jobs: testJobs(seen),
        logger,
        metrics: createMetrics(),
      });
      open.push(queue);
      queue.startWorkers();
      return { queue, seen };
    }

    it('runs every job enqueued, however many arrive at once', async () => {
      const { queue, seen } = await harness();
      expect(queue.backendKind).toBe(backend.kind);
      // More than one bulk insert holds (500), with some delayed, so batches mix options.
      const count = 600;
      const ids = await Promise.all(
        Array.from({ length: count }, (_, value) =>
          queue.enqueue('test.record', { value }, value % 100 === 0 ? { delayMs: 50 } : {}),
        ),
      );
      expect(new Set(ids).size).toBe(count);
      await eventually(() => seen.length === count, 20_000, `${count} jobs`);
      expect(seen.map((s) => s.value).sort((a, b) => a - b)).toEqual(
        Array.from({ length: count }, (_, i) => i),
      );
    });

    it('runs a delayed job only after its delay', async () => {
      const { queue, seen } = await harness();
      const id = await queue.enqueue('test.record', { value: 7 }, { delayMs: 300 });
      await eventually(() => seen.length === 1, 10_000, 'the delayed job');
      const job = await queue.job('system', id);
      expect(job?.opts.delay).toBe(300);
      expect((job?.processedOn ?? 0) - (job?.timestamp ?? 0)).toBeGreaterThanOrEqual(300);
    });

    it('de-duplicates by job id: the same request enqueued twice runs once', async () => {
      const { queue, seen } = await harness();
      // Enqueued in the same tick, so both land in one bulk insert.
      const [first, second] = await Promise.all([
        queue.enqueue('test.record', { value: 1 }, { jobId: jobId('action', 'req:42') }),
        queue.enqueue('test.record', { value: 1 }, { jobId: jobId('action', 'req:42') }),
      ]);
      expect(second).toBe(first);
      expect(first).toBe('action.req_42');
      await eventually(() => seen.length === 1);
      // Still one after it has finished: a late Slack retry must not run it again.
      await eventually(async () => (await (await queue.job('system', first))?.getState()) === 'completed');
      // The id names one finished job: the third enqueue adds nothing that could still run.
      expect(await queue.enqueue('test.record', { value: 1 }, { jobId: jobId('action', 'req:42') })).toBe(
        first,
      );
      expect(await (await queue.job('system', first))?.getState()).toBe('completed');
      expect(seen).toHaveLength(1);
    });

    it('retries a retryable job with backoff, and never retries one that is not', async () => {
      const { queue, seen } = await harness();
      const readId = await queue.enqueue('test.flaky-read', { value: 1 });
      const mutationId = await queue.enqueue('test.mutation', { value: 2 });
      await eventually(
        () => seen.filter((s) => s.name === 'test.flaky-read').length === 3,
        10_000,
        'three attempts',
      );
      expect(seen.filter((s) => s.name === 'test.flaky-read').map((s) => s.attempt)).toEqual([1, 2, 3]);
      await eventually(async () => (await queue.job('system', readId))?.finishedOn);
      expect(await (await queue.job('system', readId))?.getState()).toBe('completed');
      await eventually(async () => (await (await queue.job('system', mutationId))?.getState()) === 'failed');
      expect(seen.filter((s) => s.name === 'test.mutation')).toHaveLength(1);
    });

    it('drains on close: a job in progress finishes before the workers stop', async () => {
      const { queue, seen } = await harness();
      const id = await queue.enqueue('test.slow', { value: 9 });
      await eventually(async () => (await (await queue.job('system', id))?.getState()) === 'active');
      open.splice(open.indexOf(queue), 1);
      await queue.close();
      expect(seen).toEqual([{ name: 'test.slow', value: 9, attempt: 1 }]);
    });
  });
}

describe('job registry', () => {
  const backend = () => openQueueBackend({ databaseUrl: database.url, namespace: uniqueNamespace(), logger });

  it('refuses two definitions with one name at start-up', () => {
    const job = testJobs([])[0] as JobDefinition;
    expect(
      () => new JobQueue({ backend: backend(), jobs: [job, job], logger, metrics: createMetrics() }),
    ).toThrow('Two job definitions are named "test.record"');
  });

  it('refuses to start when a job of the catalog has no handler, or a handler no job, whatever the configuration', () => {
    const handle = async () => undefined;
    const handlers = Object.fromEntries(
      Object.keys(JOBS).map((name) => [name, handle]),
    ) as unknown as JobHandlers;
    expect(jobDefinitions(handlers).map((definition) => definition.name)).toEqual(Object.keys(JOBS));
    const { 'message.deliver': _missing, ...withoutDelivery } = handlers;
    expect(() => jobDefinitions(withoutDelivery as unknown as JobHandlers)).toThrow(
      'No handler for job(s) message.deliver. Every job in src/domain/jobs.ts needs exactly one handler in src/queue/jobs/.',
    );
    expect(() => jobDefinitions({ ...handlers, 'message.typo': handle } as unknown as JobHandlers)).toThrow(
      'Handler(s) for unknown job(s) message.typo.',
    );
  });

  it('rejects unknown jobs and invalid data at enqueue, saying what is known and what is wrong', async () => {
    const queue = new JobQueue({ backend: backend(), jobs: testJobs([]), logger, metrics: createMetrics() });
    open.push(queue);
    const unknown = await queue.enqueue('test.nope', {}).catch((error: unknown) => error);
    expect(unknown).toBeInstanceOf(FleetbotError);
    expect((unknown as FleetbotError).hint).toContain('test.record');
    await expect(queue.enqueue('test.record', { value: 'three' })).rejects.toThrow(/invalid data/);
  });
});
