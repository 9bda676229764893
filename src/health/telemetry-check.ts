import type { AppInsights } from '../adapters/app-insights.ts';
import { type HealthCheck, notConfigured } from './health-check.ts';

export interface TelemetryCheckOptions {
  /** Absent when `APPINSIGHTS_RESOURCE_ID` is unset: the check shows as not configured. */
  appInsights?: Pick<AppInsights, 'requestCount'> | undefined;
}

const WINDOW_MINUTES = 10;

/**
 * Runbook check 7: Application Insights receives telemetry, i.e. it recorded
 * requests in the last 10 minutes. Not critical: the API may serve while its
 * telemetry is lost. Azure failures throw AppInsightsErrors whose message and
 * hint already say what to fix; the runner reports them as they are.
 */
export function telemetryCheck(options: TelemetryCheckOptions): HealthCheck {
  const { appInsights } = options;
  return {
    name: 'telemetry',
    label: 'Telemetry',
    critical: false,
    async run(signal) {
      if (!appInsights) return notConfigured('APPINSIGHTS_RESOURCE_ID');
      const count = await appInsights.requestCount(WINDOW_MINUTES, signal);
      return count > 0
        ? {
            status: 'ok',
            detail: `${count.toLocaleString('en-US')} request${count === 1 ? '' : 's'} in the last ${WINDOW_MINUTES} min`,
          }
        : {
            status: 'failed',
            detail: `no requests in the last ${WINDOW_MINUTES} min — is the API sending telemetry?`,
          };
    },
  };
}
