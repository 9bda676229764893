import * as z from 'zod';
import type { Alert, AlertParser } from '../domain/alert.ts';
import {
  clip,
  LabelSet,
  LinkList,
  MAX_SUMMARY,
  MAX_TITLE,
  present,
  shortHash,
  targetName,
  timestamp,
} from './payload-kit.ts';
import { expecting, parsePayload, refuse } from './problems.ts';
import { findService, namesInText, type ServiceCandidate } from './services.ts';
import { azureSeverity } from './severity.ts';

// Azure Monitor's common alert schema: one alert per request. `data.essentials` is the same for
// every kind of alert and is validated; `data.alertContext` (shaped by `monitoringService`) and
// `data.customProperties` are read leniently: a part of an unexpected type is ignored, because
// the docs contradict themselves there and a 4xx makes Azure drop the alert without retrying.

const SCHEMA_ID = 'azureMonitorCommonAlertSchema';

const optionalText = z.string().nullish();

/** A value of this shape, or undefined when the sender put something else there. */
function lenient<Schema extends z.ZodType>(schema: Schema) {
  return schema.optional().catch(undefined);
}

/** Ids and names that identify the alert rule, most specific first. */
function ruleIdentity(essentials: {
  alertRuleId?: string | null | undefined;
  alertRule?: string | null | undefined;
  originAlertId?: string | null | undefined;
  alertId?: string | null | undefined;
}): string | undefined {
  return (
    present(essentials.alertRuleId) ??
    present(essentials.alertRule) ??
    present(essentials.originAlertId) ??
    present(essentials.alertId)
  );
}

const essentialsSchema = z
  .object({
    alertId: optionalText,
    alertRule: optionalText,
    alertRuleId: optionalText,
    severity: optionalText,
    signalType: optionalText,
    monitorCondition: z.enum(['Fired', 'Resolved']),
    monitoringService: optionalText,
    alertTargetIDs: z.array(z.string()).nullish(),
    configurationItems: z.array(z.string()).nullish(),
    originAlertId: optionalText,
    firedDateTime: timestamp,
    resolvedDateTime: timestamp.nullish(),
    description: optionalText,
    investigationLink: optionalText,
    targetResourceGroup: optionalText,
    targetResourceType: optionalText,
  })
  .superRefine(
    (essentials, ctx) => {
      if (ruleIdentity(essentials) === undefined) {
        ctx.addIssue({
          // Stryker disable next-line StringLiteral: equivalent, the issue brings its message: nothing reads its code
          code: 'custom',
          path: ['alertId'],
          message:
            'expected an alert id or rule: alertId, alertRule, alertRuleId and originAlertId are all missing or empty',
        });
      }
    },
    { when: (payload) => payload.issues.length === 0 },
  );

const dimensionSchema = z.object({
  name: z.string(),
  value: z.union([z.string(), z.number(), z.boolean()]).transform(String),
});

/** One criterion of a metric or log search (v2) alert: `alertContext.condition.allOf[i]`. */
const criterionSchema = z.object({
  metricName: lenient(z.string()),
  metricMeasureColumn: lenient(z.string()),
  timeAggregation: lenient(z.string()),
  operator: lenient(z.string()),
  threshold: lenient(z.union([z.string(), z.number()])),
  metricValue: lenient(z.union([z.number(), z.string()])),
  dimensions: lenient(z.array(dimensionSchema)),
  linkToFilteredSearchResultsUI: lenient(z.string()),
  linkToSearchResultsUI: lenient(z.string()),
});
type Criterion = z.output<typeof criterionSchema>;

/** The parts of the alert contexts fleetbot uses, across monitoring services. */
const alertContextSchema = z.object({
  /** Metric and log search (v2) alerts. */
  conditionType: lenient(z.string()),
  condition: lenient(z.object({ allOf: lenient(z.array(criterionSchema)) })),
  /** Custom properties (metric, log search v2) or the event's properties (activity log, health). */
  properties: lenient(z.record(z.string(), z.unknown())),
  /** Log search v1. */
  Dimensions: lenient(z.array(dimensionSchema)),
  LinkToFilteredSearchResultsUI: lenient(z.string()),
  LinkToSearchResults: lenient(z.string()),
  IncludedSearchResults: lenient(z.string()),
  /** Smart detection. */
  DetectionSummary: lenient(z.string()),
  DetectedValue: lenient(z.string()),
  NormalValue: lenient(z.string()),
});
type AlertContext = z.output<typeof alertContextSchema>;

const payloadSchema = z.object({
  schemaId: z.literal(SCHEMA_ID, {
    error: (issue) =>
      `${expecting(`"${SCHEMA_ID}"`)(issue)}. Turn on "Enable the common alert schema" for this webhook in the action group`,
  }),
  data: z.object({
    essentials: essentialsSchema,
    alertContext: lenient(alertContextSchema),
    customProperties: lenient(z.record(z.string(), z.unknown())),
  }),
});

const ALERTS_MANAGEMENT_ID = /\/providers\/Microsoft\.AlertsManagement\/alerts\//i;
const PORTAL_ALERT =
  'https://portal.azure.com/#view/Microsoft_Azure_Monitoring_Alerts/AlertDetails.ReactView/alertId/';

/** Configuration items and target resources looked at for a service; the rest only count in the fingerprint. */
const MAX_NAMED = 20;

/** Dimensions that name a workload (compared case-insensitively), most telling first. */
const NAME_DIMENSIONS = [
  'cloud_rolename',
  'approlename',
  'deployment',
  'statefulset',
  'daemonset',
  'controllername',
  'container',
  'containername',
  'service',
  'servicename',
  'app',
  'workload',
];
/** Dimensions that name a pod, matched by workload prefix. */
const POD_DIMENSIONS = ['pod', 'podname'];

const OPERATORS: Readonly<Record<string, string>> = {
  greaterthan: '>',
  greaterthanorequal: '>=',
  lessthan: '<',
  lowerthan: '<',
  lessthanorequal: '<=',
  lowerthanorequal: '<=',
  equals: '=',
  equal: '=',
  notequals: '!=',
};

function stringValues(record: Readonly<Record<string, unknown>> | undefined): [string, string][] {
  if (!record) return [];
  return Object.entries(record).flatMap(([key, value]): [string, string][] =>
    typeof value === 'string' && value.trim() ? [[key, value.trim()]] : [],
  );
}

function formatNumber(value: number | string): string {
  if (typeof value === 'string') return value;
  if (Number.isInteger(value)) return String(value);
  return Math.abs(value) >= 1 ? String(Number(value.toFixed(2))) : String(Number(value.toPrecision(3)));
}

/** `node_cpu_usage_percentage 91.11 > 80` from a criterion, when it says all three. */
function conditionText(criterion: Criterion | undefined): string | undefined {
  if (!criterion || criterion.metricValue === undefined || criterion.threshold === undefined)
    return undefined;
  const operator = criterion.operator ?? '';
  const symbol = OPERATORS[operator.replaceAll(' ', '').toLowerCase()] ?? present(operator);
  if (!symbol) return undefined;
  const name =
    present(criterion.metricName) ??
    present(criterion.metricMeasureColumn) ??
    present(criterion.timeAggregation) ??
    'value';
  return `${name} ${formatNumber(criterion.metricValue)} ${symbol} ${formatNumber(criterion.threshold)}`;
}

function propertyText(
  properties: Readonly<Record<string, unknown>> | undefined,
  key: string,
): string | undefined {
  const value = properties?.[key];
  return typeof value === 'string' ? present(value) : undefined;
}

/** What the alert context adds to the description, in one line. */
function contextDetail(context: AlertContext): string | undefined {
  const condition = conditionText(context.condition?.allOf?.[0]);
  if (condition) return condition;
  const detection = present(context.DetectionSummary);
  if (detection) {
    const detected = present(context.DetectedValue);
    const normal = present(context.NormalValue);
    return `${detection}${detected ? `: ${detected}` : ''}${normal ? `, normal ${normal}` : ''}`;
  }
  if (context.conditionType !== undefined) return undefined;
  // Activity log, resource health and service health: the event's own title.
  const title = propertyText(context.properties, 'title');
  const previous = propertyText(context.properties, 'previousHealthStatus');
  const current = propertyText(context.properties, 'currentHealthStatus');
  if (title && previous && current) return `${title} (${previous} → ${current})`;
  return title;
}

function lastSegment(resourceId: string): string | undefined {
  return present(resourceId.split('/').findLast((segment) => segment.trim() !== ''));
}

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Parses an Azure Monitor common alert schema payload into its one alert. */
export const parseAzure: AlertParser = (body, rules) => {
  const parsed = parsePayload(payloadSchema, body);
  if (!parsed.ok) return refuse(parsed.problems);
  const { essentials, alertContext: context = {}, customProperties } = parsed.value.data;

  // Metric and log search (v2) rules carry their custom properties in alertContext.properties;
  // in activity log alerts those are the event's properties, not the rule's.
  const custom = new Map([
    ...stringValues(customProperties),
    ...(context.conditionType !== undefined ? stringValues(context.properties) : []),
  ]);
  const criteria = context.condition?.allOf ?? [];
  const dimensions = [
    ...criteria.flatMap((criterion) => criterion.dimensions ?? []),
    ...(context.Dimensions ?? []),
  ];
  const targets = (essentials.alertTargetIDs ?? []).filter((id) => id.trim() !== '');

  const dimensionsNamed = (names: readonly string[], pod: boolean): ServiceCandidate[] =>
    names.flatMap((wanted) =>
      dimensions
        .filter((dimension) => dimension.name.toLowerCase() === wanted && present(dimension.value))
        .map((dimension) => ({ name: dimension.value, pod })),
    );
  const named: ServiceCandidate[] = [
    ...['service', 'Service'].flatMap((key) => {
      const value = custom.get(key);
      return value ? [{ name: value }] : [];
    }),
    ...dimensionsNamed(NAME_DIMENSIONS, false),
    ...dimensionsNamed(POD_DIMENSIONS, true),
    ...(essentials.configurationItems ?? [])
      .slice(0, MAX_NAMED)
      .flatMap((item) => (present(item) ? [{ name: item }] : [])),
    ...targets.slice(0, MAX_NAMED).flatMap((id) => {
      const name = lastSegment(id);
      return name ? [{ name }] : [];
    }),
  ];
  const words: ServiceCandidate[] = [
    ...namesInText(clip(essentials.alertRule ?? '', MAX_TITLE)),
    // Prose uses plain words ("the app", "an API") loosely: only workload-like names count there.
    ...namesInText(clip(essentials.description ?? '', MAX_SUMMARY)).filter((name) => name.includes('-')),
  ].map((name) => ({ name }));
  const service = findService([...named, ...words], rules.services);

  // Stryker disable next-line StringLiteral: equivalent, the schema refuses essentials without an id or rule
  const rule = ruleIdentity(essentials) ?? '';
  const identity = [rule, ...targets.map((id) => id.trim()).sort()].join('\n').toLowerCase();

  const description = present(essentials.description);
  const titleSource = present(essentials.alertRule) ?? description ?? present(essentials.monitoringService);
  const detail = contextDetail(context);
  const summaryParts = [titleSource === description ? undefined : description, detail].filter(
    (part): part is string => part !== undefined,
  );

  const labels = new LabelSet()
    .add('severity', essentials.severity)
    .add('monitoringService', essentials.monitoringService)
    .add('signalType', essentials.signalType)
    .add('alertRule', essentials.alertRule)
    .add('targetResourceType', essentials.targetResourceType)
    .add('targetResourceGroup', essentials.targetResourceGroup)
    .add('configurationItems', essentials.configurationItems?.join(', '));
  for (const dimension of dimensions) labels.add(dimension.name, dimension.value);
  for (const [key, value] of custom) labels.add(key, value);

  const links = new LinkList();
  const alertId = present(essentials.alertId);
  // Only an AlertsManagement alert opens in the alert details view; activity log and cost alerts
  // put a rule path or a cost alert id in alertId.
  if (alertId && ALERTS_MANAGEMENT_ID.test(alertId)) {
    links.add('Azure portal', `${PORTAL_ALERT}${encodeURIComponent(alertId)}`);
  }
  links.add('Investigation', essentials.investigationLink);
  const firstCriterion = criteria[0];
  links.add(
    'Log search results',
    firstCriterion?.linkToFilteredSearchResultsUI ??
      firstCriterion?.linkToSearchResultsUI ??
      context.LinkToFilteredSearchResultsUI ??
      context.LinkToSearchResults,
  );
  const resource = targets.find((id) => id.trim().toLowerCase().startsWith('/subscriptions/'));
  if (resource) links.add('Azure resource', `https://portal.azure.com/#resource${resource.trim()}`);
  for (const [key, value] of custom) links.add(capitalised(key), value);

  const notes: string[] = [];
  if (context.IncludedSearchResults?.toLowerCase() === 'false') {
    notes.push(
      'Azure left the log search results out of this alert (over 256 KB); open "Log search results" to see them',
    );
  }

  const resolved = essentials.monitorCondition === 'Resolved';
  const alert: Alert = {
    source: 'azure',
    fingerprint: `azure:${shortHash(identity)}`,
    status: resolved ? 'resolved' : 'firing',
    severity: azureSeverity(essentials.severity, rules.severity),
    title: clip(titleSource ?? 'Azure Monitor alert', MAX_TITLE),
    summary: summaryParts.length > 0 ? clip(summaryParts.join(' — '), MAX_SUMMARY) : undefined,
    service,
    target: service === undefined ? targetName(named[0]?.name) : undefined,
    startsAt: essentials.firedDateTime,
    endsAt: resolved ? (essentials.resolvedDateTime ?? undefined) : undefined,
    links: links.toArray(),
    labels: labels.toRecord(),
    groupKey: present(essentials.originAlertId),
  };
  return { ok: true, alerts: [alert], notes };
};
