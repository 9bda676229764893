import { loadConfig } from '../config/index.ts';
import { surviveLostConnections } from '../db/lost-connections.ts';
import { resolveLogFormat } from '../logging/logger.ts';
import type { AppRoles } from '../main.ts';
import { type CliCommand, type CliIo, EXIT } from './command.ts';
import { whatNext } from './what-next.ts';

const SHUTDOWN_SIGNALS = ['SIGINT', 'SIGTERM'] as const;

/** Runs until SIGINT/SIGTERM, then stops in order: HTTP, workers (drained), database. */
async function serve(roles: AppRoles, io: CliIo): Promise<number> {
  const config = loadConfig({ env: io.env });
  const { startApp } = await import('../main.ts');
  const app = await startApp(config, roles);
  surviveLostConnections(app.logger);
  // For a person at a terminal; machines reading JSON lines have the 'fleetbot started' entry.
  if (resolveLogFormat(config.runtime.logFormat) === 'pretty') io.out(whatNext(config, roles, app.port));
  const reason = await Promise.race([
    new Promise<string>((resolve) => {
      for (const name of SHUTDOWN_SIGNALS) process.once(name, () => resolve(name));
    }),
    app.fatal,
  ]);
  app.logger.info({ reason: typeof reason === 'string' ? reason : reason.message }, 'shutting down');
  // A second Ctrl-C means "now": skip the drain.
  for (const name of SHUTDOWN_SIGNALS) process.once(name, () => process.exit(130));
  await app.stop();
  app.logger.info('stopped');
  // Gone for good: exit non-zero, so that the supervisor (systemd, Kubernetes) starts it again.
  return typeof reason === 'string' ? EXIT.ok : EXIT.failed;
}

const envHelp = `Environment: DATABASE_URL (else embedded PostgreSQL in FLEETBOT_DATA_DIR, default ./.fleetbot),
REDIS_URL (else the queue runs on PostgreSQL), PORT (3000), FLEETBOT_CONFIG (./fleetbot.yml), LOG_LEVEL,
LOG_FORMAT (pretty in a terminal, json otherwise).`;

export const startCommand: CliCommand = {
  name: 'start',
  summary: 'Run everything in one process: HTTP server, Slack handlers and workers',
  usage: 'start',
  details: envHelp,
  run: (_args, io) => serve({ web: true, worker: true }, io),
};

export const webCommand: CliCommand = {
  name: 'web',
  summary: 'Run only the HTTP side (Slack, alerts, probes); jobs go to the queue for workers',
  usage: 'web',
  details: `${envHelp}\nRun several web and worker processes against one DATABASE_URL (and REDIS_URL at scale).`,
  run: (_args, io) => serve({ web: true, worker: false }, io),
};

export const workerCommand: CliCommand = {
  name: 'worker',
  summary: 'Run only the queue workers (actions, escalation timers, notifications)',
  usage: 'worker',
  details: `${envHelp}\nThe worker also serves /healthz, /readyz and /metrics on PORT for its probes.`,
  run: (_args, io) => serve({ web: false, worker: true }, io),
};
