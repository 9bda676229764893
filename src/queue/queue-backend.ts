import {
  createPostgresBackend,
  createRedisBackend,
  Job,
  type JobsOptions,
  runMigrations,
  withBackend,
} from 'bullmq';
import { Redis } from 'ioredis';
import pg from 'pg';
import { FleetbotError } from '../domain/errors.ts';
import { Batcher } from '../lib/batcher.ts';
import type { Logger } from '../logging/logger.ts';

/** One job of a bulk add. */
export interface JobToAdd {
  name: string;
  data: unknown;
  opts: JobsOptions;
}

export type QueueBackendKind = 'redis' | 'postgres';

export interface QueueBackendOptions {
  /** Redis backend when set; otherwise BullMQ's PostgreSQL backend on `databaseUrl`. */
  redisUrl?: string | undefined;
  databaseUrl: string;
  /** Keeps several fleetbots (or tests) apart: the Redis key prefix, or the PostgreSQL schema. */
  namespace?: string;
  logger: Logger;
}

/** The part of a BullMQ Queue fleetbot uses, whatever the backend. */
export interface BackendQueue {
  /**
   * Adds the jobs, and any other callers' that arrive meanwhile, in one round trip (a pipeline on
   * Redis, one transaction on PostgreSQL); their ids in order. A job whose id is taken is not added
   * again: its id is returned.
   */
  addBulk(jobs: readonly JobToAdd[]): Promise<string[]>;
  getJobCounts(...types: string[]): Promise<Record<string, number>>;
  getJob(id: string): Promise<Job | undefined>;
  /** Adds `name` every `every` ms from now on, once across all processes (BullMQ's job scheduler). */
  upsertJobScheduler(
    id: string,
    repeat: { every: number },
    template: { name: string; data: unknown; opts?: JobsOptions },
  ): Promise<unknown>;
  close(): Promise<void>;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

/** The part of a BullMQ Worker fleetbot uses, whatever the backend. */
export interface BackendWorker {
  close(force?: boolean): Promise<void>;
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'failed', listener: (job: Job | undefined, error: Error) => void): unknown;
}

export type Processor = (job: Job, token?: string, signal?: AbortSignal) => Promise<unknown>;

/**
 * The one place that knows which queue backend runs. Everything else talks to
 * `BackendQueue` / `BackendWorker`.
 */
export interface QueueBackend {
  readonly kind: QueueBackendKind;
  /** Creates what the backend needs to exist (the PostgreSQL schema); safe to run twice and concurrently. */
  prepare(): Promise<void>;
  queue(name: string): BackendQueue;
  worker(name: string, processor: Processor, options: { concurrency: number }): BackendWorker;
  close(): Promise<void>;
}

/** `queue` with its adds going through `batcher`, which answers each job's id or why it was not added. */
function batched(queue: BackendQueue, batcher: Batcher<JobToAdd, string | Error | undefined>): BackendQueue {
  const added = (job: JobToAdd) => async (): Promise<string> => {
    const result = await batcher.submit(job);
    if (result instanceof Error) throw result;
    if (!result) throw new Error(`the queue returned no id for "${job.name}"`);
    return result;
  };
  return {
    addBulk: (jobs) => Promise.all(jobs.map((job) => added(job)())),
    getJobCounts: (...types) => queue.getJobCounts(...types),
    getJob: (id) => queue.getJob(id),
    upsertJobScheduler: (id, repeat, template) => queue.upsertJobScheduler(id, repeat, template),
    close: () => queue.close(),
    on: (event, listener) => queue.on(event, listener),
  };
}

/** Not `fleetbot`: a schema named like the database user would come first on PostgreSQL's default search_path. */
const DEFAULT_NAMESPACE = 'fleetbot_queue';

export function openQueueBackend(options: QueueBackendOptions): QueueBackend {
  const namespace = options.namespace ?? DEFAULT_NAMESPACE;
  return options.redisUrl
    ? redisBackend(options.redisUrl, namespace, options.logger)
    : postgresBackend(options.databaseUrl, namespace);
}

function redisBackend(url: string, prefix: string, logger: Logger): QueueBackend {
  const classes = withBackend(createRedisBackend);
  // Adding jobs fails fast while Redis is away: a Slack command is then answered with an error
  // instead of hanging past Slack's 3 s (no offline queue, one retry, a connect timeout).
  const producer = new Redis(url, {
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
    connectTimeout: 3_000,
    commandTimeout: 5_000,
  });
  // Workers wait on blocking reads and ride out an outage: BullMQ requires maxRetriesPerRequest null
  // there, and duplicates this connection for each worker.
  const consumer = new Redis(url, { maxRetriesPerRequest: null });
  for (const connection of [producer, consumer]) {
    connection.on('error', (error) => logger.warn({ err: error }, 'redis connection error'));
  }
  return {
    kind: 'redis',
    prepare: async () => {},
    queue: (name) => {
      const queue = new classes.Queue(name, { connection: producer, prefix });
      // One pipeline per batch, not per add: each ioredis pipeline copies BullMQ's ~60 scripts onto
      // itself and is its own socket write (a quarter of the CPU of the ack path when one per add).
      const batcher = new Batcher<JobToAdd, string | undefined>(async (jobs) =>
        (await queue.addBulk(jobs)).map((job) => job.id),
      );
      return batched(queue as unknown as BackendQueue, batcher);
    },
    worker: (name, processor, { concurrency }) =>
      new classes.Worker(name, processor, {
        connection: consumer,
        prefix,
        concurrency,
      }) as unknown as BackendWorker,
    close: async () => {
      // quit() waits for Redis to answer, which a connection that is down never does.
      for (const connection of [producer, consumer]) {
        if (connection.status === 'ready') await connection.quit().catch(() => connection.disconnect());
        else connection.disconnect();
      }
    },
  };
}

function postgresBackend(databaseUrl: string, schema: string): QueueBackend {
  const classes = withBackend(createPostgresBackend);
  // Adds wait at most 3 s for a connection and 10 s for an answer; workers only bound the connect.
  const connection = (max: number, bounded: boolean) => ({
    connectionString: databaseUrl,
    schema,
    max,
    connectionTimeoutMillis: 3_000,
    ...(bounded ? { query_timeout: 10_000 } : {}),
  });
  return {
    kind: 'postgres',
    async prepare() {
      const client = new pg.Client({ connectionString: databaseUrl });
      await client.connect();
      try {
        await runMigrations(client, schema);
      } catch (error) {
        throw new FleetbotError('migration_failed', `Could not create the queue schema "${schema}".`, {
          hint: (error as Error).message,
          cause: error,
        });
      } finally {
        await client.end();
      }
    },
    queue: (name) => {
      const queue = new classes.Queue(name, { connection: connection(10, true) });
      // Each add is a commit with a NOTIFY, and NOTIFY serialises commits: concurrent adds share one
      // transaction instead (the jobs of one call are submitted in one tick, so they share one too).
      // Through the backend's addFlow (BullMQ's add_flow: one statement, row by row) rather than
      // Queue.addBulk, whose add_jobs_bulk creates and drops two temporary tables per call: ~3 ms
      // of catalog work and file creation per batch, which doubled the time a small batch takes.
      const batcher = new Batcher<JobToAdd, string | Error>(async (jobs) => {
        const backend = queue.getBackend();
        await backend.waitUntilReady();
        const entries = jobs.map(({ name: jobName, data, opts }) => {
          const job = new Job(queue, jobName, data, opts, opts.jobId);
          const jobData = job.asJSON();
          // BullMQ's own checks of the options, as Queue.addBulk makes them (a numeric custom id…).
          (job as unknown as { validateOptions(json: typeof jobData): void }).validateOptions(jobData);
          return {
            jobData,
            jobId: job.id ?? '',
            parentKeyOpts: {},
            prefix: '',
            queueName: name,
          };
        });
        return (await backend.addFlow(entries)).map(([error, id]) =>
          error ? error : typeof id === 'string' ? id : new Error(`the queue refused the job (code ${id})`),
        );
      });
      return batched(queue as unknown as BackendQueue, batcher);
    },
    worker: (name, processor, { concurrency }) =>
      new classes.Worker(name, processor, {
        connection: connection(concurrency + 2, false),
        concurrency,
      }) as unknown as BackendWorker,
    close: async () => {},
  };
}
