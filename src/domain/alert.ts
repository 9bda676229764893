import type { SeverityId } from '../config/schema-kit.ts';

/** Where an alert came from: the route it was posted to. */
export type AlertSource = 'azure' | 'alertmanager' | 'generic';

export interface AlertLink {
  /** What the link opens, e.g. `Azure portal`, `Prometheus`, `Runbook`. */
  label: string;
  url: string;
}

/**
 * One alert as fleetbot understands it, whatever sent it. An incoming payload may carry several
 * (an Alertmanager group); each is stored, deduplicated and grouped on its own.
 */
export interface Alert {
  source: AlertSource;
  /**
   * The alert's identity at its source, stable from firing to resolved: Alertmanager's fingerprint;
   * Azure's alert rule plus its target resources; generic's `fingerprint`, else a hash of title and service.
   */
  fingerprint: string;
  status: 'firing' | 'resolved';
  severity: SeverityId;
  title: string;
  /** One or two sentences for the message; absent when the source gives none. */
  summary?: string;
  /** The configured service's key (`api`), when the alert names one fleetbot knows. */
  service?: string;
  /**
   * What the alert said its target was (a workload, pod, resource or label value), shown when no
   * configured service matched: the incident opens with the service unknown, never dropped.
   */
  target?: string;
  /** When the condition started, as the source says. */
  startsAt: Date;
  /** When it ended; only for resolved alerts. */
  endsAt?: Date;
  links: AlertLink[];
  /** Flat key/value facts for the ticket (Alertmanager labels, Azure essentials); strings only. */
  labels: Record<string, string>;
  /** Alertmanager's groupKey, Azure's originAlertId…: opaque, for threading and the ticket. */
  groupKey?: string;
}

/** What a service is called, so an alert that names it in any of these ways is matched to it. */
export interface ServiceIdentity {
  /** The configured key (`api`). */
  key: string;
  /** Key, aliases, workload and Kubernetes Service names (`api`, `fleet-api`, `fleet-api-service`). */
  names: readonly string[];
  /** The workload name: pods are named `<workload>-<hash>-<id>` or `<workload>-<ordinal>`. */
  workload: string;
}

/** How a source's severities become P0–P3 (`alerts.severity` in fleetbot.yml). */
export interface SeverityMapping {
  /** Azure `Sev0`…`Sev4` → P0–P3. */
  azure: Readonly<Record<string, SeverityId>>;
  /** Alertmanager's `severity` label → P0–P3 (a `priority` label of P0–P3 wins). */
  alertmanager: Readonly<Record<string, SeverityId>>;
  /** When a payload names no severity, or one the mapping does not know. */
  fallback: SeverityId;
}

export interface ParsingRules {
  severity: SeverityMapping;
  services: readonly ServiceIdentity[];
}

/** A problem with a payload, at a JSON path (`alerts[3].labels`), saying what was expected. */
export interface PayloadProblem {
  path: string;
  message: string;
}

export type ParseResult =
  | {
      ok: true;
      alerts: Alert[];
      /** Facts about the delivery itself for the incident's timeline, e.g. "Alertmanager left out 12 alerts (truncatedAlerts)". */
      notes: string[];
    }
  | { ok: false; problems: PayloadProblem[] };

/**
 * One parser per source: a JSON value already decoded, never throws. Pure: `receivedAt` (when the
 * request arrived, from the caller's clock) stands in for a start time the payload does not give.
 */
export type AlertParser = (body: unknown, rules: ParsingRules, receivedAt: Date) => ParseResult;
