import type { MetricQuery, MetricWindow } from '../domain/telemetry.ts';
import { AppInsightsError } from './app-insights-error.ts';

/**
 * The KQL behind `/fleet metrics`: fixed templates, one per view. What varies is only whole numbers
 * (the window and bucket, bounded here as well) and a role name from config that must match
 * ROLE_NAME; nothing a user types reaches the query text. Output columns have the same names on
 * both schemas, so the action reads either.
 */

/** What a `cloud_RoleName` filter may hold: checked again here so no config value can break out of the string. */
export const ROLE_NAME = /^[A-Za-z0-9][A-Za-z0-9._:/-]{0,127}$/;
/** A week: the longest window `/fleet metrics` asks for, and a bound on what reaches a query. */
const MAX_MINUTES = 7 * 24 * 60;

/** Table and column names of the classic (resource-centric) and workspace-based schemas. */
const SCHEMAS = {
  classic: {
    requests: 'requests',
    exceptions: 'exceptions',
    dependencies: 'dependencies',
    availability: 'availabilityResults',
    events: 'customEvents',
    time: 'timestamp',
    name: 'name',
    duration: 'duration',
    success: 'success',
    resultCode: 'resultCode',
    role: 'cloud_RoleName',
    user: 'user_Id',
    session: 'session_Id',
    exceptionType: 'type',
    exceptionMessage: 'outerMessage',
    dependencyType: 'type',
    target: 'target',
    location: 'location',
  },
  workspace: {
    requests: 'AppRequests',
    exceptions: 'AppExceptions',
    dependencies: 'AppDependencies',
    availability: 'AppAvailabilityResults',
    events: 'AppEvents',
    time: 'TimeGenerated',
    name: 'Name',
    duration: 'DurationMs',
    success: 'Success',
    resultCode: 'ResultCode',
    role: 'AppRoleName',
    user: 'UserId',
    session: 'SessionId',
    exceptionType: 'ExceptionType',
    exceptionMessage: 'OuterMessage',
    dependencyType: 'DependencyType',
    target: 'Target',
    location: 'Location',
  },
} as const;

type Schema = (typeof SCHEMAS)[keyof typeof SCHEMAS];

/** The KQL text of `name` over `window`, for a workspace (`AppRequests`) or a component (`requests`). */
export function metricQueryText(name: MetricQuery, window: MetricWindow, workspace: boolean): string {
  const s: Schema = workspace ? SCHEMAS.workspace : SCHEMAS.classic;
  const minutes = wholeMinutes(window.minutes, 'window');
  const bin = wholeMinutes(window.binMinutes, 'bucket');
  if (window.role !== undefined && !ROLE_NAME.test(window.role)) {
    throw new AppInsightsError('config', `"${window.role}" is not a role name fleetbot will put in a query`, {
      hint: 'set the service’s appInsightsRole in fleetbot.yml to a cloud_RoleName (letters, digits, . _ : / -)',
    });
  }
  const since = `where ${s.time} > ago(${minutes}m)`;
  const role = window.role === undefined ? '' : ` | where ${s.role} == "${window.role}"`;
  const from = (table: string) => `${table} | ${since}${role}`;
  const requests = from(s.requests);
  const failed = `countif(${s.success} == false)`;
  const percentiles = `p50 = percentile(${s.duration}, 50), p95 = percentile(${s.duration}, 95), p99 = percentile(${s.duration}, 99)`;
  switch (name) {
    case 'summary':
      return `${requests} | summarize requests = count(), failed = ${failed}, ${percentiles}`;
    case 'timeline':
      return `${requests} | summarize requests = count(), failed = ${failed}, ${percentiles} by bucket = bin(${s.time}, ${bin}m) | order by bucket asc`;
    case 'slowestOperations':
      return `${requests} | summarize requests = count(), p95 = percentile(${s.duration}, 95), average = avg(${s.duration}) by operation = ${s.name} | top 5 by p95 desc`;
    case 'failingOperations':
      return `${requests} | summarize requests = count(), failed = ${failed} by operation = ${s.name} | where failed > 0 | top 5 by failed desc`;
    case 'exceptions':
      return `${from(s.exceptions)} | summarize exceptions = count() by type = ${s.exceptionType}, message = ${s.exceptionMessage} | top 5 by exceptions desc`;
    case 'dependencies':
      return `${from(s.dependencies)} | summarize calls = count(), failed = ${failed}, average = avg(${s.duration}), p95 = percentile(${s.duration}, 95) by type = ${s.dependencyType}, target = ${s.target} | top 5 by p95 desc`;
    case 'availability':
      // Availability tests probe from outside: they belong to no role.
      return `${s.availability} | ${since} | summarize tests = count(), passed = countif(${s.success} == true) by test = ${s.name} | order by test asc`;
    case 'topEndpoints':
      return `${requests} | summarize requests = count(), users = dcount(${s.user}), failed = ${failed} by endpoint = ${s.name} | top 10 by requests desc`;
    case 'activeUsers':
      return `${requests} | summarize users = dcount(${s.user}), sessions = dcount(${s.session}), requests = count()`;
    case 'featureUsage':
      return `${from(s.events)} | summarize events = count(), users = dcount(${s.user}) by feature = ${s.name} | top 10 by events desc`;
    case 'errorBreakdown':
      return `${requests} | where ${s.success} == false | summarize failed = count() by resultCode = ${s.resultCode}, operation = ${s.name} | top 10 by failed desc`;
  }
}

function wholeMinutes(value: number, what: string): number {
  if (Number.isInteger(value) && value >= 1 && value <= MAX_MINUTES) return value;
  throw new AppInsightsError(
    'invalid',
    `a metrics ${what} of ${value} minutes is out of bounds (1–${MAX_MINUTES})`,
  );
}
