import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  type Alert,
  type AlertSource,
  MAX_LABELS,
  MAX_SUMMARY,
  MAX_TITLE,
  matchPodName,
  matchService,
  type ParseResult,
  parsers,
  serviceIdentities,
} from '../../src/alerts/index.ts';
import { loadConfig } from '../../src/config/index.ts';
import * as azureSamples from './azure-doc-samples.ts';
import { parsingRules, receivedAt } from './parsing-rules.ts';

// Pure parsers, real payloads: every file of test/fixtures/azure and test/fixtures/alertmanager
// (the repository's copy of the workspace's shared fixtures), the Azure doc samples that have no
// fixture, and the generic format. No fakes, no clock: `receivedAt` is a constant.

const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));

function fixture(source: 'azure' | 'alertmanager', file: string): unknown {
  return JSON.parse(readFileSync(path.join(FIXTURES, source, file), 'utf8'));
}

function parse(source: AlertSource, body: unknown): ParseResult {
  return parsers[source](body, parsingRules, receivedAt);
}

/** The alerts of a payload that must parse; fails the test with the problems otherwise. */
function alertsOf(source: AlertSource, body: unknown): Alert[] {
  const result = parse(source, body);
  if (!result.ok) expect.fail(`expected ${source} payload to parse, got ${JSON.stringify(result.problems)}`);
  return result.alerts;
}

/** What the table states for each alert. */
interface Expected {
  severity: Alert['severity'];
  service?: string;
  target?: string;
  status: Alert['status'];
  fingerprint: string;
  startsAt: string;
  endsAt?: string;
}

function essentialsOf(alert: Alert): Expected {
  return {
    severity: alert.severity,
    service: alert.service,
    target: alert.target,
    status: alert.status,
    fingerprint: alert.fingerprint,
    startsAt: alert.startsAt.toISOString(),
    endsAt: alert.endsAt?.toISOString(),
  };
}

const METRIC_FINGERPRINT = 'azure:9dcef7a1c0f656bc';
const CRASH_LOOP = 'alertmanager:5f2c1a9b7e3d4c60';
const REPLICAS_MISMATCH = 'alertmanager:a83e0d57c21b9f44';

/** One entry per fixture file; a new file fails the table until it is added here. */
const EXPECTED: Record<'azure' | 'alertmanager', Record<string, Expected[]>> = {
  azure: {
    'activity-log-alert-administrative.json': [
      {
        severity: 'P3',
        target: 'vm-fleet-jump-01',
        status: 'firing',
        fingerprint: 'azure:ceda31c78ff138e0',
        startsAt: '2025-06-12T14:12:21.386Z',
      },
    ],
    'log-alert-v2-appinsights-fired.json': [
      {
        severity: 'P1',
        service: 'api',
        status: 'firing',
        fingerprint: 'azure:c9f3de4ec4210c23',
        startsAt: '2025-06-12T14:05:41.626Z',
      },
    ],
    'metric-alert-fired.json': [
      {
        severity: 'P2',
        service: 'api',
        status: 'firing',
        fingerprint: METRIC_FINGERPRINT,
        startsAt: '2025-06-12T14:05:24.371Z',
      },
    ],
    'metric-alert-resolved.json': [
      {
        severity: 'P2',
        service: 'api',
        status: 'resolved',
        fingerprint: METRIC_FINGERPRINT,
        startsAt: '2025-06-12T14:05:24.371Z',
        endsAt: '2025-06-12T14:31:16.224Z',
      },
    ],
    'resource-health-alert.json': [
      {
        severity: 'P1',
        target: 'vm-fleet-jump-01',
        status: 'firing',
        fingerprint: 'azure:6c66234462cdb5b9',
        startsAt: '2025-06-12T14:19:45.304Z',
      },
    ],
  },
  alertmanager: {
    'webhook-firing-2-alerts.json': [
      {
        severity: 'P2',
        service: 'api',
        status: 'firing',
        fingerprint: CRASH_LOOP,
        startsAt: '2025-06-12T14:03:40.512Z',
      },
      {
        severity: 'P2',
        service: 'api',
        status: 'firing',
        fingerprint: REPLICAS_MISMATCH,
        startsAt: '2025-06-12T14:04:10.512Z',
      },
    ],
    'webhook-resolved.json': [
      {
        severity: 'P2',
        service: 'api',
        status: 'resolved',
        fingerprint: CRASH_LOOP,
        startsAt: '2025-06-12T14:03:40.512Z',
        endsAt: '2025-06-12T14:41:10.512Z',
      },
      {
        severity: 'P2',
        service: 'api',
        status: 'resolved',
        fingerprint: REPLICAS_MISMATCH,
        startsAt: '2025-06-12T14:04:10.512Z',
        endsAt: '2025-06-12T14:42:40.512Z',
      },
    ],
  },
};

describe.each(['azure', 'alertmanager'] as const)('every %s fixture', (source) => {
  const files = readdirSync(path.join(FIXTURES, source)).filter((file) => file.endsWith('.json'));

  it('has files to test', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it.each(files)('%s', (file) => {
    const expected = EXPECTED[source][file];
    if (!expected) expect.fail(`add the expected alerts of ${source}/${file} to EXPECTED`);
    const alerts = alertsOf(source, fixture(source, file));
    expect(alerts.map(essentialsOf)).toEqual(expected);
    for (const alert of alerts) {
      expect(alert.source).toBe(source);
      expect(alert.title.length).toBeGreaterThan(0);
      expect(alert.title.length).toBeLessThanOrEqual(MAX_TITLE);
      for (const value of Object.values(alert.labels)) expect(typeof value).toBe('string');
      for (const link of alert.links) expect(link.url).toMatch(/^https:\/\//);
    }
  });
});

describe('Azure Monitor', () => {
  it('gives a fired and a resolved metric alert the same fingerprint', () => {
    const [fired] = alertsOf('azure', fixture('azure', 'metric-alert-fired.json'));
    const [resolved] = alertsOf('azure', fixture('azure', 'metric-alert-resolved.json'));
    expect(resolved?.fingerprint).toBe(fired?.fingerprint);
    expect(fired?.endsAt).toBeUndefined();
  });

  it('reads a metric alert into a title, a short summary, labels, links and the group', () => {
    const [alert] = alertsOf('azure', fixture('azure', 'metric-alert-fired.json'));
    expect(alert).toMatchObject({
      title: 'fleet-aks-node-cpu-high',
      summary: 'Node CPU above 80% on the fleet AKS cluster — node_cpu_usage_percentage 91.11 > 80',
      groupKey:
        '00000000-0000-0000-0000-00000000f1ee_rg-fleet-prod_microsoft.insights_metricAlerts_fleet-aks-node-cpu-high_-117781227',
      labels: {
        severity: 'Sev2',
        monitoringService: 'Platform',
        signalType: 'Metric',
        alertRule: 'fleet-aks-node-cpu-high',
        configurationItems: 'aks-fleet-prod',
        node: 'aks-nodepool1-00000000-vmss000001',
        service: 'fleet-api',
        team: 'fleet-oncall',
      },
    });
    expect(alert?.links[0]).toEqual({
      label: 'Azure portal',
      url: `https://portal.azure.com/#view/Microsoft_Azure_Monitoring_Alerts/AlertDetails.ReactView/alertId/${encodeURIComponent(
        '/subscriptions/00000000-0000-0000-0000-00000000f1ee/providers/Microsoft.AlertsManagement/alerts/00000000-0000-0000-0000-0000000a1e01',
      )}`,
    });
  });

  it('links a log search alert to its filtered results and its runbook custom property', () => {
    const [alert] = alertsOf('azure', fixture('azure', 'log-alert-v2-appinsights-fired.json'));
    expect(alert?.links.map((link) => link.label)).toEqual([
      'Azure portal',
      'Log search results',
      'Azure resource',
      'Runbook',
    ]);
    expect(alert?.links[1]?.url).toContain('/q/FAKEENCODEDQUERY0000/');
    expect(alert?.labels.cloud_RoleName).toBe('fleet-api');
  });

  it('gives no alert-details link for an activity log alert, whose alertId is its rule', () => {
    const [alert] = alertsOf('azure', fixture('azure', 'activity-log-alert-administrative.json'));
    expect(alert?.links.map((link) => link.label)).toEqual(['Azure resource']);
    expect(alert?.summary).toBe('Jump host restarted');
  });

  it('says what a resource health event changed', () => {
    const [alert] = alertsOf('azure', fixture('azure', 'resource-health-alert.json'));
    expect(alert?.summary).toBe(
      'Resource health degraded for fleet resources — This virtual machine is stopping and deallocating as requested by an authorized user or process (Available → Unavailable)',
    );
  });

  const samples: [string, unknown, Expected & { title: string }][] = [
    [
      'log search v1, results left out',
      azureSamples.logSearchV1,
      {
        title: 'fleet-postgres-slow-queries',
        severity: 'P3',
        service: 'postgres',
        status: 'firing',
        fingerprint: 'azure:35135a3d4b6147ed',
        startsAt: '2025-06-12T14:07:27.967Z',
      },
    ],
    [
      'service health',
      azureSamples.serviceHealth,
      {
        title: 'fleet-service-health',
        severity: 'P3',
        target: '00000000-0000-0000-0000-00000000f1ee',
        status: 'firing',
        fingerprint: 'azure:ba18f5c9925d57c0',
        startsAt: '2025-06-12T14:20:36.256Z',
      },
    ],
    [
      'service health with string eventSource, level and impactedServices',
      azureSamples.serviceHealthStringForms,
      {
        title: 'fleet-service-health',
        severity: 'P3',
        target: '00000000-0000-0000-0000-00000000f1ee',
        status: 'firing',
        fingerprint: 'azure:ba18f5c9925d57c0',
        startsAt: '2025-06-12T14:20:36.256Z',
      },
    ],
    [
      'availability test',
      azureSamples.availability,
      {
        title: 'fleet-app-availability-appi-fleet-prod',
        severity: 'P1',
        service: 'frontend',
        status: 'firing',
        fingerprint: 'azure:8bcf0c10e1aa08cc',
        startsAt: '2025-06-12T14:06:34.824Z',
      },
    ],
    [
      'smart detection',
      azureSamples.smartDetection,
      {
        title: 'Dependency Latency Degradation - appi-fleet-prod',
        severity: 'P3',
        target: 'appi-fleet-prod',
        status: 'firing',
        fingerprint: 'azure:925655d15c8bafd1',
        startsAt: '2025-06-12T14:09:09.111Z',
      },
    ],
    [
      'budget, essentials mostly null',
      azureSamples.budget,
      {
        title:
          'The total spend for your budget, fleet-prod-monthly, is forecasted to reach $1111.11 before the end of the period.',
        severity: 'P2',
        target: 'budgets',
        status: 'firing',
        fingerprint: 'azure:dd44b3a141ec9b48',
        startsAt: '2025-06-12T14:49:34.022Z',
      },
    ],
    [
      'dynamic threshold split by pod, resolved without resolvedDateTime',
      azureSamples.dynamicThresholdByPod,
      {
        title: 'fleet-pod-restarts',
        severity: 'P0',
        service: 'postgres',
        status: 'resolved',
        fingerprint: 'azure:939d5591ee255d78',
        startsAt: '2025-06-12T14:15:16.104Z',
      },
    ],
  ];

  it.each(samples)('reads the doc sample: %s', (_name, body, expected) => {
    const [alert, ...rest] = alertsOf('azure', body);
    expect(rest).toEqual([]);
    const { title, ...essentials } = expected;
    expect(alert?.title).toBe(title);
    expect(alert && essentialsOf(alert)).toEqual(essentials);
  });

  it('notes that a v1 log search alert came without its results', () => {
    const result = parse('azure', azureSamples.logSearchV1);
    expect(result.ok && result.notes).toEqual([
      'Azure left the log search results out of this alert (over 256 KB); open "Log search results" to see them',
    ]);
  });

  it('does not repeat the description as the summary when it had to be the title', () => {
    const [alert] = alertsOf('azure', azureSamples.budget);
    expect(alert?.summary).toBeUndefined();
    expect(alert?.groupKey).toBeUndefined();
    expect(alert?.links).toEqual([]);
  });

  it('falls back for an unknown severity and ignores case in a known one', () => {
    const withSeverity = (severity: unknown) => ({
      ...azureSamples.availability,
      data: {
        ...azureSamples.availability.data,
        essentials: { ...azureSamples.availability.data.essentials, severity },
      },
    });
    expect(alertsOf('azure', withSeverity('Sev9'))[0]?.severity).toBe('P2');
    expect(alertsOf('azure', withSeverity('constructor'))[0]?.severity).toBe('P2');
    expect(alertsOf('azure', withSeverity('sev0'))[0]?.severity).toBe('P0');
  });

  it('keeps the fingerprint when Azure changes the case of a resource id or the order of targets', () => {
    const metric = fixture('azure', 'metric-alert-fired.json') as typeof azureSamples.availability;
    const essentials = metric.data.essentials;
    const other =
      '/subscriptions/00000000-0000-0000-0000-00000000f1ee/resourceGroups/rg-fleet-prod/providers/Microsoft.Compute/virtualMachines/vm-b';
    const twoTargets = (targets: string[]) => ({
      ...metric,
      data: { ...metric.data, essentials: { ...essentials, alertTargetIDs: targets } },
    });
    const [first] = alertsOf('azure', twoTargets([...essentials.alertTargetIDs, other]));
    const [second] = alertsOf('azure', twoTargets([other.toLowerCase(), ...essentials.alertTargetIDs]));
    expect(second?.fingerprint).toBe(first?.fingerprint);
    expect(first?.fingerprint).not.toBe(METRIC_FINGERPRINT);
  });

  it('reads an alert context of unexpected shape as no context rather than refusing the alert', () => {
    const metric = fixture('azure', 'metric-alert-fired.json') as { data: Record<string, unknown> };
    const odd = {
      ...metric,
      data: { ...metric.data, alertContext: 'not an object', customProperties: [1, 2] },
    };
    const [alert] = alertsOf('azure', odd);
    expect(alert?.summary).toBe('Node CPU above 80% on the fleet AKS cluster');
    expect(alert?.target).toBe('aks-fleet-prod');
  });
});

describe('Alertmanager', () => {
  const firing = fixture('alertmanager', 'webhook-firing-2-alerts.json') as {
    alerts: Record<string, unknown>[];
    truncatedAlerts: number;
  };
  const crashLooping = firing.alerts[0] as {
    labels: Record<string, string>;
    annotations: Record<string, string>;
  };

  function group(...alerts: Record<string, unknown>[]): Record<string, unknown> {
    return { ...firing, alerts };
  }
  function withLabels(labels: Record<string, string>): Record<string, unknown> {
    return { ...crashLooping, labels };
  }

  it('gives the firing and the resolved notification of an alert the same fingerprint', () => {
    const fired = alertsOf('alertmanager', firing);
    const resolved = alertsOf('alertmanager', fixture('alertmanager', 'webhook-resolved.json'));
    expect(resolved.map((alert) => alert.fingerprint)).toEqual(fired.map((alert) => alert.fingerprint));
  });

  it('reads title, summary, links, labels and the group key', () => {
    const [alert] = alertsOf('alertmanager', firing);
    expect(alert).toMatchObject({
      title: 'KubePodCrashLooping: Pod is crash looping.',
      summary:
        'Pod fleet-management/fleet-api-7c9d8f6b5-w7t4m (fleet-api) is in waiting state (reason: "CrashLoopBackOff").',
      groupKey: '{}/{namespace="fleet-management"}:{namespace="fleet-management"}',
      labels: crashLooping.labels,
    });
    expect(alert?.endsAt).toBeUndefined();
    expect(alert?.links.map((link) => link.label)).toEqual(['Prometheus', 'Runbook', 'Alertmanager']);
  });

  it('lets a priority label of P0 win over severity: warning', () => {
    const [alert] = alertsOf(
      'alertmanager',
      group(withLabels({ ...crashLooping.labels, priority: 'p0', severity: 'warning' })),
    );
    expect(alert?.severity).toBe('P0');
  });

  it('maps the severity label ignoring case, and falls back when it is unknown or missing', () => {
    const severities = ['CRITICAL', 'Info', 'page-me', 'constructor', undefined].map((severity) => {
      const { severity: _dropped, ...labels } = crashLooping.labels;
      const [alert] = alertsOf(
        'alertmanager',
        group(withLabels(severity ? { ...labels, severity } : labels)),
      );
      return alert?.severity;
    });
    expect(severities).toEqual(['P1', 'P3', 'P2', 'P2', 'P2']);
  });

  it('notes the alerts Alertmanager left out of the group', () => {
    const result = parse('alertmanager', { ...firing, truncatedAlerts: 12 });
    expect(result.ok && result.notes).toEqual([
      'Alertmanager left out 12 alerts of this group (truncatedAlerts); see https://alertmanager.fleet.example.invalid',
    ]);
    expect(parse('alertmanager', firing)).toMatchObject({ ok: true, notes: [] });
  });

  it('hashes the labels, in any order, when an alert has no fingerprint', () => {
    const { fingerprint: _dropped, ...unfingerprinted } = crashLooping as Record<string, unknown>;
    const reversed = Object.fromEntries(Object.entries(crashLooping.labels).reverse());
    const [first] = alertsOf('alertmanager', group(unfingerprinted));
    const [second] = alertsOf('alertmanager', group({ ...unfingerprinted, labels: reversed }));
    expect(first?.fingerprint).toMatch(/^alertmanager:[0-9a-f]{16}$/);
    expect(second?.fingerprint).toBe(first?.fingerprint);
    expect(first?.fingerprint).not.toBe(CRASH_LOOP);
  });

  it('matches a service by the first workload label, never by scrape-target labels', () => {
    const cases: [Record<string, string>, string | undefined, string | undefined][] = [
      [{ alertname: 'A', statefulset: 'fleet-postgres', container: 'fleet-api' }, 'postgres', undefined],
      [{ alertname: 'A', pod: 'fleet-redis-0' }, 'redis', undefined],
      [{ alertname: 'A', pod: 'fleet-app-5d8f7c9b6-h4q8z' }, 'frontend', undefined],
      [{ alertname: 'A', app_kubernetes_io_name: 'fleet-api' }, 'api', undefined],
      [{ alertname: 'A', job: 'db' }, 'postgres', undefined],
      [
        {
          alertname: 'A',
          container: 'kube-state-metrics',
          service: 'kube-prometheus-stack-kube-state-metrics',
        },
        undefined,
        'kube-state-metrics',
      ],
      [{ alertname: 'A', pod: 'fleet-apiary-0' }, undefined, 'fleet-apiary-0'],
      [
        { alertname: 'KubeNodeNotReady', node: 'aks-nodepool1-00000000-vmss000001' },
        undefined,
        'KubeNodeNotReady',
      ],
    ];
    for (const [labels, service, target] of cases) {
      const [alert] = alertsOf('alertmanager', group(withLabels(labels)));
      expect({ labels, service: alert?.service, target: alert?.target }).toEqual({ labels, service, target });
    }
  });

  it('keeps endsAt only for a resolved alert, and not Go’s zero time', () => {
    const resolvedWithoutEnd = { ...crashLooping, status: 'resolved', endsAt: '0001-01-01T00:00:00Z' };
    const firingWithEnd = { ...crashLooping, endsAt: '2025-06-12T15:00:00Z' };
    const alerts = alertsOf('alertmanager', group(resolvedWithoutEnd, firingWithEnd));
    expect(alerts.map((alert) => [alert.status, alert.endsAt])).toEqual([
      ['resolved', undefined],
      ['firing', undefined],
    ]);
  });

  it('shortens long text and keeps at most 100 labels of at most 500 characters', () => {
    const megabyte = 'x'.repeat(1_000_000);
    const labels = Object.fromEntries(
      Array.from({ length: 150 }, (_, index) => [`label${String(index).padStart(3, '0')}`, megabyte]),
    );
    const [alert] = alertsOf(
      'alertmanager',
      group({
        ...crashLooping,
        labels: { ...labels, alertname: 'Big' },
        annotations: { summary: megabyte, description: megabyte },
      }),
    );
    expect(alert?.title).toHaveLength(MAX_TITLE);
    expect(alert?.title.endsWith('…')).toBe(true);
    expect(alert?.summary).toHaveLength(MAX_SUMMARY);
    expect(Object.keys(alert?.labels ?? {})).toHaveLength(MAX_LABELS);
    const { alertname, ...long } = alert?.labels ?? {};
    expect(alertname).toBe('Big');
    expect(Object.values(long).every((value) => value.length === 500 && value.endsWith('…'))).toBe(true);
  });

  it('skips links that are not http(s)', () => {
    const [alert] = alertsOf(
      'alertmanager',
      group({
        ...crashLooping,
        generatorURL: 'javascript:alert(1)',
        annotations: {
          ...crashLooping.annotations,
          dashboard_url: 'https://grafana.example.invalid/d/fleet',
        },
      }),
    );
    expect(alert?.links.map((link) => link.label)).toEqual(['Runbook', 'Dashboard', 'Alertmanager']);
  });
});

describe('generic', () => {
  const minimal = { title: 'Nightly backup failed', severity: 'high' };

  it('reads one alert object, with defaults for what it leaves out', () => {
    const [alert, ...rest] = alertsOf('generic', minimal);
    expect(rest).toEqual([]);
    expect(alert).toEqual({
      source: 'generic',
      fingerprint: expect.stringMatching(/^generic:[0-9a-f]{16}$/),
      status: 'firing',
      severity: 'P1',
      title: 'Nightly backup failed',
      startsAt: receivedAt,
      links: [],
      labels: {},
    });
  });

  it('reads a batch, each alert on its own', () => {
    const alerts = alertsOf('generic', {
      alerts: [
        { ...minimal, service: 'db' },
        {
          title: 'Disk 91% full',
          severity: 'P3',
          status: 'resolved',
          service: 'billing-worker',
          fingerprint: 'disk-full:node-3',
          description: 'The data disk of node-3 is 91% full.',
          startsAt: '2025-06-12T12:00:00+02:00',
          endsAt: '2025-06-12T13:00:00Z',
          links: [
            { url: 'https://grafana.example.invalid/d/disk' },
            { label: 'Runbook', url: 'https://runbooks.example.invalid/disk' },
          ],
          labels: { node: 'node-3', team: 'platform' },
        },
      ],
    });
    expect(alerts[0]).toMatchObject({ service: 'postgres', severity: 'P1' });
    expect(alerts[0]?.target).toBeUndefined();
    expect(alerts[1]).toEqual({
      source: 'generic',
      fingerprint: 'generic:disk-full:node-3',
      status: 'resolved',
      severity: 'P3',
      title: 'Disk 91% full',
      summary: 'The data disk of node-3 is 91% full.',
      target: 'billing-worker',
      startsAt: new Date('2025-06-12T10:00:00Z'),
      endsAt: new Date('2025-06-12T13:00:00Z'),
      links: [
        { label: 'grafana.example.invalid', url: 'https://grafana.example.invalid/d/disk' },
        { label: 'Runbook', url: 'https://runbooks.example.invalid/disk' },
      ],
      labels: { node: 'node-3', team: 'platform' },
    });
  });

  it.each([
    ['P0', 'P0'],
    ['p2', 'P2'],
    ['critical', 'P0'],
    ['High', 'P1'],
    ['medium', 'P2'],
    ['WARNING', 'P2'],
    ['low', 'P3'],
    ['info', 'P3'],
  ] as const)('reads severity %s as %s', (severity, expected) => {
    expect(alertsOf('generic', { ...minimal, severity })[0]?.severity).toBe(expected);
  });

  it('derives a stable fingerprint from title and service, different per title', () => {
    const fingerprint = (body: Record<string, unknown>) => alertsOf('generic', body)[0]?.fingerprint;
    const first = fingerprint(minimal);
    expect(fingerprint({ ...minimal, severity: 'P0', description: 'again' })).toBe(first);
    expect(fingerprint({ ...minimal, title: 'Nightly backup failed twice' })).not.toBe(first);
    expect(fingerprint({ ...minimal, service: 'api' })).not.toBe(first);
  });

  it('keeps endsAt only when resolved, and shortens a long description', () => {
    const [alert] = alertsOf('generic', {
      ...minimal,
      endsAt: '2025-06-12T15:00:00Z',
      description: 'y'.repeat(5000),
    });
    expect(alert?.endsAt).toBeUndefined();
    expect(alert?.summary).toHaveLength(MAX_SUMMARY);
  });
});

describe('service matching', () => {
  const services = parsingRules.services;

  it('builds identities from the config, the same from the loaded example file as from the defaults', () => {
    const example = fileURLToPath(new URL('../../fleetbot.example.yml', import.meta.url));
    expect(serviceIdentities(loadConfig({ file: example, env: {} }).services)).toEqual(services);
    expect(services.find((service) => service.key === 'api')).toEqual({
      key: 'api',
      workload: 'fleet-api',
      names: ['api', 'fleet-api', 'fleet-api-service'],
    });
  });

  it('matches key, alias, workload or Service name exactly, ignoring case', () => {
    expect(matchService(['FLEET-API-SERVICE'], services)).toBe('api');
    expect(matchService(['nothing', 'cache'], services)).toBe('redis');
    expect(matchService(['fleet-api-7c9d8f6b5-w7t4m', 'fleet'], services)).toBeUndefined();
  });

  it('matches pods by workload prefix, the longest workload first', () => {
    const withWorker = serviceIdentities({
      api: { workload: 'fleet-api' },
      worker: { workload: 'fleet-api-worker' },
    });
    expect(matchPodName('fleet-api-7c9d8f6b5-w7t4m', withWorker)).toBe('api');
    expect(matchPodName('fleet-api-worker-7c9d8f6b5-w7t4m', withWorker)).toBe('worker');
    expect(matchPodName('fleet-api-worker-0', withWorker)).toBe('worker');
    expect(matchPodName('fleet-postgres-1', services)).toBe('postgres');
    expect(matchPodName('fleet-api', services)).toBe('api');
    expect(matchPodName('fleet-apiary-0', services)).toBeUndefined();
    expect(matchPodName('fleet-api-a-b-c', services)).toBeUndefined();
  });
});
