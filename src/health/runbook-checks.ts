import type { TokenCredential } from '@azure/identity';
import { AppInsights } from '../adapters/app-insights.ts';
import type { Config } from '../config/index.ts';
import type { Cluster } from '../domain/cluster.ts';
import { apiCheck } from './api-check.ts';
import { clusterCheck, endpointsCheck, podsCheck } from './cluster-checks.ts';
import { databaseCheck } from './database-check.ts';
import type { HealthCheck } from './health-check.ts';
import { redisCheck } from './redis-check.ts';
import { telemetryCheck } from './telemetry-check.ts';

/**
 * The seven checks of the runbook's `scripts/health-check.sh`, in its order.
 * Built once per process: the App Insights client keeps its credential's token.
 */
export function runbookHealthChecks(
  config: Config,
  cluster: Cluster,
  options: { azureCredential?: TokenCredential; appInsights?: AppInsights } = {},
): readonly HealthCheck[] {
  const api = Object.values(config.services).find((service) => service.healthPath);
  return [
    clusterCheck(cluster, config.cluster.name),
    podsCheck(cluster),
    endpointsCheck(cluster),
    apiCheck({
      url: config.fleet.apiUrl,
      // The Service name resolves from fleetbot's own namespace, where deploy/kubernetes/base puts it.
      inClusterUrl: api?.service ? `http://${api.service}:${api.port}` : undefined,
      healthPath: api?.healthPath ?? '/api/health',
    }),
    databaseCheck({ url: config.fleet.databaseUrl }),
    redisCheck({ url: config.fleet.redisUrl }),
    telemetryCheck({ appInsights: options.appInsights ?? appInsightsFor(config, options.azureCredential) }),
  ];
}

/** The Application Insights client of `APPINSIGHTS_RESOURCE_ID`, when set: one per process (its credential caches the token). */
export function appInsightsFor(config: Config, credential?: TokenCredential): AppInsights | undefined {
  const { resourceId, endpoint } = config.appInsights;
  if (!resourceId) return undefined;
  return new AppInsights({
    resourceId,
    ...(endpoint ? { endpoint } : {}),
    ...(credential ? { credential } : {}),
  });
}
