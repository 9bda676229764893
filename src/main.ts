import type { Config } from './config/index.ts';
import { type Database, openDatabase } from './db/database.ts';
import { migrate } from './db/migrate.ts';
import { HttpServer } from './http/http-server.ts';
import { mountProbes } from './http/probes.ts';
import { createLogger, type Logger } from './logging/logger.ts';
import { createMetrics } from './metrics.ts';
import type { JobDefinition } from './queue/job-definition.ts';
import { JobQueue } from './queue/job-queue.ts';
import { jobs as registeredJobs } from './queue/jobs.ts';
import { openQueueBackend } from './queue/queue-backend.ts';

/** Which parts run in this process: `start` runs both, `web` and `worker` one each. */
export interface AppRoles {
  web: boolean;
  worker: boolean;
}

export interface AppOverrides {
  logger?: Logger;
  /** Listen address; all interfaces by default. */
  host?: string;
  /** Queue namespace (Redis prefix / PostgreSQL schema); tests use a fresh one each. */
  queueNamespace?: string;
  // biome-ignore lint/suspicious/noExplicitAny: a registry holds definitions of many data types
  jobs?: readonly JobDefinition<any>[];
}

export interface RunningApp {
  readonly port: number;
  readonly logger: Logger;
  readonly database: Database;
  readonly queue: JobQueue;
  /** Stops taking requests, drains the workers, closes connections, stops embedded PostgreSQL. */
  stop(): Promise<void>;
}

/**
 * The composition root: builds every part from the config and wires them
 * together. Nothing else reads the environment or picks implementations.
 */
export async function startApp(
  config: Config,
  roles: AppRoles,
  overrides: AppOverrides = {},
): Promise<RunningApp> {
  const logger = overrides.logger ?? createLogger({ level: config.runtime.logLevel });
  const metrics = createMetrics();
  const database = await openDatabase({
    databaseUrl: config.runtime.databaseUrl,
    dataDir: config.runtime.dataDir,
    logger,
  });
  const stack: (() => Promise<void>)[] = [() => database.close()];
  const stop = async () => {
    for (const close of stack.reverse().splice(0)) {
      await close().catch((error: unknown) => logger.error({ err: error }, 'error while stopping'));
    }
  };
  try {
    await migrate(database.pool, logger);
    const backend = openQueueBackend({
      redisUrl: config.runtime.redisUrl,
      databaseUrl: database.url,
      logger,
      ...(overrides.queueNamespace ? { namespace: overrides.queueNamespace } : {}),
    });
    await backend.prepare();
    const queue = new JobQueue({ backend, jobs: overrides.jobs ?? registeredJobs, logger, metrics });
    stack.push(() => queue.close());
    if (roles.worker) queue.startWorkers();

    const http = new HttpServer({ port: config.runtime.port, host: overrides.host, logger, metrics });
    mountProbes(
      http,
      [
        { name: 'database', ping: () => database.ping() },
        { name: 'queue', ping: () => queue.ping() },
      ],
      metrics,
    );
    const port = await http.listen();
    stack.push(() => http.close());

    if (roles.web) logSlackStatus(config, logger);
    logger.info(
      {
        port,
        roles,
        database: database.embedded ? 'embedded' : 'external',
        queue: backend.kind,
        config: config.runtime.configFile ?? 'built-in defaults',
      },
      'fleetbot started',
    );
    return { port, logger, database, queue, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

function logSlackStatus(config: Config, logger: Logger): void {
  const { botToken, signingSecret, appToken } = config.slack;
  if (!botToken || (!signingSecret && !appToken)) {
    logger.warn(
      'Slack is disabled: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (or SLACK_APP_TOKEN for Socket Mode) from the app created with manifest.yml',
    );
  }
}
