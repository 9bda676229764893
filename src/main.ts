import type { TokenCredential } from '@azure/identity';
import { WebClient, type WebClientOptions } from '@slack/web-api';
import { checkRegistry } from './actions/registry.ts';
import { createKubeCluster } from './cluster/kube-cluster.ts';
import type { Config } from './config/index.ts';
import { ActionRunStore } from './db/action-run-store.ts';
import { type Database, openDatabase } from './db/database.ts';
import { migrate } from './db/migrate.ts';
import type { Cluster } from './domain/cluster.ts';
import { runbookHealthChecks } from './health/runbook-checks.ts';
import { HttpServer } from './http/http-server.ts';
import { mountProbes } from './http/probes.ts';
import { createLogger, type Logger } from './logging/logger.ts';
import { createMetrics } from './metrics.ts';
import { actionJob } from './queue/action-job.ts';
import type { JobDefinition } from './queue/job-definition.ts';
import { JobQueue } from './queue/job-queue.ts';
import { openQueueBackend } from './queue/queue-backend.ts';
import { ActionRunner } from './services/action-runner.ts';
import { Authorizer } from './services/authorizer.ts';
import { confirmJob, expireJob } from './slack/confirmations.ts';
import { Notifier } from './slack/notifier.ts';
import { createSlackApp } from './slack/slack-app.ts';
import { toSlackLogger } from './slack/slack-logger.ts';
import { SlackRunReporter } from './slack/slack-run-reporter.ts';

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
  /** Extra job definitions (tests register probes). */
  // biome-ignore lint/suspicious/noExplicitAny: a registry holds definitions of many data types
  jobs?: readonly JobDefinition<any>[];
  /** The cluster to act on; by default the kube context from KUBECONFIG or in-cluster. */
  cluster?: Cluster;
}

export interface RunningApp {
  readonly port: number;
  readonly logger: Logger;
  readonly database: Database;
  readonly queue: JobQueue;
  readonly runner: ActionRunner;
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
  const logger =
    overrides.logger ?? createLogger({ level: config.runtime.logLevel, format: config.runtime.logFormat });
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
    const runner = buildActionRunner(
      config,
      logger,
      new ActionRunStore({ pool: database.pool }),
      overrides.cluster,
    );
    const slack = slackParts(config, logger, runner);
    const jobs = [
      actionJob({ runner, ...slack?.jobDeps }),
      ...(slack?.jobs ?? []),
      ...(overrides.jobs ?? []),
    ];
    const queue = new JobQueue({ backend, jobs, logger, metrics });
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
    const slackApp =
      roles.web && slack && (config.slack.signingSecret || config.slack.appToken)
        ? createSlackApp({ config, logger, runner, queue, ...slack.appDeps })
        : undefined;
    slackApp?.mount(http);
    const port = await http.listen();
    stack.push(() => http.close());
    if (slackApp) {
      await slack?.appDeps.authorizer.warm();
      await slackApp.start();
      stack.push(() => slackApp.stop());
      logger.info({ mode: slackApp.mode }, 'Slack connected');
    } else if (roles.web) {
      logSlackStatus(config, logger);
    }
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
    return { port, logger, database, queue, runner, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The action runner with its cluster and health checks: shared by the workers and `fleetbot run`. */
export function buildActionRunner(
  config: Config,
  logger: Logger,
  store?: ActionRunStore,
  cluster: Cluster = createKubeCluster({ config, logger }),
  azureCredential?: TokenCredential,
): ActionRunner {
  checkRegistry();
  const checks = runbookHealthChecks(config, cluster, azureCredential ? { azureCredential } : {});
  return new ActionRunner({
    config,
    logger,
    ...(store ? { store } : {}),
    context: { config, cluster, logger, healthChecks: () => checks },
  });
}

/**
 * The Slack side, when a bot token is configured: the Web API client and what
 * is built on it (who may do what, where results go, the confirmation job).
 */
function slackParts(config: Config, logger: Logger, runner: ActionRunner) {
  const token = config.slack.botToken;
  if (!token) return undefined;
  const clientOptions: WebClientOptions = {
    ...(config.slack.apiUrl ? { slackApiUrl: config.slack.apiUrl } : {}),
    // A 429 waits Retry-After and counts as a retry; a few are enough for one message.
    retryConfig: { retries: 4, factor: 2, minTimeout: 1_000, maxTimeout: 30_000 },
    logger: toSlackLogger(logger.child({ component: 'slack-web-api' })),
  };
  const client = new WebClient(token, clientOptions);
  const notifier = new Notifier({ client, logger });
  const authorizer = new Authorizer({
    config,
    groupMembers: async (usergroup) => (await client.usergroups.users.list({ usergroup })).users ?? [],
  });
  const reporter = new SlackRunReporter({ notifier, logger });
  return {
    jobDeps: { authorizer, reporter },
    jobs: [
      confirmJob({ runner, notifier, twoPerson: config.permissions.twoPerson }),
      expireJob({ runner, notifier }),
    ],
    appDeps: { authorizer, notifier, clientOptions },
  };
}

function logSlackStatus(config: Config, logger: Logger): void {
  const { botToken, signingSecret, appToken } = config.slack;
  if (!botToken || (!signingSecret && !appToken)) {
    logger.warn(
      'Slack is disabled: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (or SLACK_APP_TOKEN for Socket Mode) from the app created with manifest.yml',
    );
  }
}
