import type pg from 'pg';
import { SEVERITY_IDS, type SeverityId } from '../config/schema-kit.ts';
import type {
  AuditQuery,
  AuditRow,
  ConsoleReads,
  IncidentQuery,
  IncidentRecord,
  IncidentRow,
  PeriodStats,
  TimelineCursor,
  TimelinePage,
} from '../domain/console.ts';
import { DRILL_BASE, type IncidentStatus } from '../domain/incident.ts';
import { optional } from '../lib/optional.ts';
import { reportOf, type StoredDrillReport } from './drill-store.ts';
import {
  optionalString,
  toIncident,
  toIncidentAlert,
  toIncidentRun,
  toTimelineEvent,
} from './incident-store.ts';

type Row = Record<string, unknown>;

/** What an incident's page shows: not its frozen escalation policy, the largest value of the row. */
const PAGE_INCIDENT_COLUMNS = `i.id, i.title, i.severity, i.status, i.service, i.target, i.summary, i.commander,
  i.flags, i.opened_at, i.opened_by, i.acknowledged_at, i.acknowledged_by, i.mitigated_at, i.mitigated_by,
  i.resolved_at, i.resolved_by, i.incident_channel, i.alert_count, i.repeat_count, i.last_alert_at, i.checklist,
  i.postmortem_done_at, i.evidence, i.escalation_due_at, i.drill, i.drill_report`;

/**
 * Real incidents and drills, told apart by number as the domain does (`isDrill`; the same rows as
 * `drill IS NULL` / `IS NOT NULL`): a range of the primary key and of the `(…, id)` indexes, so a
 * keyset page of one kind never reads through the other.
 */
const REAL = `id <= ${DRILL_BASE}`;
const DRILLS = `id > ${DRILL_BASE}`;

const INCIDENT_COLUMNS =
  'id, title, severity, status, service, opened_at, acknowledged_at, resolved_at, alert_count, escalation_due_at';

/**
 * The console's and the App Home's reads. Every list is one keyset page (`WHERE key < cursor ORDER
 * BY key DESC LIMIT n`) on an index (migration 0012), so a deep page costs what the first one does.
 */
export class PgConsoleReads implements ConsoleReads {
  private readonly pool: pg.Pool;

  constructor(options: { pool: pg.Pool }) {
    this.pool = options.pool;
  }

  async incidents(query: IncidentQuery): Promise<IncidentRow[]> {
    const where = new Conditions();
    where.add(query.drills ? DRILLS : REAL);
    if (query.status === 'open') where.add("status <> 'resolved'");
    else if (query.status) where.add('status = $', query.status);
    if (query.severity) where.add('severity = $', query.severity);
    if (query.service) where.add('service = $', query.service);
    if (query.from) where.add('opened_at >= $', query.from);
    if (query.to) where.add('opened_at < $', query.to);
    if (query.text) {
      const pattern = `%${likeEscaped(query.text)}%`;
      where.add('(title ILIKE $ OR summary ILIKE $)', pattern, pattern);
    }
    if (query.before !== undefined) where.add('id < $', query.before);
    const { rows } = await this.pool.query(
      `SELECT ${INCIDENT_COLUMNS} FROM incidents ${where.sql()} ORDER BY id DESC LIMIT ${Math.floor(query.limit)}`,
      where.values,
    );
    return rows.map(toIncidentRow);
  }

  async openIncidents(limit: number): Promise<IncidentRow[]> {
    const { rows } = await this.pool.query(
      `SELECT ${INCIDENT_COLUMNS} FROM incidents WHERE status <> 'resolved'
        ORDER BY severity, opened_at LIMIT $1`,
      [limit],
    );
    return rows.map(toIncidentRow);
  }

  async timeline(number: number, after: TimelineCursor | undefined, limit: number): Promise<TimelinePage> {
    // One row (one round trip, whether the page is empty or not): the incident's event count and the
    // page as one json array, which JSON.parse reads natively where 200 rows of columns cost the
    // driver a parse each (a tenth of the page's CPU). Only what the page shows: an event's details
    // (who was paged, a run's parameters) are not parsed for it.
    const { rows } = await this.pool.query({
      name: after ? 'console-timeline-after' : 'console-timeline',
      text: `SELECT (SELECT count(*) FROM timeline_events WHERE incident_id = $1)::int AS total,
              (SELECT coalesce(json_agg(e ORDER BY e.at, e.id), '[]')
                 FROM (SELECT id, at, kind, actor, jsonb_build_object('text', details->'text') AS details
                         FROM timeline_events WHERE incident_id = $1${after ? ' AND (at, id) > ($3, $4)' : ''}
                        ORDER BY at, id LIMIT $2) e) AS events`,
      values: after ? [number, limit + 1, after.at, after.id] : [number, limit + 1],
    });
    const { total, events: page } = rows[0] as { total: number; events: Row[] };
    const shown = page.slice(0, limit);
    // json_agg writes timestamps as text, to the microsecond: revived before the incident store's
    // row mapper, and kept as written for the cursor.
    const events = shown.map((row) => ({
      ...toTimelineEvent({ ...row, at: new Date(row.at as string) }),
      id: Number(row.id),
    }));
    const last = shown.at(-1);
    return {
      events,
      ...(page.length > limit && last ? { next: { at: String(last.at), id: Number(last.id) } } : {}),
      total,
    };
  }

  async audit(query: AuditQuery): Promise<AuditRow[]> {
    const where = new Conditions();
    // Runs waiting for a confirmation are requests, not yet something that happened.
    where.add("status <> 'awaiting_confirmation'");
    if (query.user) where.add('(requested_by = $ OR confirmed_by = $)', query.user, query.user);
    if (query.action) where.add('action = $', query.action);
    if (query.service) where.add('target = $', query.service);
    if (query.outcome) where.add('status = $', query.outcome);
    if (query.before) where.add('(requested_at, id) < ($, $)', query.before.at, query.before.id);
    const { rows } = await this.pool.query(
      `SELECT id, action, target, params, requested_by, confirmed_by, origin, status, summary, incident_id,
              requested_at, to_json(requested_at) #>> '{}' AS requested_at_exact, finished_at
         FROM action_runs ${where.sql()} ORDER BY requested_at DESC, id DESC LIMIT ${Math.floor(query.limit)}`,
      where.values,
    );
    return rows.map(toAuditRow);
  }

  async incident(number: number, messageKey: string): Promise<IncidentRecord | undefined> {
    // One statement (one round trip): the page's cost on a busy server is mostly round trips. Named,
    // as the timeline's, so each connection plans it once: parsing and planning were a third of
    // PostgreSQL's CPU per incident page.
    const { rows } = await this.pool.query({
      name: 'console-incident',
      text: `SELECT ${PAGE_INCIDENT_COLUMNS},
              (SELECT coalesce(json_agg(a ORDER BY a.first_seen_at, a.id), '[]')
                 FROM (SELECT id, source, fingerprint, status, severity, title, repeat_count, first_seen_at,
                              last_seen_at, resolved_at, json_build_object('links', payload->'links') AS payload
                         FROM alerts WHERE incident_id = i.id ORDER BY first_seen_at, id LIMIT 50) a) AS page_alerts,
              (SELECT coalesce(json_agg(r ORDER BY r.requested_at), '[]')
                 FROM (SELECT action, target, requested_by, status, summary, requested_at, finished_at
                         FROM action_runs WHERE incident_id = i.id ORDER BY requested_at LIMIT 200) r) AS page_runs,
              (SELECT json_build_object('channel', posted_channel, 'ts', ts)
                 FROM slack_messages WHERE key = $2 AND ts IS NOT NULL) AS page_message
         FROM incidents i WHERE i.id = $1`,
      values: [number, messageKey],
    });
    const row = rows[0] as Row | undefined;
    if (!row) return undefined;
    const dated = (value: unknown) => (typeof value === 'string' ? new Date(value) : undefined);
    const alerts = (row.page_alerts as Row[]).map((alert) =>
      toIncidentAlert({
        ...alert,
        first_seen_at: dated(alert.first_seen_at),
        last_seen_at: dated(alert.last_seen_at),
        resolved_at: dated(alert.resolved_at) ?? null,
      }),
    );
    // json_agg writes timestamps as text: revived before the same row mappers as the incident store's.
    const runs = (row.page_runs as Row[]).map((run) =>
      toIncidentRun({
        ...run,
        requested_at: dated(run.requested_at),
        finished_at: dated(run.finished_at) ?? null,
      }),
    );
    const message = row.page_message as { channel: string; ts: string } | null;
    const dueAt = row.escalation_due_at as Date | null;
    const report = row.drill_report as StoredDrillReport | null;
    return {
      incident: toIncident(row),
      alerts,
      runs,
      ...(dueAt ? { escalationDueAt: dueAt } : {}),
      ...(message ? { message } : {}),
      ...(report ? { drillReport: reportOf(report) } : {}),
    };
  }

  async openCounts(): Promise<Record<SeverityId, number>> {
    const { rows } = await this.pool.query(
      `SELECT severity, count(*)::int AS count FROM incidents WHERE status <> 'resolved' AND ${REAL}
        GROUP BY severity`,
    );
    const counts = Object.fromEntries(SEVERITY_IDS.map((id) => [id, 0])) as Record<SeverityId, number>;
    for (const row of rows as Row[]) counts[row.severity as SeverityId] = Number(row.count);
    return counts;
  }

  async periodStats(since: Date, until: Date): Promise<PeriodStats> {
    const [times, alerts] = await Promise.all([
      this.pool.query(
        `SELECT count(*)::int AS opened,
                avg(extract(epoch FROM acknowledged_at - opened_at)) * 1000 AS mtta,
                avg(extract(epoch FROM resolved_at - opened_at)) * 1000 AS mttr
           FROM incidents WHERE opened_at >= $1 AND opened_at < $2 AND ${REAL}`,
        [since, until],
      ),
      this.pool.query(
        `SELECT to_char(day, 'YYYY-MM-DD') AS day, coalesce(sum(e.deliveries), 0)::int AS count
           FROM generate_series(date_trunc('day', $1::timestamptz AT TIME ZONE 'UTC'),
                                date_trunc('day', $2::timestamptz AT TIME ZONE 'UTC'), interval '1 day') AS day
           LEFT JOIN alert_events e
             ON e.received_at >= day AT TIME ZONE 'UTC' AND e.received_at < (day + interval '1 day') AT TIME ZONE 'UTC'
          GROUP BY day ORDER BY day`,
        [since, until],
      ),
    ]);
    const figures = times.rows[0] as Row;
    return {
      opened: Number(figures.opened),
      ...(figures.mtta === null ? {} : { mttaMs: Math.round(Number(figures.mtta)) }),
      ...(figures.mttr === null ? {} : { mttrMs: Math.round(Number(figures.mttr)) }),
      alertsPerDay: (alerts.rows as Row[]).map((row) => ({ day: String(row.day), count: Number(row.count) })),
    };
  }
}

/** A WHERE clause built from conditions with `$` placeholders, numbered in order. */
class Conditions {
  readonly values: unknown[] = [];
  private readonly parts: string[] = [];

  add(condition: string, ...values: unknown[]): void {
    let index = 0;
    this.parts.push(
      condition.replace(/\$/g, () => {
        this.values.push(values[index++]);
        return `$${this.values.length}`;
      }),
    );
  }

  sql(): string {
    return this.parts.length > 0 ? `WHERE ${this.parts.join(' AND ')}` : '';
  }
}

/** Text searched as typed: `%` and `_` match themselves. */
function likeEscaped(text: string): string {
  return text.replace(/[\\%_]/g, (character) => `\\${character}`);
}

function toIncidentRow(raw: unknown): IncidentRow {
  const row = raw as Row;
  const date = (value: unknown) => (value as Date | null) ?? undefined;
  return {
    number: Number(row.id),
    title: String(row.title),
    severity: row.severity as SeverityId,
    status: row.status as IncidentStatus,
    ...optional('service', optionalString(row.service)),
    openedAt: row.opened_at as Date,
    ...optional('acknowledgedAt', date(row.acknowledged_at)),
    ...optional('resolvedAt', date(row.resolved_at)),
    alertCount: Number(row.alert_count),
    ...optional('escalationDueAt', row.status === 'triggered' ? date(row.escalation_due_at) : undefined),
  };
}

function toAuditRow(raw: unknown): AuditRow {
  const row = raw as Row;
  return {
    id: String(row.id),
    action: String(row.action),
    ...optional('target', optionalString(row.target)),
    params: (row.params as Record<string, unknown>) ?? {},
    requestedBy: String(row.requested_by),
    ...optional('confirmedBy', optionalString(row.confirmed_by)),
    origin: String(row.origin),
    status: String(row.status),
    ...optional('summary', optionalString(row.summary)),
    ...optional('incident', row.incident_id === null ? undefined : Number(row.incident_id)),
    requestedAt: row.requested_at as Date,
    requestedAtExact: String(row.requested_at_exact),
    ...optional('finishedAt', (row.finished_at as Date | null) ?? undefined),
  };
}
