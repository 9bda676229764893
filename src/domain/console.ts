import type { SeverityId } from '../config/schema-kit.ts';
import type { DrillReport } from './drill.ts';
import type { Incident, IncidentStatus, TimelineEvent } from './incident.ts';
import type { IncidentAlert, IncidentRun } from './incident-store.ts';
import type { Permission } from './permissions.ts';

/** The person signed in to the web console (or looking at their App Home). */
export interface Viewer {
  /** Slack user id. */
  userId: string;
  /** The Slack workspace (team) they signed in with. */
  teamId: string;
  /** Display name from Slack's identity, for the page header. */
  name: string;
  /** What their roles allow, from the same authorizer as Slack commands. */
  permissions: readonly Permission[];
}

/** Filters of the incident list; every one optional. */
export interface IncidentQuery {
  /** `open`: anything not resolved. */
  status?: 'open' | IncidentStatus;
  severity?: SeverityId;
  service?: string;
  /** Opened at or after. */
  from?: Date;
  /** Opened before. */
  to?: Date;
  /** Words in the title or summary (case-insensitive). */
  text?: string;
  /**
   * Drills instead of real incidents. The list shows one kind or the other: drills are numbered
   * above DRILL_BASE, so a list of both, newest number first, would show every drill first.
   */
  drills?: boolean;
  /** Keyset: incidents numbered below this one (the list runs newest first). */
  before?: number;
  limit: number;
}

/** One line of the incident list, and of the App Home's open incidents. */
export interface IncidentRow {
  number: number;
  title: string;
  severity: SeverityId;
  status: IncidentStatus;
  service?: string;
  openedAt: Date;
  acknowledgedAt?: Date;
  resolvedAt?: Date;
  alertCount: number;
  /** When the next escalation step is due, while one is. */
  escalationDueAt?: Date;
}

/** One incident as its console page shows it, read in one statement. */
export interface IncidentRecord {
  incident: Incident;
  /** The first 50 alerts attached, oldest first. */
  alerts: IncidentAlert[];
  /** Runs started from it, oldest first (at most 200). */
  runs: IncidentRun[];
  /** When its next escalation step is due, while one is. */
  escalationDueAt?: Date;
  /** Its message in the alerts channel, once posted. */
  message?: { channel: string; ts: string };
  /** A drill's report, once it ended and the report was built. */
  drillReport?: DrillReport;
}

/**
 * A time as PostgreSQL keeps it, to the microsecond (`2026-11-30T18:42:00.123456+00:00`): where a
 * keyset page starts. A Date would round it to the millisecond, and a page would then repeat or skip
 * the rows recorded within that millisecond (times written by `now()` carry microseconds).
 */
export type ExactInstant = string;

/** Where a page of a timeline starts: after this event (events run oldest first). */
export interface TimelineCursor {
  at: ExactInstant;
  id: number;
}

export interface TimelinePage {
  events: (TimelineEvent & { id: number })[];
  /** Where the next page starts, when there is one. */
  next?: TimelineCursor;
  /** Events in the whole timeline. */
  total: number;
}

/** Filters of the audit log. */
export interface AuditQuery {
  user?: string;
  action?: string;
  /** The workload or service the run named (`target`). */
  service?: string;
  /** A run's status: ok, warning, failed, denied, cancelled… */
  outcome?: string;
  /** Keyset: runs requested before this one (the log runs newest first). */
  before?: { at: ExactInstant; id: string };
  limit: number;
}

export interface AuditRow {
  id: string;
  action: string;
  target?: string;
  /** Parameters as stored: secret values already redacted at write. */
  params: Record<string, unknown>;
  requestedBy: string;
  confirmedBy?: string;
  origin: string;
  status: string;
  summary?: string;
  incident?: number;
  requestedAt: Date;
  /** `requestedAt` to the microsecond: where the next page starts when this row ends one. */
  requestedAtExact: ExactInstant;
  finishedAt?: Date;
}

/** The overview's figures of a period: of real incidents, drills are not counted. */
export interface PeriodStats {
  /** Over the incidents opened in the period: mean time to acknowledge / resolve, in ms. */
  mttaMs?: number;
  mttrMs?: number;
  opened: number;
  /** Alerts received per UTC day of the period (days with none included). */
  alertsPerDay: { day: string; count: number }[];
}

/** Reads of the console and the App Home, paged on the server (keyset) and served by indexes. */
export interface ConsoleReads {
  /** One page of incidents, newest first: `limit + 1` rows are asked for to know there is more. */
  incidents(query: IncidentQuery): Promise<IncidentRow[]>;
  /** Open incidents, drills included, most severe first, then oldest. */
  openIncidents(limit: number): Promise<IncidentRow[]>;
  /** The incident with its alerts, runs and posted message (`messageKey`), or undefined. */
  incident(number: number, messageKey: string): Promise<IncidentRecord | undefined>;
  timeline(number: number, after: TimelineCursor | undefined, limit: number): Promise<TimelinePage>;
  audit(query: AuditQuery): Promise<AuditRow[]>;
  /** Real incidents not resolved, by severity (drills are not counted). */
  openCounts(): Promise<Record<SeverityId, number>>;
  periodStats(since: Date, until: Date): Promise<PeriodStats>;
}

/** What one person's App Home shows. */
export interface HomeView {
  at: Date;
  userId: string;
  open: IncidentRow[];
  /** The rotations they are in: on call now (until when), or next (from when). */
  shifts: { rotation: string; roleName: string; now: boolean; from: Date; until: Date }[];
  /** Roles they hold now, through the matrix (overrides, rotations, fleetbot.yml). */
  roles: string[];
  recentRuns: AuditRow[];
  /** The report of the latest drill that has one. */
  lastDrill?: DrillReport;
}

/** The people who opened fleetbot's Home tab, so it can be published again when incidents change. */
export interface AppHomeViewers {
  opened(userId: string, at: Date): Promise<void>;
  /** Who opened it since `since`, most recent first. */
  recent(since: Date, limit: number): Promise<string[]>;
}

/** The overview's figures: open incidents now, and the period's. */
export interface IncidentStats extends PeriodStats {
  openBySeverity: Record<SeverityId, number>;
}

/** Mean time to acknowledge and to resolve of one incident, in ms, once it has them. */
export function responseTimes(incident: { openedAt: Date; acknowledgedAt?: Date; resolvedAt?: Date }): {
  ttaMs?: number;
  ttrMs?: number;
} {
  const since = (at: Date | undefined) => (at ? at.getTime() - incident.openedAt.getTime() : undefined);
  const ttaMs = since(incident.acknowledgedAt);
  const ttrMs = since(incident.resolvedAt);
  return { ...(ttaMs === undefined ? {} : { ttaMs }), ...(ttrMs === undefined ? {} : { ttrMs }) };
}
