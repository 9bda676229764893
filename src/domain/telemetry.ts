/**
 * Application Insights telemetry as `/fleet metrics` reads it. The queries are fixed templates
 * owned by the adapter, chosen by name: nothing a user types becomes query text. The window is
 * bounded and the role name comes from config.
 */

/** The views of the runbook's dashboards, one fixed query each. */
export const METRIC_QUERIES = [
  /** Requests, failures, P50/P95/P99 over the whole window. */
  'summary',
  /** The same per time bucket, for the chart. */
  'timeline',
  'slowestOperations',
  'failingOperations',
  'exceptions',
  'dependencies',
  'availability',
  'topEndpoints',
  'activeUsers',
  /** Custom events by name: the runbook's "feature usage distribution". */
  'featureUsage',
  'errorBreakdown',
] as const;
export type MetricQuery = (typeof METRIC_QUERIES)[number];

export interface MetricWindow {
  /** Window length in whole minutes, already bounded by the caller. */
  minutes: number;
  /** Bucket width of `timeline`, in whole minutes. */
  binMinutes: number;
  /** `cloud_RoleName` to keep (from config, never typed by a user); every role when absent. */
  role?: string | undefined;
}

/** A query's answer as the Logs API gives it: column names and rows in that order. */
export interface MetricTable {
  columns: readonly string[];
  rows: readonly (readonly unknown[])[];
  /** Set when Azure Monitor answered only part of the query (a PartialError): why, in one line. */
  partial?: string | undefined;
}

/** The Application Insights portal views `/fleet metrics` links to. */
export type PortalView =
  | 'overview'
  | 'performance'
  | 'failures'
  | 'dependencies'
  | 'availability'
  | 'usage'
  | 'live';

export interface MetricsSource {
  /** Runs one fixed query; Azure failures throw FleetbotErrors that say what to fix. */
  query(name: MetricQuery, window: MetricWindow, signal?: AbortSignal): Promise<MetricTable>;
  /** The portal page of a view of the Application Insights resource, when the resource id allows one. */
  portalLink(view: PortalView): string | undefined;
}
