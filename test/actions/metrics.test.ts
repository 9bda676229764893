import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ActionResult } from '../../src/actions/action.ts';
import { tokenize } from '../../src/actions/arguments.ts';
import { loadConfig } from '../../src/config/index.ts';
import { buildActionRunner } from '../../src/wiring/action-runner.ts';
import { FAKE_AZURE_CREDENTIAL } from '../support/action-harness.ts';
import { FakeAzureMonitor } from '../support/fake-azure-monitor.ts';
import { captureLogs } from '../support/log-capture.ts';
import { metricsTelemetry } from '../support/metrics-telemetry.ts';

// Real: the action runner and the Azure SDK client as production builds them. Fake: Azure Monitor
// Logs (a local server answering in the API's `tables[].columns/rows` shape). No cluster, no
// database: metrics reads Application Insights only.

const COMPONENT =
  '/subscriptions/00000000-0000-0000-0000-00000000f1ee/resourceGroups/rg-fleet-prod/providers/microsoft.insights/components/fleet-management-insights';

let azure: FakeAzureMonitor;
beforeAll(async () => {
  azure = await FakeAzureMonitor.start();
});
afterAll(async () => {
  await azure.close();
});
beforeEach(() => {
  azure.queries.length = 0;
  azure.answer(metricsTelemetry());
});

function runner(env: Record<string, string> = {}) {
  const config = loadConfig({
    env: {
      LOG_LEVEL: 'silent',
      APPINSIGHTS_RESOURCE_ID: COMPONENT,
      AZURE_MONITOR_LOGS_ENDPOINT: azure.url,
      ...env,
    },
  });
  return buildActionRunner(config, captureLogs('warn').logger, undefined, undefined, FAKE_AZURE_CREDENTIAL);
}

async function run(line: string, env: Record<string, string> = {}): Promise<ActionResult> {
  const [name = '', ...rest] = tokenize(line);
  const actions = runner(env);
  return actions.execute(actions.prepare(name, rest), {
    requestId: `metrics-test-${Math.random()}`,
    requestedBy: 'U0000ONCALL',
    origin: 'cli',
  });
}

function section(result: ActionResult, title: string) {
  const found = result.sections.find((s) => s.title === title);
  if (!found) throw new Error(`no section "${title}" in ${result.sections.map((s) => s.title).join(', ')}`);
  return found;
}

/** Width and height from a PNG's IHDR chunk (bytes 16–23), after checking the signature. */
function pngSize(bytes: Buffer): { width: number; height: number } {
  expect(bytes.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  expect(bytes.subarray(12, 16).toString('ascii')).toBe('IHDR');
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

describe('/fleet metrics (System Health)', () => {
  it('renders every metric, warns on P95 above 2 s, links each view and draws the chart', async () => {
    const result = await run('metrics');

    expect(result.status).toBe('warning');
    expect(result.summary).toBe(
      '304 req/min, P95 2.31 s — above the 2.00 s threshold, 2.3% errors (all roles, last 1h)',
    );
    const health = section(result, 'System health');
    expect(health.fields).toEqual([
      { label: 'Request rate', value: '304/min (18,234 requests)' },
      { label: 'Error rate', value: '2.3% (412 failed)' },
      { label: 'P50', value: '48 ms' },
      { label: 'P95', value: '2.31 s (threshold 2.00 s)', status: 'warning' },
      { label: 'P99', value: '4.18 s' },
      { label: 'Availability', value: '99.17% of 120 tests' },
    ]);
    expect(health.text).toBe(`Application Insights: https://portal.azure.com/#resource${COMPONENT}/overview`);
    expect(section(result, 'Slowest operations').table?.rows[0]).toEqual([
      'GET /api/reports/fleet-usage',
      '120',
      '5.21 s',
      '3.10 s',
    ]);
    expect(section(result, 'Slowest operations').text).toContain('/performance');
    expect(section(result, 'Most failing operations').table?.rows).toEqual([
      ['GET /api/vehicles', '388', '9,012', '4.3%'],
    ]);
    expect(section(result, 'Most failing operations').text).toContain('/failures');
    expect(section(result, 'Exceptions').table?.rows).toEqual([
      ['SequelizeConnectionAcquireTimeoutError', '381', 'Operation timeout'],
    ]);
    expect(section(result, 'Dependencies (SQL and HTTP calls)').table?.rows).toEqual([
      ['SQL', 'fleet-postgres | fleetdb', '40,211', '12', '36 ms', '1.80 s'],
    ]);
    expect(section(result, 'Availability tests').text).toContain('/availability');
    expect(result.data).toMatchObject({
      requests: 18234,
      failed: 412,
      p95: 2312.5467,
      p95ThresholdMs: 2000,
      slow: true,
    });

    const image = result.image;
    expect(image?.mediaType).toBe('image/png');
    const png = Buffer.from(image?.base64 ?? '', 'base64');
    expect(png.length).toBeGreaterThan(10_000);
    const size = pngSize(png);
    expect(size).toEqual({ width: image?.width, height: image?.height });
    // 640 + 90 px plots and axes at 2×: about 1,500 × 800, readable at Slack's preview size.
    expect(size.width).toBeGreaterThan(1_300);
    expect(size.width).toBeLessThan(1_800);
    expect(size.height).toBeGreaterThan(600);
    expect(size.height).toBeLessThan(1_000);
    expect(image?.filename).toMatch(/^metrics-all-\d{8}-\d{4}\.png$/);
  });

  it('is ok under the threshold, and the threshold comes from fleetbot.yml', async () => {
    const { writeFileSync, mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const file = `${mkdtempSync(`${tmpdir()}/metrics-`)}/fleetbot.yml`;
    writeFileSync(file, 'metrics:\n  p95Threshold: 3s\n');
    const result = await run('metrics', { FLEETBOT_CONFIG: file });
    expect(result.status).toBe('ok');
    expect(section(result, 'System health').fields?.[3]).toEqual({
      label: 'P95',
      value: '2.31 s (threshold 3.00 s)',
      status: 'ok',
    });
  });

  it('queries fixed templates: --service maps to its cloud_RoleName, --since to whole minutes', async () => {
    await run('metrics --since 6h --service fleet-api');
    expect(azure.queries).toHaveLength(7);
    for (const { body, path } of azure.queries) {
      expect(path).toBe(`/v1${COMPONENT}/query`);
      expect(body.timespan).toBe('PT360M');
      expect(body.query).toContain('> ago(360m)');
      if (!body.query?.startsWith('availabilityResults'))
        expect(body.query).toContain('cloud_RoleName == "fleet-api"');
    }
    expect(azure.queries.find((q) => q.body.query?.includes('by bucket'))?.body.query).toContain(
      'bin(timestamp, 10m)',
    );
  });

  it('refuses a window outside 5m–7d, an unknown service, and says how to configure Application Insights', async () => {
    const actions = runner();
    expect(() => actions.prepare('metrics', ['--since', '2m'])).toThrow(/between 5m and 7d/);
    expect(() => actions.prepare('metrics', ['--since', '30d'])).toThrow(/between 5m and 7d/);
    expect(() => actions.prepare('metrics', ['--since', '1h; drop'])).toThrow(/between 5m and 7d/);
    expect(() => actions.prepare('metrics', ['--service', 'api" | union secrets'])).toThrow(
      /Unknown service/,
    );
    const unconfigured = buildActionRunner(
      loadConfig({ env: { LOG_LEVEL: 'silent' } }),
      captureLogs('warn').logger,
    );
    expect(() => unconfigured.prepare('metrics', [])).toThrow(/APPINSIGHTS_RESOURCE_ID is not set/);
    expect(azure.queries).toHaveLength(0);
  });

  it('keeps what a partial result returned and says what is missing', async () => {
    azure.answer(metricsTelemetry({ exceptions: { status: 200, fixture: 'query-partial-error' } }));
    const result = await run('metrics');
    expect(result.status).toBe('warning');
    const missing = section(result, 'Not complete').fields ?? [];
    expect(missing).toHaveLength(1);
    expect(missing[0]?.label).toBe('Exceptions');
    expect(missing[0]?.status).toBe('warning');
    expect(missing[0]?.value).toBe(
      'partial result, narrow --since or pick a --service for the rest: There were some errors when processing your query. · EngineError: Something went wrong processing your query on the server.',
    );
    expect(section(result, 'System health').fields?.[0]?.value).toBe('304/min (18,234 requests)');
  });

  it('explains throttling (429) of one query and still shows the rest', async () => {
    azure.answer(
      metricsTelemetry({
        dependencies: {
          status: 429,
          headers: { 'retry-after': '17' },
          body: { error: { code: 'ThrottledError', message: 'Too many requests' } },
        },
      }),
    );
    const result = await run('metrics');
    const missing = section(result, 'Not complete').fields ?? [];
    expect(missing).toEqual([
      {
        label: 'Dependencies',
        value:
          "Azure Monitor Logs is throttling fleetbot's queries (429 ThrottledError) — try again in 17 s; a shorter --since makes lighter queries",
        status: 'failed',
      },
    ]);
    expect(result.sections.some((s) => s.title === 'Dependencies (SQL and HTTP calls)')).toBe(false);
    expect(result.image).toBeDefined();
  });

  it('fails with what to fix when Azure refuses every query (401, 403)', async () => {
    azure.answer({ status: 401, fixture: 'error-401-appinsights-authorization-required' });
    const unauthorised = await run('metrics');
    expect(unauthorised.status).toBe('failed');
    expect(unauthorised.summary).toMatch(/^fleetbot's Azure identity could not authenticate \(401/);
    expect(unauthorised.data?.error).toMatchObject({ hint: expect.stringContaining('AZURE_CLIENT_ID') });

    azure.answer({ status: 403, fixture: 'error-403-insufficient-access' });
    const forbidden = await run('metrics');
    expect(forbidden.status).toBe('failed');
    expect(forbidden.summary).toContain(
      `needs the Log Analytics Reader / Monitoring Reader role on ${COMPONENT}`,
    );
    expect(forbidden.image).toBeUndefined();
  });
});

describe('/fleet metrics business', () => {
  it("renders the runbook's Business Metrics Dashboard", async () => {
    const result = await run('metrics business --since 1d');
    expect(result.status).toBe('ok');
    expect(result.summary).toBe('37 active users, 18,234 requests (all roles, last 1d)');
    expect(section(result, 'Active users').fields).toEqual([
      { label: 'Users', value: '37' },
      { label: 'Sessions', value: '52' },
      { label: 'Requests', value: '18,234 (13/min)' },
    ]);
    expect(section(result, 'Top endpoints by usage').table?.rows).toEqual([
      ['GET /api/vehicles', '9,012', '35', '388'],
      ['GET /api/drivers', '4,100', '20', '0'],
    ]);
    expect(section(result, 'Slowest endpoints').table?.rows[0]?.[0]).toBe('GET /api/reports/fleet-usage');
    expect(section(result, 'Error breakdown').table?.rows).toEqual([
      ['500', 'GET /api/vehicles', '388'],
      ['503', 'GET /api/health', '24'],
    ]);
    expect(section(result, 'Error breakdown').text).toContain('/failures');
    expect(section(result, 'Feature usage').table?.rows).toEqual([
      ['VehicleTracked', '5,120', '30'],
      ['ReportExported', '41', '6'],
    ]);
    expect(result.image).toBeUndefined();
    expect(azure.queries).toHaveLength(5);
  });

  it('reads the workspace schema when APPINSIGHTS_RESOURCE_ID is a Log Analytics workspace', async () => {
    const result = await run('metrics business', {
      APPINSIGHTS_RESOURCE_ID: '00000000-0000-0000-0000-0000000000aa',
    });
    expect(result.status).toBe('ok');
    expect(
      azure.queries.every((q) =>
        /^App(Requests|Events) \| where TimeGenerated > ago\(60m\)/.test(q.body.query ?? ''),
      ),
    ).toBe(true);
    // A workspace id names no component: no portal links rather than wrong ones.
    expect(result.sections.every((s) => s.text === undefined)).toBe(true);
  });
});
