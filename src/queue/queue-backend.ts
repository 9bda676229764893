import {
  createPostgresBackend,
  createRedisBackend,
  type Job,
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
  /** Adds the jobs in one round trip (a pipeline on Redis, one insert on PostgreSQL); the jobs in order. */
  addBulk(jobs: readonly JobToAdd[]): Promise<Job[]>;
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
      // One pipeline per batch, not per add: each ioredis pipeline copies BullMQ's 65 scripts onto
      // itself and is a socket write of its own (a quarter of the ack path's CPU under load, when
      // one per add).
      return batchingAdds(
        new classes.Queue(name, { connection: producer, prefix }) as unknown as BackendQueue,
      );
    },
    worker: (name, processor, { concurrency }) =>
      new classes.Worker(name, processor, {
        connection: consumer,
        prefix,
        concurrency,
        ...WORKER_LOCKS,
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

/**
 * `queue` with its adds gathered: those that arrive while two batches are in flight go together.
 * A delayed job's delay is shortened by the time its batch waited, so that it comes due when it
 * was asked for, not later (1,000 delayed adds at once were up to 0.5 s late without).
 */
function batchingAdds(queue: BackendQueue): BackendQueue {
  const batcher = new Batcher<{ job: JobToAdd; askedAt: number }, Job>((entries) => {
    const now = performance.now();
    return queue.addBulk(
      entries.map(({ job, askedAt }) => {
        const delay = job.opts?.delay;
        return delay
          ? { ...job, opts: { ...job.opts, delay: Math.max(0, Math.ceil(delay - (now - askedAt))) } }
          : job;
      }),
    );
  });
  return {
    addBulk: (jobs) => Promise.all(jobs.map((job) => batcher.submit({ job, askedAt: performance.now() }))),
    getJobCounts: (...types) => queue.getJobCounts(...types),
    getJob: (id) => queue.getJob(id),
    upsertJobScheduler: (id, repeat, template) => queue.upsertJobScheduler(id, repeat, template),
    close: () => queue.close(),
    on: (event, listener) => queue.on(event, listener),
  };
}

/**
 * The jobs of a worker that died (SIGKILL, OOM, a node lost) go back to the queue within about
 * 10-20 s rather than BullMQ's 30-60 s: its locks lapse after 10 s (a live worker renews them every
 * 5 s) and the stalled check, which takes two passes, runs every 5 s. A live worker whose lock lapsed
 * anyway (its event loop held for 10 s) may see its job run again: every job is safe to run twice
 * (an action's run starts once, a message is posted once, an escalation step fires once), and a
 * job may be found stalled a few times before BullMQ gives up on it.
 */
const WORKER_LOCKS = { lockDuration: 10_000, stalledInterval: 5_000, maxStalledCount: 3 };

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
      // Each add is a commit with a NOTIFY, and NOTIFY serialises commits: concurrent adds share one
      // bulk insert instead (the jobs of one call are submitted in one tick, so they share one too).
      return batchingAdds(
        new classes.Queue(name, { connection: connection(10, true) }) as unknown as BackendQueue,
      );
    },
    worker: (name, processor, { concurrency }) =>
      new classes.Worker(name, processor, {
        connection: connection(concurrency + 2, false),
        concurrency,
        ...WORKER_LOCKS,
      }) as unknown as BackendWorker,
    close: async () => {},
  };
}
