import { DelayedError, type Job, type JobsOptions, UnrecoverableError } from 'bullmq';
import { FleetbotError, ShutdownError } from '../domain/errors.ts';
import type { EnqueueOptions } from '../domain/jobs.ts';
import { withTimeout } from '../lib/with-timeout.ts';
import type { Logger } from '../logging/logger.ts';
import type { Metrics } from '../metrics.ts';
import type { JobDefinition, QueueName } from './job-definition.ts';
import type {
  BackendQueue,
  BackendWorker,
  JobToAdd,
  QueueBackend,
  QueueBackendKind,
} from './queue-backend.ts';

export interface JobQueueOptions {
  backend: QueueBackend;
  // biome-ignore lint/suspicious/noExplicitAny: a registry holds definitions of many data types
  jobs: readonly JobDefinition<any>[];
  logger: Logger;
  metrics: Metrics;
  /**
   * On shutdown, how long running jobs may finish as they are before being asked to stop (the
   * deployment's terminationGracePeriodSeconds covers this, 5 s more, and the database's stop).
   * @defaultValue 20 s
   */
  drainMs?: number;
}

export type { EnqueueOptions } from '../domain/jobs.ts';

/** How long finished jobs are kept, which is also how long their ids de-duplicate. */
const KEEP_COMPLETED_S = 24 * 3600;
const KEEP_FAILED_S = 7 * 24 * 3600;
/** An add that takes longer fails: a Slack command must be answered within 3 s. */
const ENQUEUE_TIMEOUT_MS = 2_000;
/** On shutdown, running jobs get this long to finish as they are. @see JobQueueOptions.drainMs */
export const DRAIN_TIMEOUT_MS = 20_000;
/** Workers with no job running get this long to close before they are closed by force. */
const IDLE_CLOSE_MS = 1_000;
/** Then, asked to stop, this long to reach a safe point before the workers are closed by force. */
const STOP_TIMEOUT_MS = 5_000;

function within(work: Promise<boolean>, ms: number): Promise<boolean> {
  return Promise.race([work, new Promise<false>((resolve) => setTimeout(resolve, ms, false).unref())]);
}

/** BullMQ's options for one job of `definition`: its id, delay, retries and retention. */
function jobOptions(definition: JobDefinition, options: EnqueueOptions): JobsOptions {
  return {
    ...(options.jobId ? { jobId: options.jobId } : {}),
    ...(options.delayMs ? { delay: options.delayMs } : {}),
    attempts: definition.retry?.attempts ?? 1,
    ...(definition.retry ? { backoff: { type: 'exponential', delay: definition.retry.backoffMs } } : {}),
    // Age-based retention: count-based retention deadlocks BullMQ's PostgreSQL backend under load.
    removeOnComplete: options.sensitive ? true : { age: KEEP_COMPLETED_S },
    removeOnFail: options.sensitive ? true : { age: KEEP_FAILED_S },
  };
}

/**
 * Typed enqueue and the workers that run registered jobs. Start-up fails when
 * two definitions share a name, so a job can never be picked up by the wrong
 * handler or by none.
 */
export class JobQueue {
  readonly backendKind: QueueBackendKind;
  private readonly backend: QueueBackend;
  private readonly logger: Logger;
  private readonly metrics: Metrics;
  private readonly definitions = new Map<string, JobDefinition>();
  private readonly queues = new Map<QueueName, BackendQueue>();
  private readonly workers: BackendWorker[] = [];
  /** The concurrency the workers were started with; undefined until they are. */
  private concurrency: Partial<Record<QueueName, number>> | undefined;
  private readonly shutdown = new AbortController();
  private readonly drainMs: number;
  /** Jobs being handled now, in this process. */
  private running = 0;

  constructor(options: JobQueueOptions) {
    this.backend = options.backend;
    this.backendKind = options.backend.kind;
    this.logger = options.logger.child({ component: 'queue', backend: options.backend.kind });
    this.metrics = options.metrics;
    this.drainMs = options.drainMs ?? DRAIN_TIMEOUT_MS;
    for (const definition of options.jobs) {
      if (this.definitions.has(definition.name)) {
        throw new Error(`Two job definitions are named "${definition.name}"; job names must be unique.`);
      }
      this.definitions.set(definition.name, definition);
    }
  }

  async enqueue(name: string, data: unknown, options: EnqueueOptions = {}): Promise<string> {
    const [id] = await this.enqueueAll([{ name, data, options }]);
    if (!id) throw new Error(`queue returned no id for "${name}"`);
    return id;
  }

  /**
   * Validates every job, then adds them with one bulk add per queue; the ids in the order given.
   * Nothing is added when one of them is invalid.
   */
  async enqueueAll(
    jobs: readonly { name: string; data: unknown; options?: EnqueueOptions | undefined }[],
  ): Promise<string[]> {
    const byQueue = new Map<QueueName, { index: number; name: string; job: JobToAdd }[]>();
    jobs.forEach(({ name, data, options = {} }, index) => {
      const definition = this.definition(name);
      const parsed = definition.data.safeParse(data);
      if (!parsed.success) {
        throw new FleetbotError(
          'invalid_job_data',
          `Job "${name}" was given invalid data: ${parsed.error.message}`,
        );
      }
      const batch = byQueue.get(definition.queue) ?? [];
      batch.push({ index, name, job: { name, data: parsed.data, opts: jobOptions(definition, options) } });
      byQueue.set(definition.queue, batch);
    });
    const ids: string[] = new Array(jobs.length);
    await Promise.all(
      [...byQueue].map(async ([queue, batch]) => {
        const added = await this.add(queue, batch);
        batch.forEach(({ index, name }, position) => {
          const id = added[position]?.id;
          if (!id) throw new Error(`queue returned a job without an id for "${name}"`);
          ids[index] = id;
          this.metrics.jobsEnqueued.inc({ queue, job: name });
        });
      }),
    );
    return ids;
  }

  /** The bulk add itself; a store that does not answer becomes an error that says so, not a wait. */
  private async add(queue: QueueName, batch: readonly { name: string; job: JobToAdd }[]): Promise<Job[]> {
    const added = this.queue(queue).addBulk(batch.map(({ job }) => job));
    try {
      return await withTimeout(added, ENQUEUE_TIMEOUT_MS, 'the queue did not take the job');
    } catch (error) {
      const names = [...new Set(batch.map(({ name }) => `"${name}"`))].join(', ');
      throw new FleetbotError(
        'queue_unavailable',
        `The job queue (${this.backendKind === 'redis' ? 'Redis' : 'PostgreSQL'}) is not answering, so ${names} was not queued.`,
        {
          hint: 'Nothing was started. Try again in a minute; /readyz names the failing dependency.',
          cause: error,
        },
      );
    }
  }

  /** Starts one worker per queue that has registered jobs. */
  startWorkers(concurrency: Partial<Record<QueueName, number>> = {}): void {
    this.concurrency = concurrency;
    const names = new Set([...this.definitions.values()].map((d) => d.queue));
    for (const name of names) {
      const worker = this.backend.worker(name, (job, token, signal) => this.process(job, token, signal), {
        concurrency: concurrency[name] ?? 10,
      });
      worker.on('error', (error) => this.logger.error({ err: error, queue: name }, 'worker error'));
      this.workers.push(worker);
    }
    this.logger.info({ queues: [...names] }, 'workers started');
  }

  /**
   * Runs job `name` (whose data is `{}`) every `everyMs`, across all processes together: BullMQ's
   * job scheduler keeps one schedule per id in the store, so every worker may call this at start.
   */
  async schedule(name: string, everyMs: number): Promise<void> {
    const definition = this.definition(name);
    await this.queue(definition.queue).upsertJobScheduler(
      name,
      { every: everyMs },
      {
        name,
        data: {},
        opts: {
          attempts: definition.retry?.attempts ?? 1,
          removeOnComplete: { age: 3600 },
          removeOnFail: { age: KEEP_FAILED_S },
        },
      },
    );
  }

  /**
   * Replaces every worker with a new one once the queue's store is back from a crash (the embedded
   * PostgreSQL started again). A worker whose jobs could not be finished while the store was gone
   * may keep their slots for ever (BullMQ's PostgreSQL backend; the chaos suite found all eight of
   * the delivery worker's slots held so, and 389 messages waiting). The old workers are closed
   * without waiting; the jobs they held are found stalled and run again, each safe to run twice.
   */
  async renewWorkers(): Promise<void> {
    if (!this.concurrency) return;
    const old = this.workers.splice(0);
    await within(
      Promise.all(old.map((worker) => worker.close(true))).then(() => true),
      STOP_TIMEOUT_MS,
    );
    this.startWorkers(this.concurrency);
    this.logger.warn({ workers: old.length }, 'queue workers renewed after the store came back');
  }

  /** Answers when the queue store answers; used by readiness. */
  async ping(timeoutMs = 2_000): Promise<void> {
    await withTimeout(this.queue('system').getJobCounts('waiting'), timeoutMs, 'queue did not answer');
  }

  /**
   * Drains: workers stop taking jobs and finish the ones they hold (forced after
   * DRAIN_TIMEOUT_MS), then every connection closes.
   */
  async close(): Promise<void> {
    const closing = Promise.all(this.workers.map((worker) => worker.close())).then(() => true);
    // Idle workers close at once; a short wait covers a job being picked up right now. Without that
    // bound, a store that went away (Redis down) would hold the close on a blocking read for ever.
    let drained = await within(closing, IDLE_CLOSE_MS);
    // Running jobs get the grace to finish as they are; then their signal asks long waits (a
    // rollout being followed) to stop at a safe point and report what happened.
    if (!drained && this.running > 0) drained = await within(closing, this.drainMs);
    if (!drained && this.running > 0) {
      this.logger.warn({ graceMs: this.drainMs }, 'jobs still running at shutdown; asking them to stop');
      this.shutdown.abort(new ShutdownError());
      drained = await within(closing, STOP_TIMEOUT_MS);
    }
    if (!drained) {
      this.logger.warn('workers did not stop in time; closing them by force');
      const forced = Promise.all(this.workers.map((worker) => worker.close(true))).then(() => true);
      await within(forced, STOP_TIMEOUT_MS);
    }
    // The store may be the thing that is gone (Redis down): closing never waits for it for long.
    const queues = Promise.all([...this.queues.values()].map((queue) => queue.close())).then(() => true);
    if (!(await within(queues, STOP_TIMEOUT_MS)))
      this.logger.warn('the queue store did not answer at shutdown');
    if (
      !(await within(
        this.backend.close().then(() => true),
        STOP_TIMEOUT_MS,
      ))
    )
      this.logger.warn('the queue backend did not close in time');
  }

  /** The stored job, for tests and for callers checking on progress. */
  async job(queue: QueueName, id: string): Promise<Job | undefined> {
    return this.queue(queue).getJob(id);
  }

  private async process(
    job: Job,
    token: string | undefined,
    signal: AbortSignal | undefined,
  ): Promise<unknown> {
    const definition = this.definitions.get(job.name);
    if (!definition) throw new UnrecoverableError(`No handler is registered for job "${job.name}".`);
    const parsed = definition.data.safeParse(job.data);
    if (!parsed.success)
      throw new UnrecoverableError(`Job "${job.name}" has invalid data: ${parsed.error.message}`);
    const started = performance.now();
    const labels = { queue: definition.queue, job: job.name };
    this.running++;
    try {
      const result = await definition.handle(parsed.data, {
        id: job.id ?? '',
        attempt: job.attemptsMade + 1,
        logger: this.logger.child({ job: job.name, jobId: job.id }),
        signal: signal ? AbortSignal.any([signal, this.shutdown.signal]) : this.shutdown.signal,
        progress: (value) => job.updateProgress(value),
        retryAt: async (at) => {
          await job.moveToDelayed(at.getTime(), token);
          throw new DelayedError();
        },
      });
      this.metrics.jobsProcessed.inc({ ...labels, outcome: 'completed' });
      return result;
    } catch (error) {
      if (error instanceof DelayedError) {
        this.metrics.jobsProcessed.inc({ ...labels, outcome: 'delayed' });
        throw error;
      }
      const final = !definition.retry || job.attemptsMade + 1 >= definition.retry.attempts;
      this.metrics.jobsProcessed.inc({ ...labels, outcome: final ? 'failed' : 'retried' });
      this.logger.warn({ err: error, job: job.name, jobId: job.id, final }, 'job failed');
      throw error;
    } finally {
      this.running--;
      this.metrics.jobDuration.observe(labels, (performance.now() - started) / 1000);
    }
  }

  private definition(name: string): JobDefinition {
    const definition = this.definitions.get(name);
    if (!definition) {
      throw new FleetbotError('unknown_job', `No job named "${name}" is registered.`, {
        hint: `Registered jobs: ${[...this.definitions.keys()].join(', ') || 'none'}.`,
      });
    }
    return definition;
  }

  private queue(name: QueueName): BackendQueue {
    let queue = this.queues.get(name);
    if (!queue) {
      queue = this.backend.queue(name);
      queue.on('error', (error) => this.logger.warn({ err: error, queue: name }, 'queue connection error'));
      this.queues.set(name, queue);
    }
    return queue;
  }
}
