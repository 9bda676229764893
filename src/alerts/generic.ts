import * as z from 'zod';
import type { Alert, AlertParser } from '../domain/alert.ts';
import { didYouMean, sentence } from '../lib/did-you-mean.ts';
import {
  alertList,
  clipPresent,
  httpUrlSchema,
  LabelSet,
  LinkList,
  MAX_LABEL_KEY,
  MAX_LINK_LABEL,
  MAX_LINKS,
  MAX_SUMMARY,
  MAX_TITLE,
  shortHash,
  timestamp,
  tooManyAlertsProblem,
} from './payload-kit.ts';
import { describeValue, expecting, parsePayload, refuse, strictObject } from './problems.ts';
import { matchService } from './services.ts';
import { GENERIC_SEVERITY_NAMES, genericSeverity } from './severity.ts';

// fleetbot's own alert format, for anything that is neither Azure Monitor nor Alertmanager (a
// cron job, a CI pipeline, a script): one alert object, or `{ "alerts": [ … ] }`. Unknown keys are
// refused, with a suggestion, so a misspelt optional field is not silently lost.

/** Most labels on one generic alert; more is refused. */
export const MAX_GENERIC_LABELS = 50;
/** Longest `fingerprint` and `service` a generic alert may give. */
export const MAX_GENERIC_NAME = 200;

const SEVERITY_EXPECTED = `P0, P1, P2, P3 or one of ${Object.keys(GENERIC_SEVERITY_NAMES).join(', ')}`;

const severitySchema = z.string({ error: expecting(SEVERITY_EXPECTED) }).transform((value, ctx) => {
  const severity = genericSeverity(value);
  if (severity === undefined) {
    // Suggest names only: "P4" is not a typo of "P0".
    const hint = didYouMean(value, Object.keys(GENERIC_SEVERITY_NAMES));
    ctx.addIssue({
      // Stryker disable next-line StringLiteral: equivalent, the issue brings its message: nothing reads its code
      code: 'custom',
      message: sentence(`expected ${SEVERITY_EXPECTED}, got ${describeValue(value)}`, hint),
    });
    return z.NEVER;
  }
  return severity;
});

const name = z.string().trim().min(1).max(MAX_GENERIC_NAME);

const linkSchema = strictObject({
  label: z.string().trim().min(1).max(MAX_LINK_LABEL).nullish(),
  url: httpUrlSchema,
});

const labelsSchema = z
  .record(z.string().min(1).max(MAX_LABEL_KEY), z.string())
  .refine((labels) => Object.keys(labels).length <= MAX_GENERIC_LABELS, {
    error: (issue) =>
      `expected at most ${MAX_GENERIC_LABELS} labels, got ${typeof issue.input === 'object' && issue.input !== null ? Object.keys(issue.input).length : 'more'}`,
  });

const alertSchema = strictObject(
  {
    title: z.string().trim().min(1).max(MAX_TITLE),
    severity: severitySchema,
    status: z.enum(['firing', 'resolved']).nullish(),
    service: name.nullish(),
    fingerprint: name.nullish(),
    description: z.string().nullish(),
    startsAt: timestamp.nullish(),
    endsAt: timestamp.nullish(),
    links: z.array(linkSchema).max(MAX_LINKS).nullish(),
    labels: labelsSchema.nullish(),
  },
  'an alert object, or {"alerts": [ … ]}',
).superRefine(
  (alert, ctx) => {
    if (alert.startsAt && alert.endsAt && alert.endsAt < alert.startsAt) {
      ctx.addIssue({
        // Stryker disable next-line StringLiteral: equivalent, the issue brings its message: nothing reads its code
        code: 'custom',
        path: ['endsAt'],
        message: `expected a time at or after startsAt (${alert.startsAt.toISOString()}), got ${alert.endsAt.toISOString()}`,
      });
    }
  },
  { when: (payload) => payload.issues.length === 0 },
);
type GenericAlert = z.output<typeof alertSchema>;

const batchSchema = strictObject({
  alerts: alertList(alertSchema),
});

function isBatch(body: unknown): boolean {
  return typeof body === 'object' && body !== null && !Array.isArray(body) && Object.hasOwn(body, 'alerts');
}

function toAlert(alert: GenericAlert, rules: Parameters<AlertParser>[1], receivedAt: Date): Alert {
  const service = alert.service ?? undefined;
  const matched = service === undefined ? undefined : matchService([service], rules.services);
  const status = alert.status ?? 'firing';
  const labels = new LabelSet();
  for (const [key, value] of Object.entries(alert.labels ?? {})) labels.add(key, value);
  const links = new LinkList();
  for (const link of alert.links ?? []) links.add(link.label ?? new URL(link.url).hostname, link.url);
  return {
    source: 'generic',
    fingerprint: `generic:${alert.fingerprint ?? shortHash(`${alert.title}\n${service ?? ''}`)}`,
    status,
    severity: alert.severity,
    title: alert.title,
    summary: clipPresent(alert.description, MAX_SUMMARY),
    service: matched,
    target: matched === undefined ? service : undefined,
    // The caller's clock, not ours: parsers are pure.
    startsAt: alert.startsAt ?? receivedAt,
    endsAt: status === 'resolved' ? (alert.endsAt ?? undefined) : undefined,
    links: links.toArray(),
    labels: labels.toRecord(),
  };
}

/**
 * Parses fleetbot's generic alert format: one alert object or `{ "alerts": [ … ] }`. An alert
 * without `startsAt` started at `receivedAt`, when the request arrived.
 */
export const parseGeneric: AlertParser = (body, rules, receivedAt) => {
  const tooMany = tooManyAlertsProblem(body);
  // Stryker disable next-line ConditionalExpression: equivalent, see alertList in payload-kit.ts
  if (tooMany) return refuse([tooMany]);
  const parsed = isBatch(body)
    ? parsePayload(batchSchema, body)
    : parsePayload(
        alertSchema.transform((alert) => ({ alerts: [alert] })),
        body,
      );
  if (!parsed.ok) return refuse(parsed.problems);
  return {
    ok: true,
    alerts: parsed.value.alerts.map((alert) => toAlert(alert, rules, receivedAt)),
    notes: [],
  };
};
