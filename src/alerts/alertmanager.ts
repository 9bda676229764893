import * as z from 'zod';
import type { Alert, AlertParser } from '../domain/alert.ts';
import {
  alertList,
  clip,
  clipPresent,
  isGoZeroTime,
  LabelSet,
  LinkList,
  MAX_SUMMARY,
  MAX_TITLE,
  present,
  shortHash,
  targetName,
  timestamp,
  tooManyAlertsProblem,
} from './payload-kit.ts';
import { parsePayload, refuse } from './problems.ts';
import { findService, type ServiceCandidate } from './services.ts';
import { alertmanagerSeverity } from './severity.ts';

// The Alertmanager webhook (`version: "4"`): one request per notification of a group, one Alert
// per entry of `alerts`, each with its own status. The version is not checked: senders that copy
// the format (Grafana sends "1") use the same fields.

const labelMap = z.record(z.string(), z.string());

const alertSchema = z.object({
  status: z.enum(['firing', 'resolved']),
  labels: labelMap,
  annotations: labelMap.nullish(),
  startsAt: timestamp,
  endsAt: timestamp.nullish(),
  generatorURL: z.string().nullish(),
  /** Alertmanager's is 16 hex characters; anything longer than this is not an identity. */
  fingerprint: z.string().max(200).nullish(),
});
type WebhookAlert = z.output<typeof alertSchema>;

const payloadSchema = z.object({
  version: z.string().optional(),
  status: z.enum(['firing', 'resolved']).optional(),
  groupKey: z.string().nullish(),
  externalURL: z.string().nullish(),
  truncatedAlerts: z.int().min(0).nullish(),
  alerts: alertList(alertSchema),
});

/** Labels that may name the workload, most telling first; `pod` is matched by workload prefix. */
const SERVICE_LABELS = [
  'deployment',
  'statefulset',
  'daemonset',
  'pod',
  'container',
  'app_kubernetes_io_name',
  'app',
  'service',
  'job',
] as const;

/** Labels shown as the target when no configured service matched, else the alert name. */
const TARGET_LABELS = ['deployment', 'statefulset', 'daemonset', 'pod', 'container', 'service'] as const;

function title(labels: Readonly<Record<string, string>>, summary: string | undefined): string {
  const alertname = present(labels.alertname);
  if (alertname && summary && !summary.startsWith(alertname)) return `${alertname}: ${summary}`;
  return summary ?? alertname ?? 'Alertmanager alert';
}

function fingerprint(alert: WebhookAlert): string {
  const given = present(alert.fingerprint);
  if (given) return `alertmanager:${given}`;
  const sorted = Object.entries(alert.labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `alertmanager:${shortHash(JSON.stringify(sorted))}`;
}

/** Parses an Alertmanager webhook payload into one alert per entry of `alerts`. */
export const parseAlertmanager: AlertParser = (body, rules) => {
  const tooMany = tooManyAlertsProblem(body);
  // Stryker disable next-line ConditionalExpression: equivalent, see alertList in payload-kit.ts
  if (tooMany) return refuse([tooMany]);
  const parsed = parsePayload(payloadSchema, body);
  if (!parsed.ok) return refuse(parsed.problems);
  const payload = parsed.value;
  const externalURL = present(payload.externalURL);
  const groupKey = present(payload.groupKey);

  const alerts = payload.alerts.map((alert): Alert => {
    const labels = alert.labels;
    const annotations = alert.annotations ?? {};
    const summary = present(annotations.summary);
    const candidates: ServiceCandidate[] = SERVICE_LABELS.flatMap((name) => {
      const value = present(labels[name]);
      return value ? [{ name: value, pod: name === 'pod' }] : [];
    });
    const service = findService(candidates, rules.services);
    const resolved = alert.status === 'resolved';
    const endsAt = alert.endsAt && !isGoZeroTime(alert.endsAt) ? alert.endsAt : undefined;

    const keptLabels = new LabelSet();
    for (const key of Object.keys(labels).sort()) keptLabels.add(key, labels[key]);

    return {
      source: 'alertmanager',
      fingerprint: fingerprint(alert),
      status: alert.status,
      severity: alertmanagerSeverity(labels, rules.severity),
      title: clip(title(labels, summary), MAX_TITLE),
      summary: clipPresent(present(annotations.description) ?? annotations.message, MAX_SUMMARY),
      service,
      target:
        service === undefined
          ? targetName(TARGET_LABELS.map((name) => present(labels[name])).find(Boolean) ?? labels.alertname)
          : undefined,
      startsAt: alert.startsAt,
      endsAt: resolved ? endsAt : undefined,
      links: new LinkList()
        .add('Prometheus', alert.generatorURL)
        .add('Runbook', annotations.runbook_url)
        .add('Dashboard', annotations.dashboard_url)
        .add('Alertmanager', externalURL)
        .toArray(),
      labels: keptLabels.toRecord(),
      groupKey,
    };
  });

  const notes: string[] = [];
  const truncated = payload.truncatedAlerts ?? 0;
  if (truncated > 0) {
    const where = externalURL ? `; see ${externalURL}` : '';
    notes.push(
      `Alertmanager left out ${truncated} alert${truncated === 1 ? '' : 's'} of this group (truncatedAlerts)${where}`,
    );
  }
  return { ok: true, alerts, notes };
};
