import type { TokenCredential } from '@azure/identity';
import { WebClient, type WebClientOptions } from '@slack/web-api';
import { checkConfiguredActions } from './actions/registry.ts';
import { systemClock } from './adapters/clock.ts';
import { loadOnce } from './adapters/load-once.ts';
import { SlackOidc } from './adapters/slack-oidc.ts';
import { parsers, serviceIdentities } from './alerts/index.ts';
import { CONSOLE_VARIABLES, type Config, consoleEnabled } from './config/index.ts';
import { ActionRunStore } from './db/action-run-store.ts';
import { PgAppHomeViewers } from './db/app-home-viewers.ts';
import { PgConsoleReads } from './db/console-reads.ts';
import { type Database, openDatabase } from './db/database.ts';
import { PgDrillStore } from './db/drill-store.ts';
import { PgIncidentStore } from './db/incident-store.ts';
import { PgMaintenanceStore } from './db/maintenance-store.ts';
import { PgMessageStore } from './db/message-store.ts';
import { migrate } from './db/migrate.ts';
import { PgOnCallStore } from './db/oncall-store.ts';
import type { Clock } from './domain/clock.ts';
import type { Cluster } from './domain/cluster.ts';
import { FleetbotError } from './domain/errors.ts';
import type { Jobs } from './domain/jobs.ts';
import { mountAlertRoutes } from './handlers/alert-routes.ts';
import { CALLBACK_PATH, CONSOLE_PREFIX, consoleHandler, disabledConsoleHandler } from './handlers/console.ts';
import { consolePages } from './handlers/console-pages.ts';
import { HttpServer } from './http/http-server.ts';
import { mountProbes } from './http/probes.ts';
import { createLogger, type Logger } from './logging/logger.ts';
import { createMetrics } from './metrics.ts';
import type { JobDefinition } from './queue/job-definition.ts';
import { JobQueue } from './queue/job-queue.ts';
import { handleActionRun } from './queue/jobs/action-run.ts';
import { handleActionSweep, handleConfirmExpire, handleConfirmPreview } from './queue/jobs/confirmations.ts';
import { handleHomePublish, handleHomeRefresh } from './queue/jobs/home.ts';
import {
  handleAlertProcess,
  handleAlertSweep,
  handleDrillReport,
  handleEscalationCheck,
  handleEscalationSweep,
  handleIncidentChannel,
  handleIncidentEvidence,
  handleIncidentPostmortem,
  handleOnCallHandoff,
  handlePostmortemReminder,
} from './queue/jobs/incidents.ts';
import { jobDefinitions } from './queue/jobs/index.ts';
import { handleMaintenanceNotices } from './queue/jobs/maintenance.ts';
import { handleMessageDeliver, handleMessageSweep } from './queue/jobs/message-delivery.ts';
import { openQueueBackend } from './queue/queue-backend.ts';
import { ActionRequests } from './services/action-requests.ts';
import type { ActionRunner } from './services/action-runner.ts';
import { AlertIntake } from './services/alert-intake.ts';
import { AlertProcessor } from './services/alert-processing.ts';
import { AppHome } from './services/app-home.ts';
import { Authorizer } from './services/authorizer.ts';
import { Confirmations } from './services/confirmations.ts';
import { ConsoleSessions } from './services/console-sessions.ts';
import { ConsoleViews } from './services/console-views.ts';
import { Drills } from './services/drills.ts';
import { Escalations } from './services/escalations.ts';
import { IncidentChannels } from './services/incident-channels.ts';
import { IncidentEvidenceGatherer } from './services/incident-evidence.ts';
import { IncidentPublisher } from './services/incident-publisher.ts';
import { IncidentResponse } from './services/incident-response.ts';
import { IncidentTickets } from './services/incident-tickets.ts';
import { Maintenance } from './services/maintenance.ts';
import { MessageDelivery } from './services/message-delivery.ts';
import { MessageOutbox } from './services/message-outbox.ts';
import { OnCall } from './services/oncall.ts';
import { RateLimiter } from './services/rate-limiter.ts';
import { RunRecovery } from './services/run-recovery.ts';
import { RunReporter } from './services/run-reporter.ts';
import { toSlackLogger } from './slack/slack-logger.ts';
import { SlackWebApi, unconfiguredSlackApi } from './slack/web-api.ts';
import { buildActionRunner } from './wiring/action-runner.ts';
import { queueCloseLimitMs, type ShutdownStep, stopStep } from './wiring/shutdown.ts';

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
  /** The identity Application Insights queries run as. @defaultValue `new DefaultAzureCredential()` */
  azureCredential?: TokenCredential;
  clock?: Clock;
  /** How long running jobs may finish at shutdown before being asked to stop. @defaultValue 20 s */
  drainMs?: number;
}

export interface RunningApp {
  readonly port: number;
  readonly logger: Logger;
  readonly database: Database;
  readonly queue: JobQueue;
  readonly runner: ActionRunner;
  /** Asking for actions as Slack does: authorise, queue or confirm. */
  readonly requests: ActionRequests;
  /** Resolves when the process can no longer work (its embedded database is gone for good). */
  readonly fatal: Promise<Error>;
  /** Stops taking requests, drains the workers, closes connections, stops embedded PostgreSQL. */
  stop(): Promise<void>;
}

/** Commands one person may send in COMMAND_WINDOW_MS; more are answered "slow down". */
const COMMANDS_PER_WINDOW = 20;
const COMMAND_WINDOW_MS = 60_000;

/** /healthz fails once embedded PostgreSQL stayed down this long (its restarts take about 8 s). */
const EMBEDDED_DOWN_GRACE_MS = 15_000;

/** How often the sweeps look for recorded Slack messages and confirmed runs whose job was lost. */
const SWEEP_EVERY_MS = 30_000;
/** How often runs left running by a dead worker are looked for (they are stale 8 s after their last heartbeat). */
const RECOVERY_EVERY_MS = 2_000;
/** How often stored alerts whose batch job was lost are looked for: an alert waits at most this long. */
const ALERT_SWEEP_EVERY_MS = 5_000;
/** How often maintenance notices are looked for: one is posted at most this late. */
const NOTICE_SWEEP_EVERY_MS = 10_000;

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
  const clock = overrides.clock ?? systemClock;
  checkConfiguredActions(config);
  let failed: (error: Error) => void = () => {};
  // The queue lives in the embedded PostgreSQL too: its workers are renewed when the server is back.
  let recovered: () => void = () => {};
  const fatal = new Promise<Error>((resolve) => {
    failed = resolve;
  });
  const database = await openDatabase({
    databaseUrl: config.runtime.databaseUrl,
    dataDir: config.runtime.dataDir,
    logger,
    onFailure: (error) => {
      logger.fatal({ err: error }, 'fleetbot cannot work without its database; stopping');
      failed(error);
    },
    onRecovered: () => recovered(),
  });
  const stack: ShutdownStep[] = [{ name: 'database', close: () => database.close() }];
  const stop = async () => {
    for (const step of stack.reverse().splice(0)) await stopStep(step, logger);
  };
  try {
    await migrate(database.pool, logger);
    const services = await composeServices(config, database, { logger, clock, overrides });
    const {
      queue,
      backend,
      runner,
      requests,
      confirmations,
      notifier,
      authorizer,
      incidents,
      metrics,
      slack,
    } = services;
    stack.push({ name: 'queue', close: () => queue.close(), limitMs: queueCloseLimitMs(overrides.drainMs) });
    if (roles.worker) {
      queue.startWorkers();
      recovered = () => {
        queue
          .renewWorkers()
          .catch((error: unknown) => logger.error({ err: error }, 'could not renew the queue workers'));
      };
      await queue.schedule('message.sweep', SWEEP_EVERY_MS);
      await queue.schedule('action.sweep', SWEEP_EVERY_MS);
      await queue.schedule('alert.sweep', ALERT_SWEEP_EVERY_MS);
      await queue.schedule('escalation.sweep', ALERT_SWEEP_EVERY_MS);
      await queue.schedule('maintenance.notices', NOTICE_SWEEP_EVERY_MS);
      // Timers whose jobs were lost while no worker ran (a flushed queue store) fire now, marked late.
      await incidents.escalations.reconcile();
      await incidents.tickets.reconcileReminders();
      // Runs a killed worker left running: at once, then every couple of seconds (each is claimed by one worker).
      const recover = () =>
        services.recovery
          .recover()
          .catch((error: unknown) => logger.warn({ err: error }, 'could not look for interrupted runs'));
      await recover();
      const recovering = setInterval(recover, RECOVERY_EVERY_MS);
      stack.push({ name: 'recovery', close: async () => clearInterval(recovering) });
      // Each rotation's user group on whoever is on call now, and its next handoff queued.
      for (const rotation of Object.keys(config.oncall.rotations)) {
        await services.oncall.handoff(rotation).catch((error: unknown) => {
          logger.warn(
            { err: error, rotation },
            'the on-call user group could not be updated now; the next handoff is queued and will set it',
          );
        });
      }
    }

    const http = new HttpServer({ port: config.runtime.port, host: overrides.host, logger, metrics });
    mountProbes(
      http,
      [
        { name: 'database', ping: () => database.ping() },
        { name: 'queue', ping: () => queue.ping() },
      ],
      metrics,
      [
        {
          name: 'database',
          problem: () => {
            const down = database.embedded?.downForMs() ?? 0;
            return down > EMBEDDED_DOWN_GRACE_MS
              ? `embedded PostgreSQL has been down for ${Math.round(down / 1000)} s`
              : undefined;
          },
        },
      ],
    );
    const slackApp =
      roles.web && slack && (config.slack.signingSecret || config.slack.appToken)
        ? // Loaded for the web role only: a worker never needs Bolt and its HTTP receiver.
          (await import('./handlers/slack-app.ts')).createSlackApp({
            config,
            logger,
            runner,
            requests,
            confirmations,
            notifier,
            limiter: new RateLimiter({ limit: COMMANDS_PER_WINDOW, windowMs: COMMAND_WINDOW_MS, clock }),
            incidents: { response: incidents.response, tickets: incidents.tickets },
            drills: incidents.drills,
            oncall: services.oncall,
            maintenance: services.maintenance,
            home: services.home,
            clock,
            clientOptions: slack.options,
          })
        : undefined;
    slackApp?.mount(http);
    if (roles.web) {
      mountAlertRoutes(http, { token: config.alerts.token, logger, intake: incidents.intake });
      mountConsole(http, config, services, { logger, clock });
    }
    const port = await http.listen();
    stack.push({ name: 'http', close: () => http.close() });
    if (slackApp) {
      await authorizer.warm();
      await slackApp.start();
      stack.push({ name: 'slack', close: () => slackApp.stop() });
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
    return { port, logger, database, queue, runner, requests, fatal, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Everything the app is made of, wired, before anything listens or works: the HTTP side, the workers and the CLI share it. */
export interface Services {
  backend: ReturnType<typeof openQueueBackend>;
  queue: JobQueue;
  runner: ActionRunner;
  requests: ActionRequests;
  confirmations: Confirmations;
  notifier: MessageOutbox;
  authorizer: Authorizer;
  metrics: ReturnType<typeof createMetrics>;
  slack: ReturnType<typeof slackClients>;
  incidents: {
    store: PgIncidentStore;
    response: IncidentResponse;
    tickets: IncidentTickets;
    intake: AlertIntake;
    escalations: Escalations;
    drills: Drills;
  };
  oncall: OnCall;
  maintenance: Maintenance;
  /** The read models of the web console and the App Home. */
  views: ConsoleViews;
  home: AppHome;
  /** Runs a dead worker left running: found and closed within seconds. */
  recovery: RunRecovery;
}

/**
 * Builds the services on an open database: stores, the queue (no workers yet), Slack delivery, the
 * action runner, incidents. Starts nothing that listens or takes jobs.
 */
export async function composeServices(
  config: Config,
  database: Database,
  context: { logger: Logger; clock: Clock; overrides?: AppOverrides },
): Promise<Services> {
  const { logger, clock } = context;
  const overrides = context.overrides ?? {};
  const backend = openQueueBackend({
    redisUrl: config.runtime.redisUrl,
    databaseUrl: database.url,
    logger,
    ...(overrides.queueNamespace ? { namespace: overrides.queueNamespace } : {}),
  });
  await backend.prepare();
  const runs = new ActionRunStore({ pool: database.pool });
  const messages = new PgMessageStore({ pool: database.pool });
  const metrics = createMetrics({ messageBacklog: () => messages.backlog(clock.now()) });
  const runner = buildActionRunner(config, logger, runs, overrides.cluster, overrides.azureCredential, clock);

  // The services enqueue through this; the queue is built once the handlers (which need the services) are.
  const jobs: Jobs = {
    enqueue: (name, data, options) => queue.enqueue(name, data, options),
    enqueueAll: (list) => queue.enqueueAll(list),
  };
  const slack = slackClients(config, logger);
  const notifier = new MessageOutbox({ store: messages, jobs, clock, metrics: metrics.delivery });
  const slackApi = slack ? new SlackWebApi({ client: slack.client }) : undefined;
  const delivery = new MessageDelivery({
    store: messages,
    slack: slackApi ?? unconfiguredSlackApi,
    notifier,
    jobs,
    clock,
    logger: logger.child({ component: 'slack-delivery' }),
    metrics: metrics.delivery,
  });
  const groupMembers = async (usergroup: string) =>
    slack ? ((await slack.client.usergroups.users.list({ usergroup })).users ?? []) : [];
  const authorizer = new Authorizer({ config, clock, groupMembers });
  const incidents = new PgIncidentStore({ pool: database.pool });
  const incidentLogger = logger.child({ component: 'incidents' });
  const oncall = new OnCall({
    config,
    store: new PgOnCallStore({ pool: database.pool }),
    authorizer,
    clock,
    slack: slackApi ?? unconfiguredSlackApi,
    jobs,
    changed: () => home.changed(),
  });
  const maintenanceWindows = new PgMaintenanceStore({ pool: database.pool });
  const escalations = new Escalations({
    config,
    store: incidents,
    notifier,
    jobs,
    clock,
    logger: incidentLogger,
    groupMembers,
    oncall,
    maintenance: maintenanceWindows,
  });
  const maintenance = new Maintenance({
    config,
    store: maintenanceWindows,
    incidents,
    escalations,
    authorizer,
    oncall,
    notifier,
    clock,
  });
  const publisher = new IncidentPublisher({
    config,
    store: incidents,
    notifier,
    jobs,
    clock,
    logger: incidentLogger,
    escalations,
    changed: () => home.changed(),
  });
  const processor = new AlertProcessor({ config, store: incidents, publisher, clock });
  const response = new IncidentResponse({ config, store: incidents, publisher, authorizer, clock });
  const tickets = new IncidentTickets({ config, store: incidents, notifier, jobs, clock });
  const drillStore = new PgDrillStore({ pool: database.pool });
  const drills = new Drills({
    config,
    store: incidents,
    drills: drillStore,
    response,
    notifier,
    jobs,
    clock,
    changed: () => home.changed(),
  });
  const evidence = new IncidentEvidenceGatherer({
    config,
    cluster: runner.previewContext().cluster,
    store: incidents,
    publisher,
    clock,
  });
  const channels = new IncidentChannels({
    config,
    store: incidents,
    slack: slackApi ?? unconfiguredSlackApi,
    notifier,
    publisher,
    groupMembers,
    clock,
    logger: incidentLogger,
  });
  const views = new ConsoleViews({
    config,
    reads: new PgConsoleReads({ pool: database.pool }),
    drills: drillStore,
    tickets,
    oncall,
    maintenance,
    clock,
  });
  const home = new AppHome({
    config,
    views,
    viewers: new PgAppHomeViewers({ pool: database.pool }),
    slack: slackApi ?? unconfiguredSlackApi,
    authorizer,
    jobs,
    clock,
  });
  const reporter = new RunReporter({ notifier, messages, clock, logger });
  const recovery = new RunRecovery({
    store: runs,
    cluster: runner.previewContext().cluster,
    reporter,
    clock,
    logger,
    staleAfterMs: runner.staleAfterMs(),
    backups: runner.previewContext().backups?.store,
  });
  const confirmations = new Confirmations({ config, runner, runs, jobs, notifier, authorizer, clock });
  const requests = new ActionRequests({ config, runner, authorizer, confirmations, jobs });
  const runAction = handleActionRun({ runner, jobs, authorizer, reporter, incidents: response, home });
  const queue = new JobQueue({
    backend,
    jobs: [
      ...jobDefinitions({
        'action.read': runAction,
        'action.change': runAction,
        'confirm.preview': handleConfirmPreview(confirmations),
        'confirm.expire': handleConfirmExpire(confirmations),
        'action.sweep': handleActionSweep(confirmations),
        'message.deliver': handleMessageDeliver(delivery),
        'message.sweep': handleMessageSweep(delivery),
        'alert.process': handleAlertProcess(processor, jobs, clock),
        'alert.sweep': handleAlertSweep(processor),
        'incident.channel': handleIncidentChannel(channels),
        'incident.evidence': handleIncidentEvidence(evidence),
        'incident.postmortem': handleIncidentPostmortem(tickets),
        'incident.postmortem-reminder': handlePostmortemReminder(tickets),
        'escalation.check': handleEscalationCheck(escalations, publisher),
        'escalation.sweep': handleEscalationSweep(escalations, drills),
        'drill.report': handleDrillReport(drills),
        'oncall.handoff': handleOnCallHandoff(oncall),
        'maintenance.notices': handleMaintenanceNotices(maintenance),
        'home.publish': handleHomePublish(home),
        'home.refresh': handleHomeRefresh(home),
      }),
      ...(overrides.jobs ?? []),
    ],
    logger,
    metrics,
    ...(overrides.drainMs !== undefined ? { drainMs: overrides.drainMs } : {}),
  });
  const intake = new AlertIntake({
    store: incidents,
    jobs,
    clock,
    logger,
    parsers,
    rules: { severity: config.alerts.severity, services: serviceIdentities(config.services) },
    received: (source, count) => metrics.alertsReceived.inc({ source }, count),
  });
  return {
    backend,
    queue,
    runner,
    requests,
    confirmations,
    notifier,
    authorizer,
    metrics,
    slack,
    incidents: { store: incidents, response, tickets, intake, escalations, drills },
    oncall,
    maintenance,
    views,
    home,
    recovery,
  };
}

/**
 * The Slack Web API client, when a bot token is configured. One attempt per call: the delivery path
 * decides about retries (and waits out Retry-After itself), so no call hides minutes of waiting.
 */
function slackClients(config: Config, logger: Logger) {
  const token = config.slack.botToken;
  if (!token) return undefined;
  const options: WebClientOptions = {
    ...(config.slack.apiUrl ? { slackApiUrl: config.slack.apiUrl } : {}),
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: 10_000,
    logger: toSlackLogger(logger.child({ component: 'slack-web-api' })),
  };
  return { client: new WebClient(token, options), options };
}

/**
 * The web console under /console: Sign in with Slack and the pages when its four variables are set;
 * otherwise one log line and a 404 on /console/ saying how to turn it on.
 */
function mountConsole(
  http: HttpServer,
  config: Config,
  services: Services,
  context: { logger: Logger; clock: Clock },
): void {
  const { logger, clock } = context;
  const settings = consoleEnabled(config.console);
  if (!settings) {
    logger.info(`the web console is off: set ${CONSOLE_VARIABLES.join(', ')} to serve it at /console/`);
    http.prefix(CONSOLE_PREFIX, disabledConsoleHandler());
    return;
  }
  const configured = config.console.workspace;
  const { slack, authorizer } = services;
  // Without console.workspace, the bot token's workspace: read on the first sign-in, once (a failure is tried again).
  const workspace = configured
    ? async () => configured
    : loadOnce(async () => {
        let teamId: string | undefined;
        try {
          teamId = slack ? (await slack.client.auth.test()).team_id : undefined;
        } catch (error) {
          throw new FleetbotError('slack', 'fleetbot could not ask Slack which workspace it serves.', {
            hint: 'Try again in a minute.',
            cause: error,
          });
        }
        if (!teamId)
          throw new FleetbotError('slack', 'Slack did not say which workspace the bot token belongs to.');
        return teamId;
      });
  const sessions = new ConsoleSessions({
    provider: new SlackOidc({
      issuer: settings.issuer,
      clientId: settings.clientId,
      clientSecret: settings.clientSecret,
      redirectUri: `${settings.url}${CALLBACK_PATH}`,
    }),
    secret: settings.sessionSecret,
    ttlMs: config.console.sessionTtl,
    workspace: () => workspace(),
    permissions: authorizer,
    clock,
  });
  http.prefix(
    CONSOLE_PREFIX,
    consoleHandler({
      sessions,
      pages: consolePages({ config, views: services.views }),
      auditLog: config.console.auditLog,
      url: settings.url,
      authorizer,
      logger,
    }),
  );
  logger.info({ url: `${settings.url}${CONSOLE_PREFIX}/`, issuer: settings.issuer }, 'web console enabled');
}

function logSlackStatus(config: Config, logger: Logger): void {
  const { botToken, signingSecret, appToken } = config.slack;
  if (!botToken || (!signingSecret && !appToken)) {
    logger.warn(
      'Slack is disabled: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (or SLACK_APP_TOKEN for Socket Mode) from the app created with manifest.yml',
    );
  }
}
