import type { SeverityId } from '../config/schema-kit.ts';
import type { Alert, AlertSource } from './alert.ts';
import type { DrillSettings, Incident, IncidentFlag, IncidentStatus, TimelineEvent } from './incident.ts';

/** An alert as the intake stored it, waiting for the worker to apply it to an incident. */
export interface PendingAlertEvent {
  id: string;
  alert: Alert;
  notes: string[];
  /** Deliveries of this event not yet counted on an incident (1, or more when the source retried). */
  uncounted: number;
  receivedAt: Date;
}

/** One alert fingerprint attached to an incident. */
export interface IncidentAlert {
  source: AlertSource;
  fingerprint: string;
  status: 'firing' | 'resolved';
  severity: SeverityId | undefined;
  title: string;
  repeatCount: number;
  firstSeenAt: Date;
  lastSeenAt: Date;
  resolvedAt: Date | undefined;
  links: Alert['links'];
}

/** What a new incident starts with. */
export interface NewIncident {
  title: string;
  severity: SeverityId;
  service?: string;
  target?: string;
  summary?: string;
  openedAt: Date;
  /** Slack user id, or `alert:<source>`. */
  openedBy: string;
  /** A drill: numbered from the drills' own sequence (`DRILL-3`). */
  drill?: DrillSettings;
}

/** Changes to an incident's own fields; each call bumps its version (its Slack message follows). */
export interface IncidentPatch {
  status?: IncidentStatus;
  severity?: SeverityId;
  title?: string;
  commander?: string;
  flags?: IncidentFlag[];
  channel?: string;
  acknowledged?: { at: Date; by: string };
  mitigated?: { at: Date; by: string };
  resolved?: { at: Date; by: string };
  /** Alerts newly attached, repeats counted, and when the latest arrived. */
  alerts?: { added: number; repeats: number; at: Date };
  checklist?: Incident['checklist'];
  postmortemDone?: { at: Date; by: string };
  evidence?: Incident['evidence'];
  drill?: DrillSettings;
}

/** An incident's escalation: its frozen policy, the run its timer belongs to, what was delivered. */
export interface EscalationRecord {
  /** The EscalationPolicy frozen when it opened (or its severity changed), as stored; absent before. */
  policy: unknown;
  /** The timer run: a delayed check carrying another run id is stale and drops itself. */
  runId: string | undefined;
  /** Keys of the steps already delivered. */
  done: string[];
  /** When the next check is due; absent when nothing more is planned. */
  dueAt: Date | undefined;
  flags: { flag: IncidentFlag; at: Date }[];
  manual: { at: Date; roles: string[]; by: string; reason?: string }[];
}

/** A pending escalation timer, as start-up reconciles it. */
export interface EscalationTimer {
  number: number;
  runId: string;
  dueAt: Date;
}

/** The operations of one transaction: rows read here are locked until it ends. */
export interface IncidentTransaction {
  /** The oldest stored alerts not applied yet, locked; others skip them. */
  pendingAlerts(limit: number): Promise<PendingAlertEvent[]>;
  /** The open incident this fingerprint is already attached to, locked. */
  openIncidentWithAlert(source: AlertSource, fingerprint: string): Promise<Incident | undefined>;
  /** The newest open incident for a service (or unmatched target) opened at or after `since`, locked. */
  openIncidentFor(scope: { service?: string; target?: string }, since: Date): Promise<Incident | undefined>;
  /** The incident, locked; undefined when there is none with that number. */
  lock(number: number): Promise<Incident | undefined>;
  create(incident: NewIncident): Promise<Incident>;
  update(number: number, patch: IncidentPatch): Promise<Incident>;
  /** Attaches the alert (or counts `repeats` on it); says whether it was new or had resolved before. */
  attachAlert(
    number: number,
    alert: Alert,
    repeats: number,
    at: Date,
  ): Promise<{ created: boolean; wasResolved: boolean; repeatCount: number }>;
  /** Marks an attached alert resolved; returns how many of the incident's alerts still fire. */
  resolveAlert(number: number, alert: Alert, at: Date): Promise<{ stillFiring: number }>;
  addTimeline(number: number, event: TimelineEvent): Promise<void>;
  /** The incident's escalation record (the row is locked by `lock` first). */
  escalation(number: number): Promise<EscalationRecord | undefined>;
  /** Changes the escalation record; fields not given stay. */
  setEscalation(number: number, patch: Partial<EscalationRecord>): Promise<void>;
  /** The event is applied (to `incident`, or to none: a resolve for an alert nobody knew). */
  markProcessed(
    events: readonly { id: string; counted: number }[],
    incident: number | undefined,
    at: Date,
  ): Promise<void>;
}

/** What an incident's Slack message and ticket are drawn from. */
export interface IncidentView {
  incident: Incident;
  alerts: IncidentAlert[];
  /** Version of the incident the view was read at: what the message will show. */
  version: number;
  /** Slack's message of the incident in the alerts channel, once posted. */
  posted: boolean;
  escalation: EscalationRecord | undefined;
}

/** Action runs started from an incident (`action_runs.incident_id`), for the ticket and the post-mortem. */
export interface IncidentRun {
  action: string;
  target: string | undefined;
  requestedBy: string;
  status: string;
  summary: string | undefined;
  requestedAt: Date;
  finishedAt: Date | undefined;
}

/** Incidents, their alerts and timelines, and the alert intake log (PostgreSQL). */
export interface IncidentStore {
  /**
   * Stores alerts as received, once each (idempotent on source, fingerprint, start and status: a
   * retried delivery is counted, not stored again). Resolves once committed.
   */
  recordAlerts(alerts: readonly Alert[], notes: readonly string[], receivedAt: Date): Promise<void>;
  /** Whether stored alerts received before `before` still wait to be applied (the sweep's question). */
  hasPendingAlerts(before: Date): Promise<boolean>;
  /** Runs `work` in one transaction. */
  transaction<T>(work: (tx: IncidentTransaction) => Promise<T>): Promise<T>;
  /**
   * Runs `work` in one transaction holding the alert-batch lock, if no other batch holds it (in any
   * process); `{ locked: false }` at once otherwise: a batch job never waits holding a connection.
   */
  alertBatch<T>(
    work: (tx: IncidentTransaction) => Promise<T>,
    afterCommit: () => Promise<void>,
  ): Promise<{ locked: true; value: T } | { locked: false }>;
  get(number: number): Promise<Incident | undefined>;
  view(number: number): Promise<IncidentView | undefined>;
  list(options: { includeResolved: boolean; limit: number }): Promise<Incident[]>;
  timeline(number: number): Promise<TimelineEvent[]>;
  runs(number: number): Promise<IncidentRun[]>;
  /** Records that Slack's message shows `version` (and that it was posted). */
  markSynced(number: number, version: number): Promise<void>;
  /** Incidents whose message lags their latest change and that changed before `before`. */
  unsynced(before: Date): Promise<number[]>;
  /** Timers of open incidents, for reconciliation: every one due before `before`, soonest first. */
  escalationTimers(before: Date, limit: number): Promise<EscalationTimer[]>;
  /** Open incidents whose escalation was never planned (opened before escalation existed, or a crash). */
  unplannedIncidents(limit: number): Promise<number[]>;
  /**
   * Real incidents resolved since `since` whose post-mortem is not done and whose reminder was never
   * recorded: the reminders a lost queue (a flushed store, a move to another database) would drop.
   */
  awaitingPostmortemReminder(since: Date): Promise<{ number: number; resolvedAt: Date }[]>;
}
