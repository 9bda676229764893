import type { SeverityId } from '../config/schema-kit.ts';

/** triggered → acknowledged → mitigated → resolved; a step may be skipped, never taken back. */
export const INCIDENT_STATUSES = ['triggered', 'acknowledged', 'mitigated', 'resolved'] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number];

/** The runbook's reasons to escalate at once, set on an incident by `/fleet incident flag`. */
export const INCIDENT_FLAGS = [
  'customer-data',
  'data-breach',
  'needs-deploy',
  'vendor',
  'regulatory',
  'executive-customer',
  'infrastructure',
  'database',
] as const;
export type IncidentFlag = (typeof INCIDENT_FLAGS)[number];

/** The runbook's "Incident Checklist", in its order; item ids are stable (they are stored). */
export const CHECKLISTS = {
  during: {
    title: 'During incident',
    items: [
      ['ticket', 'Incident ticket created'],
      ['severity', 'Severity assessed'],
      ['stakeholders', 'Stakeholders notified'],
      ['impact', 'Impact documented'],
      ['workaround', 'Workaround identified (if possible)'],
      ['root-cause', 'Root cause found'],
      ['fix', 'Fix applied'],
      ['verified', 'Resolution verified'],
      ['monitoring', 'Monitoring increased'],
    ],
  },
  post: {
    title: 'Post-incident',
    items: [
      ['postmortem', 'Post-mortem written'],
      ['timeline', 'Timeline documented'],
      ['rca', 'Root cause analysis complete'],
      ['action-items', 'Action items identified'],
      ['preventive', 'Preventive measures planned'],
      ['runbook', 'Runbook updated'],
      ['debrief', 'Team debriefed'],
    ],
  },
} as const satisfies Record<string, { title: string; items: readonly (readonly [string, string])[] }>;
export type ChecklistId = keyof typeof CHECKLISTS;

/** Cluster evidence gathered for an incident's service, bounded in time. */
export interface IncidentEvidence {
  at: Date;
  /** One line per fact: a pod's state and restarts, an error line, the diagnose finding. */
  lines: string[];
  /** Why it is incomplete or missing (the cluster did not answer in time). */
  note?: string;
}

/** Who ticked one checklist item, and when. */
export interface ChecklistTick {
  by: string;
  at: Date;
}

/**
 * How a drill runs, frozen when it starts (`/fleet drill P1 --speed 60 --notify channel`). A drill is
 * a real incident in every other way: intake, ticket, channel, timers and delivery are production's.
 */
export interface DrillSettings {
  /** Every duration of its escalation and response phases is divided by this. */
  speed: number;
  /** `people`: DMs as production sends them; `channel`: mentions in the drill's thread only. */
  notify: DrillNotify;
  /** Drills never page the CTO unless asked to. */
  includeCto: boolean;
  /** Slack user id of who started it. */
  startedBy: string;
  /** Set when nothing more is planned: the drill times out then unless someone resolved it. */
  endsAt?: Date;
  /** Ended early by `/fleet drill stop` (its resolver is who stopped it). */
  stopped?: boolean;
}

export const DRILL_NOTIFY = ['people', 'channel'] as const;
export type DrillNotify = (typeof DRILL_NOTIFY)[number];

/**
 * Drills are numbered apart from real incidents: `DRILL-3` is incident number DRILL_BASE + 3. Real
 * incidents keep their own sequence without gaps, and any code holding a number can tell a drill.
 */
export const DRILL_BASE = 1_000_000_000;

/** Whether the incident numbered `number` is a drill. */
export function isDrill(number: number): boolean {
  return number > DRILL_BASE;
}

export interface Incident {
  /** The ticket number people type (`INC-42` is 42; `DRILL-3` is {@link DRILL_BASE} + 3). */
  number: number;
  title: string;
  severity: SeverityId;
  status: IncidentStatus;
  /** The configured service key, when known. */
  service?: string;
  /** What the first alert named as its target when no configured service matched. */
  target?: string;
  summary?: string;
  /** Slack user id of the incident commander. */
  commander?: string;
  flags: IncidentFlag[];
  openedAt: Date;
  openedBy?: string;
  acknowledgedAt?: Date;
  acknowledgedBy?: string;
  mitigatedAt?: Date;
  mitigatedBy?: string;
  resolvedAt?: Date;
  resolvedBy?: string;
  /** The incident's own Slack channel, once created. */
  channel?: string;
  /** Alerts attached, with how many times each was received while open. */
  alertCount: number;
  repeatCount: number;
  lastAlertAt?: Date;
  /** Checklist item id (`during.ticket`) → tick. */
  checklist: Record<string, ChecklistTick>;
  postmortemDoneAt?: Date;
  /** What the cluster showed when the incident opened (pod states, restarts, error lines, a finding). */
  evidence?: IncidentEvidence;
  /** Set on a drill: a practice incident (its number is above {@link DRILL_BASE}). */
  drill?: DrillSettings;
}

/** One line of an incident's timeline. `kind` names what happened; `details` the facts of it. */
export interface TimelineEvent {
  at: Date;
  kind: TimelineKind;
  /** Slack user id, `alert:<source>` or `fleetbot`. */
  actor: string;
  text: string;
  details?: Record<string, unknown>;
}

export type TimelineKind =
  | 'opened'
  | 'alert'
  | 'alert-repeat'
  | 'alert-resolved'
  | 'acknowledged'
  | 'escalated'
  | 'mitigated'
  | 'resolved'
  | 'reopened'
  | 'severity'
  | 'note'
  | 'assigned'
  | 'flag'
  | 'checklist'
  | 'action'
  | 'channel'
  | 'postmortem';

/** A status change asked for: what it becomes, or why it changes nothing. */
export type Transition = { ok: true; to: IncidentStatus } | { ok: false; reason: string };

/**
 * Whether `incident` may move to `to`. Moving back, or to where it already is, changes nothing and
 * says why (a second Acknowledge is a no-op with a note, not an error).
 */
export function transition(incident: Pick<Incident, 'status' | 'number'>, to: IncidentStatus): Transition {
  const from = INCIDENT_STATUSES.indexOf(incident.status);
  const target = INCIDENT_STATUSES.indexOf(to);
  if (from === target) return { ok: false, reason: `${incidentRef(incident.number)} is already ${to}.` };
  if (target < from) {
    return {
      ok: false,
      reason: `${incidentRef(incident.number)} is already ${incident.status}; it cannot be ${to} again.`,
    };
  }
  return { ok: true, to };
}

/** `42`, `INC-42`, `#42` (as people type an incident) → 42; `DRILL-3` → the drill's number; else undefined. */
export function parseIncidentRef(text: string | undefined): number | undefined {
  const drill = /^drill-(\d{1,8})$/i.exec(text ?? '');
  if (drill) return DRILL_BASE + Number(drill[1]);
  const match = /^(?:inc-|#)?(\d{1,9})$/i.exec(text ?? '');
  return match ? Number(match[1]) : undefined;
}

/** `INC-42`, or `DRILL-3` for a drill. */
export function incidentRef(number: number): string {
  return isDrill(number) ? `DRILL-${number - DRILL_BASE}` : `INC-${number}`;
}
