import type { TokenCredential } from '@azure/identity';
import type { BackupTools } from '../actions/action.ts';
import { checkRegistry } from '../actions/registry.ts';
import { systemClock } from '../adapters/clock.ts';
import { DirectoryBackupStore } from '../adapters/directory-backup-store.ts';
import { PgFleetDatabase } from '../adapters/fleet-database.ts';
import { IoFleetRedis } from '../adapters/fleet-redis.ts';
import { PgDumps } from '../adapters/pg-dumps.ts';
import { lazyKubeCluster } from '../cluster/lazy-cluster.ts';
import type { Config } from '../config/index.ts';
import type { RunStore } from '../domain/action-runs.ts';
import type { Clock } from '../domain/clock.ts';
import type { Cluster } from '../domain/cluster.ts';
import { appInsightsFor, runbookHealthChecks } from '../health/runbook-checks.ts';
import type { Logger } from '../logging/logger.ts';
import { ActionRunner } from '../services/action-runner.ts';

// Wired apart from main.ts: `fleetbot run` needs the runner and nothing of the server (Bolt, the
// queue, the console), whose imports cost it most of its start.

/**
 * The action runner with its cluster and health checks: shared by the workers and `fleetbot run`.
 * The Kubernetes and Azure clients load on their first call, not here (see lazyKubeCluster).
 * `cluster` defaults to the kube context from KUBECONFIG, or in-cluster.
 */
export function buildActionRunner(
  config: Config,
  logger: Logger,
  store?: RunStore,
  cluster?: Cluster,
  azureCredential?: TokenCredential,
  clock: Clock = systemClock,
): ActionRunner {
  checkRegistry();
  const kube = cluster ?? lazyKubeCluster({ config, logger, clock });
  // One Application Insights client for the telemetry check and `metrics`: its credential caches the token.
  const appInsights = appInsightsFor(config, azureCredential);
  const checks = runbookHealthChecks(config, kube, appInsights ? { appInsights } : {});
  return new ActionRunner({
    config,
    logger,
    ...(store ? { store } : {}),
    context: {
      config,
      cluster: kube,
      logger,
      clock,
      healthChecks: () => checks,
      ...(appInsights ? { metrics: appInsights } : {}),
      ...backupTools(config, logger, clock),
      fleetDatabase: new PgFleetDatabase({ url: config.fleet.databaseUrl }),
      fleetRedis: new IoFleetRedis({ url: config.fleet.redisUrl }),
    },
  });
}

/** The backup store and pg_dump/pg_restore on the fleet database, when `FLEET_DATABASE_URL` is set. */
function backupTools(config: Config, logger: Logger, clock: Clock): { backups?: BackupTools } {
  const url = config.fleet.databaseUrl;
  if (!url) return {};
  return {
    backups: {
      store: new DirectoryBackupStore({ directory: config.runtime.backupDir, clock }),
      database: new PgDumps({ url, binDir: config.runtime.pgBinDir, logger }),
    },
  };
}
