import type { FakeAzureAnswer } from './fake-azure-monitor.ts';

/**
 * Application Insights answers for `/fleet metrics`, in the Logs API's `tables[].columns/rows`
 * shape, told apart by what each fixed query's text alone contains. The story is the shared
 * fixtures' incident: P95 climbing past 2 s, 500s on GET /api/vehicles.
 */

/** A 200 answer in the Logs API's shape. */
function table(columns: [string, string][], rows: unknown[][]): FakeAzureAnswer {
  return {
    body: {
      tables: [{ name: 'PrimaryResult', columns: columns.map(([name, type]) => ({ name, type })), rows }],
    },
  };
}

const START = Date.parse('2025-06-12T13:00:00Z');

/** Every query answered; `overrides` replace single answers by query name (`exceptions`, …). */
export function metricsTelemetry(overrides: Partial<Record<string, FakeAzureAnswer>> = {}) {
  const answers: Record<string, FakeAzureAnswer> = {
    timeline: table(
      [
        ['bucket', 'datetime'],
        ['requests', 'long'],
        ['failed', 'long'],
        ['p50', 'real'],
        ['p95', 'real'],
        ['p99', 'real'],
      ],
      Array.from({ length: 30 }, (_, i) => [
        new Date(START + i * 2 * 60_000).toISOString(),
        600 + i * 5,
        i < 20 ? 2 : 30,
        48 + i,
        300 + i * 80,
        1100 + i * 120,
      ]),
    ),
    summary: table(
      [
        ['requests', 'long'],
        ['failed', 'long'],
        ['p50', 'real'],
        ['p95', 'real'],
        ['p99', 'real'],
      ],
      [[18234, 412, 48.2113, 2312.5467, 4184.0312]],
    ),
    slowestOperations: table(
      [
        ['operation', 'string'],
        ['requests', 'long'],
        ['p95', 'real'],
        ['average', 'real'],
      ],
      [
        ['GET /api/reports/fleet-usage', 120, 5210.2, 3100.5],
        ['GET /api/vehicles', 9012, 1184.03, 220.4],
      ],
    ),
    failingOperations: table(
      [
        ['operation', 'string'],
        ['requests', 'long'],
        ['failed', 'long'],
      ],
      [['GET /api/vehicles', 9012, 388]],
    ),
    exceptions: table(
      [
        ['type', 'string'],
        ['message', 'string'],
        ['exceptions', 'long'],
      ],
      [['SequelizeConnectionAcquireTimeoutError', 'Operation timeout', 381]],
    ),
    dependencies: table(
      [
        ['type', 'string'],
        ['target', 'string'],
        ['calls', 'long'],
        ['failed', 'long'],
        ['average', 'real'],
        ['p95', 'real'],
      ],
      [['SQL', 'fleet-postgres | fleetdb', 40211, 12, 35.5, 1802.1]],
    ),
    availability: table(
      [
        ['test', 'string'],
        ['tests', 'long'],
        ['passed', 'long'],
      ],
      [['fleet-api health', 120, 119]],
    ),
    activeUsers: table(
      [
        ['users', 'long'],
        ['sessions', 'long'],
        ['requests', 'long'],
      ],
      [[37, 52, 18234]],
    ),
    topEndpoints: table(
      [
        ['endpoint', 'string'],
        ['requests', 'long'],
        ['users', 'long'],
        ['failed', 'long'],
      ],
      [
        ['GET /api/vehicles', 9012, 35, 388],
        ['GET /api/drivers', 4100, 20, 0],
      ],
    ),
    featureUsage: table(
      [
        ['feature', 'string'],
        ['events', 'long'],
        ['users', 'long'],
      ],
      [
        ['VehicleTracked', 5120, 30],
        ['ReportExported', 41, 6],
      ],
    ),
    errorBreakdown: table(
      [
        ['resultCode', 'string'],
        ['operation', 'string'],
        ['failed', 'long'],
      ],
      [
        ['500', 'GET /api/vehicles', 388],
        ['503', 'GET /api/health', 24],
      ],
    ),
    ...overrides,
  };
  return (query: string): FakeAzureAnswer =>
    answers[queryName(query)] ?? { status: 500, fixture: 'error-400-syntax' };
}

/** Which fixed template a query text is, by what only it contains. */
function queryName(query: string): string {
  if (query.includes('by bucket')) return 'timeline';
  if (query.startsWith('exceptions') || query.startsWith('AppExceptions')) return 'exceptions';
  if (query.startsWith('dependencies') || query.startsWith('AppDependencies')) return 'dependencies';
  if (query.startsWith('availabilityResults') || query.startsWith('AppAvailabilityResults'))
    return 'availability';
  if (query.includes('by endpoint')) return 'topEndpoints';
  if (query.includes('sessions = dcount')) return 'activeUsers';
  if (query.includes('by feature')) return 'featureUsage';
  if (query.includes('by resultCode')) return 'errorBreakdown';
  if (query.includes('average = avg') && query.includes('by operation')) return 'slowestOperations';
  if (query.includes('by operation')) return 'failingOperations';
  return 'summary';
}
