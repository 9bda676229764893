/**
 * Malformed and hostile alert payloads, one per row: which route it is posted to, the body (plain
 * JSON: `JSON.stringify` keeps every row as it is, `__proto__` keys included, so HTTP tests can
 * send it), and the JSON path where the parser must report a problem (exactly that path, or one
 * under it). Each must be refused: a parser answers `ok: false`, the HTTP route a 400, never a 500.
 */

export type AlertRoute = 'azure' | 'alertmanager' | 'generic';

export interface MalformedAlert {
  name: string;
  route: AlertRoute;
  body: unknown;
  problemPath: string;
}

/** A well-formed body per route; each row below breaks one thing in it. */
export const VALID_ALERT_BODIES: Readonly<Record<AlertRoute, unknown>> = {
  azure: {
    schemaId: 'azureMonitorCommonAlertSchema',
    data: {
      essentials: {
        alertId:
          '/subscriptions/00000000-0000-0000-0000-00000000f1ee/providers/Microsoft.AlertsManagement/alerts/00000000-0000-0000-0000-0000000a1e02',
        alertRule: 'fleet-api-5xx-spike',
        severity: 'Sev1',
        signalType: 'Log',
        monitorCondition: 'Fired',
        monitoringService: 'Log Alerts V2',
        alertTargetIDs: [
          '/subscriptions/00000000-0000-0000-0000-00000000f1ee/resourcegroups/rg-fleet-prod/providers/microsoft.insights/components/appi-fleet-prod',
        ],
        configurationItems: ['appi-fleet-prod'],
        originAlertId: '00000000-0000-0000-0000-0000000a1f02',
        firedDateTime: '2025-06-12T14:05:41.626Z',
        description: 'More than 25 HTTP 5xx responses from fleet-api in 5 minutes',
        essentialsVersion: '1.0',
        alertContextVersion: '1.0',
      },
      alertContext: { properties: { service: 'fleet-api' }, conditionType: 'LogQueryCriteria' },
    },
  },
  alertmanager: {
    receiver: 'fleet-chatops-webhook',
    status: 'firing',
    alerts: [
      {
        status: 'firing',
        labels: { alertname: 'KubePodCrashLooping', pod: 'fleet-api-7c9d8f6b5-w7t4m', severity: 'warning' },
        annotations: { summary: 'Pod is crash looping.' },
        startsAt: '2025-06-12T14:03:40.512Z',
        endsAt: '0001-01-01T00:00:00Z',
        generatorURL: 'https://prometheus.fleet.example.invalid/graph',
        fingerprint: '5f2c1a9b7e3d4c60',
      },
    ],
    groupLabels: { namespace: 'fleet-management' },
    commonLabels: {},
    commonAnnotations: {},
    externalURL: 'https://alertmanager.fleet.example.invalid',
    version: '4',
    groupKey: '{}/{namespace="fleet-management"}:{namespace="fleet-management"}',
    truncatedAlerts: 0,
  },
  generic: {
    title: 'Nightly backup failed',
    severity: 'high',
    service: 'postgres',
    description: 'pg_dump exited with code 1',
    links: [{ label: 'Job log', url: 'https://ci.example.invalid/jobs/42' }],
    labels: { job: 'nightly-backup' },
  },
};

const REMOVE = Symbol('remove');
type Path = readonly (string | number)[];

/** A copy of the route's valid body with the value at `path` replaced (or removed). */
function edit(route: AlertRoute, path: Path, value: unknown): unknown {
  const copy: unknown = structuredClone(VALID_ALERT_BODIES[route]);
  let node = copy as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  const last = path.at(-1) as string | number;
  if (value === REMOVE) delete node[last];
  else node[last] = value;
  return copy;
}

const ESSENTIALS = ['data', 'essentials'] as const;
const FIRST_ALERT = ['alerts', 0] as const;
/** 1 MB (10^6 characters): the largest field that still fits the HTTP routes' 1 MiB body limit, so they answer 400, not 413. */
const MEGABYTE = 'x'.repeat(1_000_000);

function nested(depth: number): unknown {
  let value: unknown = 'bottom';
  for (let level = 0; level < depth; level++) value = { a: value };
  return value;
}

/** Every field that could identify the rule is null or blank. */
function azureAlertWithoutIdentity(): unknown {
  const body = structuredClone(VALID_ALERT_BODIES.azure) as { data: { essentials: Record<string, unknown> } };
  Object.assign(body.data.essentials, { alertId: null, alertRule: '   ', originAlertId: null });
  return body;
}

const validAmAlert = (VALID_ALERT_BODIES.alertmanager as { alerts: unknown[] }).alerts[0];
const validGeneric = VALID_ALERT_BODIES.generic as Record<string, unknown>;

export const MALFORMED_ALERTS: readonly MalformedAlert[] = [
  // Azure Monitor: the envelope.
  { name: 'azure: null', route: 'azure', body: null, problemPath: '(top level)' },
  { name: 'azure: an array', route: 'azure', body: [VALID_ALERT_BODIES.azure], problemPath: '(top level)' },
  { name: 'azure: a string', route: 'azure', body: 'Fired', problemPath: '(top level)' },
  { name: 'azure: a number', route: 'azure', body: 42, problemPath: '(top level)' },
  { name: 'azure: an empty object', route: 'azure', body: {}, problemPath: 'schemaId' },
  {
    name: 'azure: the non-common metric schema',
    route: 'azure',
    body: edit('azure', ['schemaId'], 'AzureMonitorMetricAlert'),
    problemPath: 'schemaId',
  },
  { name: 'azure: no data', route: 'azure', body: edit('azure', ['data'], REMOVE), problemPath: 'data' },
  { name: 'azure: data is an array', route: 'azure', body: edit('azure', ['data'], []), problemPath: 'data' },
  {
    name: 'azure: essentials null',
    route: 'azure',
    body: edit('azure', [...ESSENTIALS], null),
    problemPath: 'data.essentials',
  },
  {
    name: 'azure: essentials a string',
    route: 'azure',
    body: edit('azure', [...ESSENTIALS], 'Sev1'),
    problemPath: 'data.essentials',
  },
  {
    name: 'azure: data nested 1000 levels deep',
    route: 'azure',
    body: edit('azure', ['data'], nested(1000)),
    problemPath: 'data.essentials',
  },
  // Azure Monitor: essentials.
  {
    name: 'azure: unknown monitorCondition',
    route: 'azure',
    body: edit('azure', [...ESSENTIALS, 'monitorCondition'], 'Open'),
    problemPath: 'data.essentials.monitorCondition',
  },
  {
    name: 'azure: monitorCondition in lower case',
    route: 'azure',
    body: edit('azure', [...ESSENTIALS, 'monitorCondition'], 'fired'),
    problemPath: 'data.essentials.monitorCondition',
  },
  {
    name: 'azure: no monitorCondition',
    route: 'azure',
    body: edit('azure', [...ESSENTIALS, 'monitorCondition'], REMOVE),
    problemPath: 'data.essentials.monitorCondition',
  },
  {
    name: 'azure: severity a number',
    route: 'azure',
    body: edit('azure', [...ESSENTIALS, 'severity'], 1),
    problemPath: 'data.essentials.severity',
  },
  {
    name: 'azure: firedDateTime not a date',
    route: 'azure',
    body: edit('azure', [...ESSENTIALS, 'firedDateTime'], 'yesterday'),
    problemPath: 'data.essentials.firedDateTime',
  },
  {
    name: 'azure: firedDateTime on 30 February',
    route: 'azure',
    body: edit('azure', [...ESSENTIALS, 'firedDateTime'], '2025-02-30T14:05:41Z'),
    problemPath: 'data.essentials.firedDateTime',
  },
  {
    name: 'azure: firedDateTime as epoch milliseconds',
    route: 'azure',
    body: edit('azure', [...ESSENTIALS, 'firedDateTime'], 1_749_737_141_626),
    problemPath: 'data.essentials.firedDateTime',
  },
  {
    name: 'azure: firedDateTime of 1 MB',
    route: 'azure',
    body: edit('azure', [...ESSENTIALS, 'firedDateTime'], MEGABYTE),
    problemPath: 'data.essentials.firedDateTime',
  },
  {
    name: 'azure: no firedDateTime',
    route: 'azure',
    body: edit('azure', [...ESSENTIALS, 'firedDateTime'], REMOVE),
    problemPath: 'data.essentials.firedDateTime',
  },
  {
    name: 'azure: resolvedDateTime without a zone',
    route: 'azure',
    body: edit('azure', [...ESSENTIALS, 'resolvedDateTime'], '2025-06-12T14:31:16'),
    problemPath: 'data.essentials.resolvedDateTime',
  },
  {
    name: 'azure: alertTargetIDs a string',
    route: 'azure',
    body: edit('azure', [...ESSENTIALS, 'alertTargetIDs'], '["/subscriptions/x"]'),
    problemPath: 'data.essentials.alertTargetIDs',
  },
  {
    name: 'azure: alertTargetIDs nested arrays',
    route: 'azure',
    body: edit('azure', [...ESSENTIALS, 'alertTargetIDs'], [[['/subscriptions/x']]]),
    problemPath: 'data.essentials.alertTargetIDs[0]',
  },
  {
    name: 'azure: configurationItems numbers',
    route: 'azure',
    body: edit('azure', [...ESSENTIALS, 'configurationItems'], [1, 2]),
    problemPath: 'data.essentials.configurationItems[0]',
  },
  {
    name: 'azure: description an object',
    route: 'azure',
    body: edit('azure', [...ESSENTIALS, 'description'], { text: 'x' }),
    problemPath: 'data.essentials.description',
  },
  {
    name: 'azure: investigationLink a number',
    route: 'azure',
    body: edit('azure', [...ESSENTIALS, 'investigationLink'], 404),
    problemPath: 'data.essentials.investigationLink',
  },
  {
    name: 'azure: no alert id or rule at all',
    route: 'azure',
    body: azureAlertWithoutIdentity(),
    problemPath: 'data.essentials.alertId',
  },
  {
    name: 'azure: the schema id only under __proto__',
    route: 'azure',
    body: JSON.parse(
      `{"__proto__": {"schemaId": "azureMonitorCommonAlertSchema"}, "data": ${JSON.stringify(
        (VALID_ALERT_BODIES.azure as { data: unknown }).data,
      )}}`,
    ),
    problemPath: 'schemaId',
  },
  {
    name: 'azure: essentials only under __proto__',
    route: 'azure',
    body: JSON.parse(
      `{"schemaId": "azureMonitorCommonAlertSchema", "data": {"essentials": {"__proto__": ${JSON.stringify(
        (VALID_ALERT_BODIES.azure as { data: { essentials: unknown } }).data.essentials,
      )}}}}`,
    ),
    problemPath: 'data.essentials',
  },

  // Alertmanager: the envelope.
  { name: 'alertmanager: null', route: 'alertmanager', body: null, problemPath: '(top level)' },
  {
    name: 'alertmanager: an array of alerts',
    route: 'alertmanager',
    body: [validAmAlert],
    problemPath: '(top level)',
  },
  { name: 'alertmanager: an empty object', route: 'alertmanager', body: {}, problemPath: 'alerts' },
  {
    name: 'alertmanager: alerts an object',
    route: 'alertmanager',
    body: edit('alertmanager', ['alerts'], { 0: validAmAlert }),
    problemPath: 'alerts',
  },
  {
    name: 'alertmanager: no alerts',
    route: 'alertmanager',
    body: edit('alertmanager', ['alerts'], []),
    problemPath: 'alerts',
  },
  {
    name: 'alertmanager: 1001 alerts',
    route: 'alertmanager',
    body: edit(
      'alertmanager',
      ['alerts'],
      Array.from({ length: 1001 }, () => validAmAlert),
    ),
    problemPath: 'alerts',
  },
  {
    name: 'alertmanager: truncatedAlerts as a string',
    route: 'alertmanager',
    body: edit('alertmanager', ['truncatedAlerts'], '3'),
    problemPath: 'truncatedAlerts',
  },
  {
    name: 'alertmanager: truncatedAlerts negative',
    route: 'alertmanager',
    body: edit('alertmanager', ['truncatedAlerts'], -1),
    problemPath: 'truncatedAlerts',
  },
  {
    name: 'alertmanager: groupKey a number',
    route: 'alertmanager',
    body: edit('alertmanager', ['groupKey'], 4),
    problemPath: 'groupKey',
  },
  {
    name: 'alertmanager: version a number',
    route: 'alertmanager',
    body: edit('alertmanager', ['version'], 4),
    problemPath: 'version',
  },
  {
    name: 'alertmanager: alerts only under __proto__',
    route: 'alertmanager',
    body: JSON.parse(`{"__proto__": {"alerts": [${JSON.stringify(validAmAlert)}]}}`),
    problemPath: 'alerts',
  },
  // Alertmanager: one alert.
  {
    name: 'alertmanager: an alert null',
    route: 'alertmanager',
    body: edit('alertmanager', [...FIRST_ALERT], null),
    problemPath: 'alerts[0]',
  },
  {
    name: 'alertmanager: unknown alert status',
    route: 'alertmanager',
    body: edit('alertmanager', [...FIRST_ALERT, 'status'], 'pending'),
    problemPath: 'alerts[0].status',
  },
  {
    name: 'alertmanager: no alert status',
    route: 'alertmanager',
    body: edit('alertmanager', [...FIRST_ALERT, 'status'], REMOVE),
    problemPath: 'alerts[0].status',
  },
  {
    name: 'alertmanager: no labels',
    route: 'alertmanager',
    body: edit('alertmanager', [...FIRST_ALERT, 'labels'], REMOVE),
    problemPath: 'alerts[0].labels',
  },
  {
    name: 'alertmanager: labels an array',
    route: 'alertmanager',
    body: edit('alertmanager', [...FIRST_ALERT, 'labels'], [['alertname', 'X']]),
    problemPath: 'alerts[0].labels',
  },
  {
    name: 'alertmanager: a label value a number',
    route: 'alertmanager',
    body: edit('alertmanager', [...FIRST_ALERT, 'labels', 'severity'], 2),
    problemPath: 'alerts[0].labels.severity',
  },
  {
    name: 'alertmanager: a label value nested 1000 levels deep',
    route: 'alertmanager',
    body: edit('alertmanager', [...FIRST_ALERT, 'labels', 'app.kubernetes.io/name'], nested(1000)),
    problemPath: 'alerts[0].labels["app.kubernetes.io/name"]',
  },
  {
    name: 'alertmanager: annotations a string',
    route: 'alertmanager',
    body: edit('alertmanager', [...FIRST_ALERT, 'annotations'], 'Pod is crash looping.'),
    problemPath: 'alerts[0].annotations',
  },
  {
    name: 'alertmanager: startsAt not a date',
    route: 'alertmanager',
    body: edit('alertmanager', [...FIRST_ALERT, 'startsAt'], 'not a date'),
    problemPath: 'alerts[0].startsAt',
  },
  {
    name: 'alertmanager: no startsAt',
    route: 'alertmanager',
    body: edit('alertmanager', [...FIRST_ALERT, 'startsAt'], REMOVE),
    problemPath: 'alerts[0].startsAt',
  },
  {
    name: 'alertmanager: endsAt a number',
    route: 'alertmanager',
    body: edit('alertmanager', [...FIRST_ALERT, 'endsAt'], 0),
    problemPath: 'alerts[0].endsAt',
  },
  {
    name: 'alertmanager: fingerprint a number',
    route: 'alertmanager',
    body: edit('alertmanager', [...FIRST_ALERT, 'fingerprint'], 0x5f2c1a9b),
    problemPath: 'alerts[0].fingerprint',
  },
  {
    name: 'alertmanager: fingerprint of 1 MB',
    route: 'alertmanager',
    body: edit('alertmanager', [...FIRST_ALERT, 'fingerprint'], MEGABYTE),
    problemPath: 'alerts[0].fingerprint',
  },
  {
    name: 'alertmanager: generatorURL an object',
    route: 'alertmanager',
    body: edit('alertmanager', [...FIRST_ALERT, 'generatorURL'], {
      href: 'https://prometheus.example.invalid',
    }),
    problemPath: 'alerts[0].generatorURL',
  },
  {
    name: 'alertmanager: the fourth alert broken, the others fine',
    route: 'alertmanager',
    body: edit(
      'alertmanager',
      ['alerts'],
      [validAmAlert, validAmAlert, validAmAlert, { ...(validAmAlert as object), labels: null }],
    ),
    problemPath: 'alerts[3].labels',
  },

  // Generic.
  { name: 'generic: null', route: 'generic', body: null, problemPath: '(top level)' },
  { name: 'generic: a string', route: 'generic', body: 'backup failed', problemPath: '(top level)' },
  {
    name: 'generic: a bare array of alerts',
    route: 'generic',
    body: [validGeneric],
    problemPath: '(top level)',
  },
  { name: 'generic: an empty object', route: 'generic', body: {}, problemPath: 'title' },
  {
    name: 'generic: empty title',
    route: 'generic',
    body: edit('generic', ['title'], '   '),
    problemPath: 'title',
  },
  {
    name: 'generic: title of 1 MB',
    route: 'generic',
    body: edit('generic', ['title'], MEGABYTE),
    problemPath: 'title',
  },
  {
    name: 'generic: title a number',
    route: 'generic',
    body: edit('generic', ['title'], 500),
    problemPath: 'title',
  },
  {
    name: 'generic: no severity',
    route: 'generic',
    body: edit('generic', ['severity'], REMOVE),
    problemPath: 'severity',
  },
  {
    name: 'generic: unknown severity',
    route: 'generic',
    body: edit('generic', ['severity'], 'urgent'),
    problemPath: 'severity',
  },
  {
    name: 'generic: severity a number',
    route: 'generic',
    body: edit('generic', ['severity'], 1),
    problemPath: 'severity',
  },
  {
    name: 'generic: severity P4',
    route: 'generic',
    body: edit('generic', ['severity'], 'P4'),
    problemPath: 'severity',
  },
  {
    name: 'generic: unknown status',
    route: 'generic',
    body: edit('generic', ['status'], 'open'),
    problemPath: 'status',
  },
  {
    name: 'generic: startsAt in month 13',
    route: 'generic',
    body: edit('generic', ['startsAt'], '2025-13-01T00:00:00Z'),
    problemPath: 'startsAt',
  },
  {
    name: 'generic: startsAt a date without a time',
    route: 'generic',
    body: edit('generic', ['startsAt'], '2025-06-12'),
    problemPath: 'startsAt',
  },
  {
    name: 'generic: endsAt before startsAt',
    route: 'generic',
    body: {
      ...validGeneric,
      status: 'resolved',
      startsAt: '2025-06-12T14:00:00Z',
      endsAt: '2025-06-12T13:00:00Z',
    },
    problemPath: 'endsAt',
  },
  {
    name: 'generic: service a number',
    route: 'generic',
    body: edit('generic', ['service'], 3000),
    problemPath: 'service',
  },
  {
    name: 'generic: fingerprint of 201 characters',
    route: 'generic',
    body: edit('generic', ['fingerprint'], 'f'.repeat(201)),
    problemPath: 'fingerprint',
  },
  {
    name: 'generic: description an object',
    route: 'generic',
    body: edit('generic', ['description'], nested(1000)),
    problemPath: 'description',
  },
  {
    name: 'generic: links a string',
    route: 'generic',
    body: edit('generic', ['links'], 'https://ci.example.invalid'),
    problemPath: 'links',
  },
  {
    name: 'generic: a javascript: link',
    route: 'generic',
    body: edit('generic', ['links', 0, 'url'], 'javascript:alert(1)'),
    problemPath: 'links[0].url',
  },
  {
    name: 'generic: a relative link',
    route: 'generic',
    body: edit('generic', ['links', 0, 'url'], '/jobs/42'),
    problemPath: 'links[0].url',
  },
  {
    name: 'generic: an ftp link',
    route: 'generic',
    body: edit('generic', ['links', 0, 'url'], 'ftp://ci.example.invalid/log'),
    problemPath: 'links[0].url',
  },
  {
    name: 'generic: a link URL of 1 MB',
    route: 'generic',
    body: edit('generic', ['links', 0, 'url'], `https://ci.example.invalid/${MEGABYTE}`),
    problemPath: 'links[0].url',
  },
  {
    name: 'generic: a link with an unknown key',
    route: 'generic',
    body: edit('generic', ['links', 0, 'href'], 'https://ci.example.invalid'),
    problemPath: 'links[0].href',
  },
  {
    name: 'generic: 11 links',
    route: 'generic',
    body: edit(
      'generic',
      ['links'],
      Array.from({ length: 11 }, (_, index) => ({ url: `https://ci.example.invalid/jobs/${index}` })),
    ),
    problemPath: 'links',
  },
  {
    name: 'generic: 51 labels',
    route: 'generic',
    body: edit(
      'generic',
      ['labels'],
      Object.fromEntries(Array.from({ length: 51 }, (_, index) => [`l${index}`, 'v'])),
    ),
    problemPath: 'labels',
  },
  {
    name: 'generic: a label value a number',
    route: 'generic',
    body: edit('generic', ['labels', 'attempt'], 3),
    problemPath: 'labels.attempt',
  },
  {
    name: 'generic: labels an array',
    route: 'generic',
    body: edit('generic', ['labels'], ['a=b']),
    problemPath: 'labels',
  },
  {
    name: 'generic: a misspelt key',
    route: 'generic',
    body: { ...validGeneric, sevrity: 'low' },
    problemPath: 'sevrity',
  },
  {
    name: 'generic: an own __proto__ key',
    route: 'generic',
    body: JSON.parse(`{"__proto__": {"polluted": true}, "title": "x", "severity": "low"}`),
    problemPath: '__proto__',
  },
  { name: 'generic: an empty batch', route: 'generic', body: { alerts: [] }, problemPath: 'alerts' },
  { name: 'generic: alerts a string', route: 'generic', body: { alerts: 'many' }, problemPath: 'alerts' },
  {
    name: 'generic: 1001 alerts',
    route: 'generic',
    body: { alerts: Array.from({ length: 1001 }, () => validGeneric) },
    problemPath: 'alerts',
  },
  {
    name: 'generic: the third alert of a batch without a title',
    route: 'generic',
    body: { alerts: [validGeneric, validGeneric, { severity: 'low' }] },
    problemPath: 'alerts[2].title',
  },
  {
    name: 'generic: a batch with a top-level title too',
    route: 'generic',
    body: { alerts: [validGeneric], title: 'x' },
    problemPath: 'title',
  },
];
