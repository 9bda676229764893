import { describe, expect, it } from 'vitest';
import { type Alert, type ParseResult, parsers } from '../../src/alerts/index.ts';
import { parsingRules, receivedAt } from './parsing-rules.ts';

// How an Azure Monitor alert is read, one rule at a time, on small payloads of the common alert
// schema: which service it is about, what its summary says, its labels, links and notes.

const RULE_ID =
  '/subscriptions/00000000-0000-0000-0000-00000000f1ee/providers/Microsoft.AlertsManagement/alerts/a1';
const VM =
  '/subscriptions/00000000-0000-0000-0000-00000000f1ee/resourceGroups/rg-fleet-prod/providers/Microsoft.Compute/virtualMachines/vm-1';

/** Names nothing a configured service is called: whatever names one is what the test adds. */
const ESSENTIALS = {
  alertId: RULE_ID,
  alertRule: 'latency-rule',
  severity: 'Sev2',
  signalType: 'Metric',
  monitorCondition: 'Fired',
  monitoringService: 'Platform',
  firedDateTime: '2025-06-12T14:05:24.371Z',
};
const METRIC = 'SingleResourceMultipleMetricCriteria';

function body(
  essentials: Record<string, unknown> = {},
  alertContext?: Record<string, unknown>,
  customProperties?: Record<string, unknown>,
): unknown {
  return {
    schemaId: 'azureMonitorCommonAlertSchema',
    data: {
      essentials: { ...ESSENTIALS, ...essentials },
      ...(alertContext ? { alertContext } : {}),
      ...(customProperties ? { customProperties } : {}),
    },
  };
}

function parsed(payload: unknown): Extract<ParseResult, { ok: true }> {
  const result = parsers.azure(payload, parsingRules, receivedAt);
  if (!result.ok) expect.fail(`expected the payload to parse, got ${JSON.stringify(result.problems)}`);
  return result;
}

function alertOf(payload: unknown): Alert {
  const [alert] = parsed(payload).alerts;
  if (!alert) expect.fail('expected one alert');
  return alert;
}

/** A metric alert whose one criterion has these fields. */
function criterion(fields: Record<string, unknown>): unknown {
  return body({}, { conditionType: METRIC, condition: { allOf: [fields] } });
}

describe('which service an Azure alert is about', () => {
  it.each([
    'cloud_RoleName',
    'AppRoleName',
    'deployment',
    'StatefulSet',
    'daemonset',
    'controllerName',
    'container',
    'containerName',
    'service',
    'serviceName',
    'app',
    'workload',
  ])('reads the %s dimension as a name', (name) => {
    expect(alertOf(criterion({ dimensions: [{ name, value: 'api' }] })).service).toBe('api');
  });

  it.each(['pod', 'PodName'])('reads the %s dimension as a pod of a workload', (name) => {
    expect(alertOf(criterion({ dimensions: [{ name, value: 'fleet-api-7c9d8f6b5-w7t4m' }] })).service).toBe(
      'api',
    );
  });

  it('reads the dimensions of a log search v1 alert too', () => {
    expect(alertOf(body({}, { Dimensions: [{ name: 'Pod', value: 'fleet-redis-0' }] })).service).toBe(
      'redis',
    );
  });

  it('skips blank dimensions and dimensions that name no workload', () => {
    const dimensions = [
      { name: 'node', value: 'fleet-api' },
      { name: 'container', value: '  ' },
      { name: 'app', value: 'fleet-app' },
    ];
    expect(alertOf(criterion({ dimensions })).service).toBe('frontend');
    expect(
      alertOf(criterion({ dimensions: [{ name: 'node', value: 'fleet-api' }] })).service,
    ).toBeUndefined();
  });

  it('takes a service or Service custom property, trimmed', () => {
    expect(alertOf(body({}, undefined, { service: '  fleet-api  ' })).service).toBe('api');
    expect(alertOf(body({}, undefined, { Service: 'postgres' })).service).toBe('postgres');
  });

  it("does not take an activity log event's properties for the rule's custom properties", () => {
    const event = body(
      { signalType: 'Activity Log' },
      { properties: { service: 'fleet-api', title: 'Restart' } },
    );
    expect(alertOf(event).service).toBeUndefined();
    expect(alertOf(event).labels).not.toHaveProperty('service');
  });

  it('reads workload-like names in the description, not plain words', () => {
    expect(alertOf(body({ description: 'Errors from fleet-api rising' })).service).toBe('api');
    expect(alertOf(body({ description: 'the api is slow' })).service).toBeUndefined();
  });

  it('looks at the first 20 configuration items and targets only', () => {
    const many = Array.from({ length: 20 }, (_, index) => `other-${index}`);
    const items = alertOf(body({ configurationItems: [...many, 'fleet-api'] }));
    expect([items.service, items.target]).toEqual([undefined, 'other-0']);
    const targets = alertOf(body({ alertTargetIDs: [...many.map((name) => `/x/${name}`), '/x/fleet-api'] }));
    expect([targets.service, targets.target]).toEqual([undefined, 'other-0']);
  });

  it('names no target when the alert names nothing, and calls it an Azure Monitor alert', () => {
    const alert = alertOf(body({ alertRule: undefined, monitoringService: undefined }));
    expect([alert.title, alert.service, alert.target]).toEqual(['Azure Monitor alert', undefined, undefined]);
  });
});

describe('what an Azure alert says it measured', () => {
  it.each([
    ['GreaterThan', '>'],
    ['Greater Than', '>'],
    ['GreaterThanOrEqual', '>='],
    ['LessThan', '<'],
    ['LowerThan', '<'],
    ['LessThanOrEqual', '<='],
    ['LowerThanOrEqual', '<='],
    ['Equals', '='],
    ['Equal', '='],
    ['NotEquals', '!='],
    ['Between', 'Between'],
  ])('writes the operator %s as %s', (operator, symbol) => {
    const alert = alertOf(criterion({ metricName: 'cpu', operator, threshold: 80, metricValue: 91 }));
    expect(alert.summary).toBe(`cpu 91 ${symbol} 80`);
  });

  it.each<[string, number | string, string]>([
    ['two decimals from 1 on', 91.114, '91.11'],
    ['three significant digits below 1', 0.012345, '0.0123'],
    ['a negative fraction', -0.5, '-0.5'],
    ['a whole number as it is', 80, '80'],
    ['text as it is', '80%', '80%'],
  ])('writes %s', (_, metricValue, written) => {
    const alert = alertOf(
      criterion({ metricName: 'cpu', operator: 'GreaterThan', threshold: 0.5, metricValue }),
    );
    expect(alert.summary).toBe(`cpu ${written} > 0.5`);
  });

  it('names the measure by metric, then measure column, then aggregation, else "value"', () => {
    const summary = (fields: Record<string, unknown>) =>
      alertOf(criterion({ operator: 'GreaterThan', threshold: 10, metricValue: 12, ...fields })).summary;
    expect(summary({ metricMeasureColumn: 'AggregatedValue', timeAggregation: 'Count' })).toBe(
      'AggregatedValue 12 > 10',
    );
    expect(summary({ timeAggregation: 'Count' })).toBe('Count 12 > 10');
    expect(summary({})).toBe('value 12 > 10');
  });

  it('says nothing of a criterion without a value, a threshold or an operator', () => {
    for (const fields of [
      { metricName: 'cpu', operator: 'GreaterThan', threshold: 80 },
      { metricName: 'cpu', operator: 'GreaterThan', metricValue: 91 },
      { metricName: 'cpu', operator: ' ', threshold: 80, metricValue: 91 },
      { metricName: 'cpu', threshold: 80, metricValue: 91 },
    ]) {
      expect(alertOf(criterion(fields)).summary).toBeUndefined();
    }
    expect(alertOf(body({}, { conditionType: METRIC, condition: {} })).summary).toBeUndefined();
  });

  it('does not take a metric rule’s custom properties for an event title', () => {
    expect(
      alertOf(body({}, { conditionType: METRIC, properties: { title: 'Restart' } })).summary,
    ).toBeUndefined();
  });

  it.each<[string, Record<string, string>, string]>([
    ['with both values', { DetectedValue: '2.5 s', NormalValue: '0.3 s' }, 'Latency up: 2.5 s, normal 0.3 s'],
    ['with the detected value', { DetectedValue: '2.5 s' }, 'Latency up: 2.5 s'],
    ['with the normal value', { NormalValue: '0.3 s' }, 'Latency up, normal 0.3 s'],
    ['alone', {}, 'Latency up'],
  ])('sums up a smart detection %s', (_, values, summary) => {
    expect(alertOf(body({}, { DetectionSummary: 'Latency up', ...values })).summary).toBe(summary);
  });

  it.each<[string, Record<string, unknown>, string | undefined]>([
    [
      'and the health change',
      { previousHealthStatus: 'Available', currentHealthStatus: 'Unavailable' },
      'Restart (Available → Unavailable)',
    ],
    ['without a previous status', { currentHealthStatus: 'Unavailable' }, 'Restart'],
    ['without a current status', { previousHealthStatus: 'Available' }, 'Restart'],
  ])('gives an event its title %s', (_, properties, summary) => {
    expect(alertOf(body({}, { properties: { title: 'Restart', ...properties } })).summary).toBe(summary);
  });

  it('ignores an event title that is not text', () => {
    expect(alertOf(body({}, { properties: { title: 42 } })).summary).toBeUndefined();
  });
});

describe('labels, links, targets and notes of an Azure alert', () => {
  it('labels the essentials and the custom properties that are text', () => {
    const alert = alertOf(
      body(
        {
          targetResourceType: 'Microsoft.Compute/virtualMachines',
          targetResourceGroup: 'rg-fleet-prod',
          configurationItems: ['vm-1', 'vm-2'],
        },
        undefined,
        { team: '  fleet-oncall ', count: 3, blank: '  ' },
      ),
    );
    expect(alert.labels).toEqual({
      severity: 'Sev2',
      monitoringService: 'Platform',
      signalType: 'Metric',
      alertRule: 'latency-rule',
      targetResourceType: 'Microsoft.Compute/virtualMachines',
      targetResourceGroup: 'rg-fleet-prod',
      configurationItems: 'vm-1, vm-2',
      team: 'fleet-oncall',
    });
  });

  it('links the investigation, the log search results however given, and URL custom properties', () => {
    const alert = alertOf(
      body(
        { investigationLink: 'https://portal.azure.com/#investigate' },
        {
          conditionType: METRIC,
          condition: { allOf: [{ linkToSearchResultsUI: 'https://portal.azure.com/#logs' }] },
        },
        { runbook: 'https://runbooks.example.invalid/api' },
      ),
    );
    expect(alert.links.map((link) => [link.label, link.url])).toEqual([
      ['Azure portal', expect.stringContaining('AlertDetails')],
      ['Investigation', 'https://portal.azure.com/#investigate'],
      ['Log search results', 'https://portal.azure.com/#logs'],
      ['Runbook', 'https://runbooks.example.invalid/api'],
    ]);
  });

  it('ignores blank targets and spaces around them: same target, link and fingerprint', () => {
    const plain = alertOf(body({ alertTargetIDs: [`${VM}/`] }));
    const spaced = alertOf(body({ alertTargetIDs: ['', '  ', `  ${VM}/  `] }));
    expect(spaced.target).toBe('vm-1');
    expect(spaced.fingerprint).toBe(plain.fingerprint);
    expect(spaced.links.find((link) => link.label === 'Azure resource')?.url).toBe(
      `https://portal.azure.com/#resource${VM}/`,
    );
    expect(alertOf(body({ alertTargetIDs: ['/', VM], configurationItems: ['', ' '] })).target).toBe('vm-1');
    expect(alertOf(body({ alertTargetIDs: ['budgets'] })).links.map((link) => link.label)).toEqual([
      'Azure portal',
    ]);
  });

  it('notes log search results left out whatever the case of "false", and notes nothing otherwise', () => {
    expect(parsed(body({}, { IncludedSearchResults: 'False' })).notes).toHaveLength(1);
    expect(parsed(body({}, { IncludedSearchResults: 'True' })).notes).toEqual([]);
    expect(parsed(body()).notes).toEqual([]);
  });
});
