import type { TokenCredential } from '@azure/identity';
import type {
  MetricQuery,
  MetricsSource,
  MetricTable,
  MetricWindow,
  PortalView,
} from '../domain/telemetry.ts';
import { AppInsightsError } from './app-insights-error.ts';
import type { AzureMonitorLogs } from './azure-monitor-logs.ts';
import { loadOnce } from './load-once.ts';

export { AppInsightsError, type AppInsightsErrorCode } from './app-insights-error.ts';

export interface AppInsightsOptions {
  /**
   * `APPINSIGHTS_RESOURCE_ID`: an Application Insights component's resource id
   * (`/subscriptions/…/providers/microsoft.insights/components/NAME`, queried
   * through the resource-centric API, table `requests`) or the id of its Log
   * Analytics workspace (a GUID, table `AppRequests`).
   */
  resourceId: string;
  /**
   * `AZURE_MONITOR_LOGS_ENDPOINT`: the service root; `/v1` is appended. Plain
   * http is accepted only on 127.0.0.1/localhost (a local fake), because the
   * Azure access token travels with every query.
   * @defaultValue `https://api.loganalytics.io`
   */
  endpoint?: string | undefined;
  /** @defaultValue `new DefaultAzureCredential()` */
  credential?: TokenCredential;
}

const DEFAULT_ENDPOINT = 'https://api.loganalytics.io';
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/**
 * Application Insights telemetry, read through the Azure Monitor Logs query
 * API. Azure's failures surface as AppInsightsErrors; a call whose signal
 * aborts rejects with the signal's reason. Build one per process: the
 * credential caches its token.
 *
 * The Azure SDK (AzureMonitorLogs) is imported by the first query, not here:
 * it costs ~20 MB and ~0.3 s at start-up in a process that may never ask.
 * The endpoint is checked here all the same, so a plain-http endpoint still
 * stops `fleetbot start`.
 */
export class AppInsights implements MetricsSource {
  readonly #logs: (signal?: AbortSignal) => Promise<AzureMonitorLogs>;
  readonly #resourceId: string;

  constructor(options: AppInsightsOptions) {
    const endpoint = new URL(options.endpoint ?? DEFAULT_ENDPOINT);
    if (endpoint.protocol === 'http:' && !LOOPBACK_HOSTS.has(endpoint.hostname)) {
      throw new AppInsightsError('config', `AZURE_MONITOR_LOGS_ENDPOINT ${endpoint.origin} is plain http`, {
        hint: 'use https: the Azure access token is sent with every query (plain http is accepted only on 127.0.0.1/localhost)',
      });
    }
    const { resourceId, credential } = options;
    this.#resourceId = resourceId;
    this.#logs = loadOnce(async () => {
      const { AzureMonitorLogs } = await import('./azure-monitor-logs.ts');
      return new AzureMonitorLogs({ resourceId, endpoint, credential });
    });
  }

  /** Requests the application recorded in the last `windowMinutes` minutes. */
  async requestCount(windowMinutes: number, signal?: AbortSignal): Promise<number> {
    return (await this.#logs(signal)).requestCount(windowMinutes, signal);
  }

  /** One of `/fleet metrics`' fixed queries (see app-insights-queries.ts). */
  async query(name: MetricQuery, window: MetricWindow, signal?: AbortSignal): Promise<MetricTable> {
    return (await this.#logs(signal)).metric(name, window, signal);
  }

  /**
   * The portal page of a view of the component (`…/components/NAME/failures`). A workspace id names
   * no component, so it has no links.
   */
  portalLink(view: PortalView): string | undefined {
    if (!this.#resourceId.includes('/')) return undefined;
    const id = this.#resourceId.startsWith('/') ? this.#resourceId : `/${this.#resourceId}`;
    return `https://portal.azure.com/#resource${id}/${PORTAL_BLADES[view]}`;
  }
}

/** The portal's menu ids of an Application Insights component, for each view. */
const PORTAL_BLADES: Record<PortalView, string> = {
  overview: 'overview',
  performance: 'performance',
  failures: 'failures',
  // Performance → Dependencies is a tab of the performance page; the URL opens the page.
  dependencies: 'performance',
  availability: 'availability',
  usage: 'logs',
  live: 'quickPulse',
};
