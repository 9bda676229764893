import { z } from 'zod';
import type { Config } from '../config/index.ts';
import { formatDuration, parseDuration } from '../config/index.ts';
import { FleetbotError } from '../domain/errors.ts';
import type {
  MetricQuery,
  MetricsSource,
  MetricTable,
  MetricWindow,
  PortalView,
} from '../domain/telemetry.ts';
import { renderChartPng } from '../lib/chart-png.ts';
import { formatMilliseconds as ms } from '../lib/milliseconds.ts';
import { type ActionResult, defineAction, type ResultStatus, type Section } from './action.ts';
import { metricsChartSpec, type TimelinePoint } from './metrics-chart.ts';
import { resolveService, type ServiceConfig } from './services.ts';

/** Shortest and longest `--since`: under 5 min a percentile is noise, over 7 days the queries get heavy. */
export const MIN_WINDOW_MS = 5 * 60_000;
export const MAX_WINDOW_MS = 7 * 24 * 60 * 60_000;
/** Chart buckets, in minutes: the first that gives at most ~60 points over the window. */
const BUCKETS = [1, 5, 10, 15, 30, 60, 180, 360] as const;
const MAX_POINTS = 60;
const MAX_MESSAGE = 120;

const VIEWS = ['business'] as const;

const params = z.object({
  view: z.enum(VIEWS, { message: 'expected "business", or nothing for the System Health view' }).optional(),
  since: z
    .string()
    .refine((text) => windowOf(text) !== undefined, {
      message: `expected --since between ${formatDuration(MIN_WINDOW_MS)} and ${formatDuration(MAX_WINDOW_MS)}, like 15m, 1h or 2d`,
    })
    .optional(),
  service: z.string().optional(),
});
type Params = z.infer<typeof params>;

/**
 * The runbook's Monitoring Dashboards from Application Insights: "System Health" (request rate,
 * P50/P95/P99, error rate, slowest and failing operations, exceptions, dependencies, availability,
 * with a chart) and, with `business`, "Business Metrics" (top endpoints, active users, slowest
 * endpoints, error breakdown). P95 above `metrics.p95Threshold` (2 s) makes it a warning.
 */
export const metrics = defineAction({
  name: 'metrics',
  group: 'Health & status',
  summary:
    'Request rate, latency percentiles, errors and dependencies from Application Insights, with a chart',
  usage: '[business] [--since 1h] [--service api]',
  example: 'metrics --since 6h --service api',
  syntax: { positionals: ['view?'], flags: { since: 'string', service: 'string' } },
  params,
  retryable: true,
  timeoutMs: 60_000,
  classify(input, config) {
    requireAppInsights(config);
    if (input.service) resolveService(config, input.service);
    return { permission: 'read', destructive: false };
  },
  async run(context, input, signal) {
    const { config } = context;
    requireAppInsights(config);
    const source = context.metrics;
    if (!source) throw notConfigured();
    const windowMs = input.since ? (windowOf(input.since) ?? 0) : config.metrics.defaultWindow;
    const minutes = Math.max(1, Math.round(windowMs / 60_000));
    const role = input.service ? roleOf(resolveService(config, input.service).service) : undefined;
    const window: MetricWindow = { minutes, binMinutes: bucketMinutes(minutes), ...(role ? { role } : {}) };
    const scope = `${role ?? 'all roles'}, last ${formatDuration(minutes * 60_000)}`;
    const view = input.view === 'business' ? BUSINESS : SYSTEM;
    context.progress({ message: `Querying Application Insights (${scope})` });
    const answers = await queryAll(source, view.queries, window, signal);
    const failures = [...answers.values()].filter((answer) => 'error' in answer);
    if (failures.length === answers.size) {
      // Nothing came back: the first error says what to fix (401, 403, throttling, …) once.
      throw (failures[0] as { error: unknown }).error;
    }
    const read = new Reader(answers, source);
    const result = view.build(read, { config, minutes, scope, role });
    if (input.view === undefined) {
      const points = timeline(read.rows('timeline'));
      if (points.length > 0) {
        context.progress({ message: 'Drawing the chart' });
        const chart = await renderChartPng(
          metricsChartSpec(points, {
            title: `Latency and error rate — ${scope}`,
            p95ThresholdMs: config.metrics.p95Threshold,
          }),
        );
        const stamp = context.clock.now().toISOString().slice(0, 16).replace(/[-:]/g, '').replace('T', '-');
        result.image = {
          filename: `metrics-${role ?? 'all'}-${stamp}.png`.replace(/[^A-Za-z0-9._-]/g, '_'),
          title: `Latency percentiles and error rate — ${scope}`,
          mediaType: 'image/png',
          base64: Buffer.from(chart.png).toString('base64'),
          width: chart.width,
          height: chart.height,
        };
      }
    }
    const problems = read.problems();
    if (problems.length > 0) {
      result.sections.push({ title: 'Not complete', fields: problems });
      if (result.status === 'ok') result.status = 'warning';
    }
    return result;
  },
});

type Answer = MetricTable | { error: unknown };
/** One row of a MetricTable keyed by column name (`p95`, `operation`, `failed`). */
export type MetricRow = Record<string, unknown>;

/** A table's rows by column name: queries are read by what they return, never by column position. */
export function rowsOf(table: MetricTable): MetricRow[] {
  return table.rows.map((row) => Object.fromEntries(table.columns.map((column, i) => [column, row[i]])));
}

async function queryAll(
  source: MetricsSource,
  names: readonly MetricQuery[],
  window: MetricWindow,
  signal: AbortSignal,
): Promise<Map<MetricQuery, Answer>> {
  const settled = await Promise.allSettled(names.map((name) => source.query(name, window, signal)));
  signal.throwIfAborted();
  return new Map(
    names.map((name, i) => {
      const outcome = settled[i] as PromiseSettledResult<MetricTable>;
      return [name, outcome.status === 'fulfilled' ? outcome.value : { error: outcome.reason }];
    }),
  );
}

/** Rows by column name, and what went wrong per query (failed or partial), for the "Not complete" section. */
class Reader {
  readonly #answers: Map<MetricQuery, Answer>;
  readonly #source: MetricsSource;
  constructor(answers: Map<MetricQuery, Answer>, source: MetricsSource) {
    this.#answers = answers;
    this.#source = source;
  }

  /** Undefined when the query failed. */
  rows(name: MetricQuery): MetricRow[] | undefined {
    const answer = this.#answers.get(name);
    if (!answer || 'error' in answer) return undefined;
    return rowsOf(answer);
  }

  link(view: PortalView): string | undefined {
    return this.#source.portalLink(view);
  }

  problems(): { label: string; value: string; status: ResultStatus }[] {
    return [...this.#answers].flatMap(
      ([name, answer]): { label: string; value: string; status: ResultStatus }[] => {
        if ('error' in answer)
          return [{ label: QUERY_LABELS[name], value: explain(answer.error), status: 'failed' }];
        if (answer.partial)
          return [
            {
              label: QUERY_LABELS[name],
              value: `partial result, narrow --since or pick a --service for the rest: ${answer.partial}`,
              status: 'warning',
            },
          ];
        return [];
      },
    );
  }
}

const QUERY_LABELS: Record<MetricQuery, string> = {
  summary: 'Request totals',
  timeline: 'Chart data',
  slowestOperations: 'Slowest operations',
  failingOperations: 'Failing operations',
  exceptions: 'Exceptions',
  dependencies: 'Dependencies',
  availability: 'Availability',
  topEndpoints: 'Top endpoints',
  activeUsers: 'Active users',
  featureUsage: 'Feature usage',
  errorBreakdown: 'Error breakdown',
};

interface BuildInput {
  config: Config;
  minutes: number;
  scope: string;
  role: string | undefined;
}

interface View {
  queries: readonly MetricQuery[];
  build(read: Reader, input: BuildInput): ActionResult;
}

/** The runbook's "System Health Dashboard", with the Failures and Performance → Dependencies views. */
const SYSTEM: View = {
  queries: [
    'summary',
    'timeline',
    'slowestOperations',
    'failingOperations',
    'exceptions',
    'dependencies',
    'availability',
  ],
  build(read, { config, minutes, scope }) {
    const threshold = config.metrics.p95Threshold;
    const totals = read.rows('summary')?.[0];
    const requests = num(totals?.requests);
    const failed = num(totals?.failed);
    const p95 = num(totals?.p95);
    const slow = p95 !== undefined && p95 > threshold;
    const sections: Section[] = [];
    const fields: Section['fields'] = [];
    if (totals) {
      fields.push(
        {
          label: 'Request rate',
          value:
            requests === undefined ? '—' : `${rate(requests / minutes)}/min (${count(requests)} requests)`,
        },
        {
          label: 'Error rate',
          value:
            requests && failed !== undefined
              ? `${percent(failed / requests)} (${count(failed)} failed)`
              : '—',
        },
        { label: 'P50', value: ms(num(totals.p50)) },
        {
          label: 'P95',
          value: `${ms(p95)} (threshold ${ms(threshold)})`,
          status: slow ? 'warning' : 'ok',
        },
        { label: 'P99', value: ms(num(totals.p99)) },
      );
    }
    const availability = read.rows('availability');
    if (availability && availability.length > 0) {
      const tests = availability.reduce((sum, row) => sum + (num(row.tests) ?? 0), 0);
      const passed = availability.reduce((sum, row) => sum + (num(row.passed) ?? 0), 0);
      fields.push({
        label: 'Availability',
        value: tests ? `${percent(passed / tests, 2)} of ${count(tests)} tests` : '—',
      });
    }
    if (fields.length > 0) sections.push(withLink({ title: 'System health', fields }, read.link('overview')));
    pushTable(
      sections,
      read,
      'slowestOperations',
      'Slowest operations',
      'performance',
      ['Operation', 'Requests', 'P95', 'Average'],
      (r) => [str(r.operation), count(num(r.requests)), ms(num(r.p95)), ms(num(r.average))],
    );
    pushTable(
      sections,
      read,
      'failingOperations',
      'Most failing operations',
      'failures',
      ['Operation', 'Failed', 'Of', 'Rate'],
      (r) => [
        str(r.operation),
        count(num(r.failed)),
        count(num(r.requests)),
        num(r.requests) ? percent((num(r.failed) ?? 0) / (num(r.requests) ?? 1)) : '—',
      ],
    );
    pushTable(sections, read, 'exceptions', 'Exceptions', 'failures', ['Type', 'Count', 'Message'], (r) => [
      str(r.type),
      count(num(r.exceptions)),
      clip(str(r.message)),
    ]);
    pushTable(
      sections,
      read,
      'dependencies',
      'Dependencies (SQL and HTTP calls)',
      'dependencies',
      ['Type', 'Target', 'Calls', 'Failed', 'Average', 'P95'],
      (r) => [
        str(r.type),
        str(r.target),
        count(num(r.calls)),
        count(num(r.failed)),
        ms(num(r.average)),
        ms(num(r.p95)),
      ],
    );
    if (availability && availability.length > 0) {
      pushTable(
        sections,
        read,
        'availability',
        'Availability tests',
        'availability',
        ['Test', 'Passed', 'Of', 'Uptime'],
        (r) => [
          str(r.test),
          count(num(r.passed)),
          count(num(r.tests)),
          num(r.tests) ? percent((num(r.passed) ?? 0) / (num(r.tests) ?? 1), 2) : '—',
        ],
      );
    }
    const status: ResultStatus = slow ? 'warning' : 'ok';
    const headline = !totals
      ? `Application Insights (${scope}): request totals unavailable`
      : requests === 0
        ? `No requests recorded (${scope}) — is the API sending telemetry?`
        : `${rate((requests ?? 0) / minutes)} req/min, P95 ${ms(p95)}${slow ? ` — above the ${ms(threshold)} threshold` : ''}, ${requests && failed !== undefined ? percent(failed / requests) : '—'} errors (${scope})`;
    return {
      status: requests === 0 ? 'warning' : status,
      summary: headline,
      sections,
      data: {
        view: 'system',
        windowMinutes: minutes,
        requests,
        failed,
        errorRate: requests && failed !== undefined ? failed / requests : undefined,
        p50: num(totals?.p50),
        p95,
        p99: num(totals?.p99),
        p95ThresholdMs: threshold,
        slow,
      },
    };
  },
};

/** The runbook's "Business Metrics Dashboard". */
const BUSINESS: View = {
  queries: ['activeUsers', 'topEndpoints', 'slowestOperations', 'featureUsage', 'errorBreakdown'],
  build(read, { minutes, scope }) {
    const sections: Section[] = [];
    const users = read.rows('activeUsers')?.[0];
    if (users) {
      sections.push(
        withLink(
          {
            title: 'Active users',
            fields: [
              { label: 'Users', value: count(num(users.users)) },
              { label: 'Sessions', value: count(num(users.sessions)) },
              {
                label: 'Requests',
                value: `${count(num(users.requests))} (${rate((num(users.requests) ?? 0) / minutes)}/min)`,
              },
            ],
          },
          read.link('usage'),
        ),
      );
    }
    pushTable(
      sections,
      read,
      'topEndpoints',
      'Top endpoints by usage',
      'performance',
      ['Endpoint', 'Requests', 'Users', 'Failed'],
      (r) => [str(r.endpoint), count(num(r.requests)), count(num(r.users)), count(num(r.failed))],
    );
    pushTable(
      sections,
      read,
      'slowestOperations',
      'Slowest endpoints',
      'performance',
      ['Endpoint', 'Requests', 'P95', 'Average'],
      (r) => [str(r.operation), count(num(r.requests)), ms(num(r.p95)), ms(num(r.average))],
    );
    const features = read.rows('featureUsage');
    if (features && features.length === 0) {
      sections.push({
        title: 'Feature usage',
        text: 'No custom events recorded: the API tracks no features by name (trackEvent).',
      });
    } else {
      pushTable(
        sections,
        read,
        'featureUsage',
        'Feature usage',
        'usage',
        ['Feature', 'Events', 'Users'],
        (r) => [str(r.feature), count(num(r.events)), count(num(r.users))],
      );
    }
    pushTable(
      sections,
      read,
      'errorBreakdown',
      'Error breakdown',
      'failures',
      ['Code', 'Operation', 'Failed'],
      (r) => [str(r.resultCode), str(r.operation), count(num(r.failed))],
    );
    return {
      status: 'ok',
      summary: users
        ? `${count(num(users.users))} active users, ${count(num(users.requests))} requests (${scope})`
        : `Business metrics (${scope})`,
      sections,
      data: {
        view: 'business',
        windowMinutes: minutes,
        users: num(users?.users),
        sessions: num(users?.sessions),
        requests: num(users?.requests),
      },
    };
  },
};

function pushTable(
  sections: Section[],
  read: Reader,
  name: MetricQuery,
  title: string,
  view: PortalView,
  headers: string[],
  row: (r: MetricRow) => string[],
): void {
  const rows = read.rows(name);
  if (!rows) return;
  sections.push(withLink({ title, table: { headers, rows: rows.map(row) } }, read.link(view)));
}

function withLink(section: Section, url: string | undefined): Section {
  return url ? { ...section, text: `Application Insights: ${url}` } : section;
}

/** Chart points from the `timeline` rows: latency in ms, error rate in %. */
function timeline(rows: MetricRow[] | undefined): TimelinePoint[] {
  return (rows ?? []).flatMap((row) => {
    const time = row.bucket instanceof Date ? row.bucket : new Date(String(row.bucket));
    const requests = num(row.requests) ?? 0;
    if (Number.isNaN(time.getTime())) return [];
    return [
      {
        time,
        p50: num(row.p50) ?? null,
        p95: num(row.p95) ?? null,
        p99: num(row.p99) ?? null,
        errorRate: requests > 0 ? ((num(row.failed) ?? 0) / requests) * 100 : null,
      },
    ];
  });
}

/** The service's `cloud_RoleName`: `appInsightsRole` from config, else its workload name. */
export function roleOf(service: ServiceConfig): string {
  return service.appInsightsRole ?? service.workload;
}

function bucketMinutes(minutes: number): number {
  return BUCKETS.find((bucket) => minutes / bucket <= MAX_POINTS) ?? 360;
}

function windowOf(text: string): number | undefined {
  try {
    const ms = parseDuration(text);
    return ms >= MIN_WINDOW_MS && ms <= MAX_WINDOW_MS ? ms : undefined;
  } catch {
    return undefined;
  }
}

function requireAppInsights(config: Config): void {
  if (!config.appInsights.resourceId) throw notConfigured();
}

function notConfigured(): FleetbotError {
  return new FleetbotError(
    'config',
    'APPINSIGHTS_RESOURCE_ID is not set: fleetbot does not know Application Insights.',
    {
      hint: 'Set APPINSIGHTS_RESOURCE_ID to the fleet-management-insights component id (/subscriptions/…/providers/microsoft.insights/components/NAME) or its Log Analytics workspace id.',
    },
  );
}

/** An error's message and hint in one line. */
function explain(error: unknown): string {
  if (error instanceof FleetbotError) return error.hint ? `${error.message} — ${error.hint}` : error.message;
  return error instanceof Error ? error.message : String(error);
}

/** A number cell (the Logs API gives `long`s as numbers or strings); undefined when empty or not a number. */
export function num(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)))
    return Number(value);
  return undefined;
}

export function str(value: unknown): string {
  return value === undefined || value === null || value === '' ? '—' : String(value);
}

function clip(text: string): string {
  return text.length > MAX_MESSAGE ? `${text.slice(0, MAX_MESSAGE - 1)}…` : text;
}

function count(value: number | undefined): string {
  return value === undefined ? '—' : Math.round(value).toLocaleString('en-US');
}

function rate(perMinute: number): string {
  return perMinute >= 10 ? Math.round(perMinute).toLocaleString('en-US') : perMinute.toFixed(1);
}

function percent(fraction: number, digits = 1): string {
  return `${(fraction * 100).toFixed(digits)}%`;
}

export type { Params as MetricsParams };
