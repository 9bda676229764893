import { isUnavailable, type TelemetryEvidence, type Unavailable } from './evidence.ts';

/**
 * Application Insights as the 500s and slow-responses cases use it: optional, since a cluster
 * without APPINSIGHTS_RESOURCE_ID is still diagnosed from its pods; when it could not be read, the
 * finding says why in one clause rather than pass over it.
 */
export type TelemetryInput = TelemetryEvidence | Unavailable | undefined;

/** The figures, when they were read. */
export function telemetryOf(telemetry: TelemetryInput): TelemetryEvidence | undefined {
  return telemetry && !isUnavailable(telemetry) ? telemetry : undefined;
}

/** ` Application Insights not read: <why>.`, or nothing when it was read or not asked for. */
export function notRead(telemetry: TelemetryInput): string {
  return telemetry && isUnavailable(telemetry)
    ? ` Application Insights not read: ${telemetry.unavailable}.`
    : '';
}

/** `the last hour`, `the last 15 minutes`. */
export function lastWindow(telemetry: TelemetryEvidence): string {
  const { windowMinutes: m } = telemetry;
  if (m === 60) return 'the last hour';
  return m % 60 === 0 ? `the last ${m / 60} hours` : `the last ${m} minutes`;
}

export function count(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}
