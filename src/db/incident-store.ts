import type pg from 'pg';
import type { SeverityId } from '../config/schema-kit.ts';
import type { Alert, AlertSource } from '../domain/alert.ts';
import { DrillAlreadyRunning } from '../domain/drill.ts';
import {
  DRILL_BASE,
  type DrillSettings,
  type Incident,
  type IncidentFlag,
  type IncidentStatus,
  type TimelineEvent,
  type TimelineKind,
} from '../domain/incident.ts';
import type {
  EscalationRecord,
  IncidentAlert,
  IncidentPatch,
  IncidentRun,
  IncidentStore,
  IncidentTransaction,
  IncidentView,
  NewIncident,
  PendingAlertEvent,
} from '../domain/incident-store.ts';
import { Batcher } from '../lib/batcher.ts';
import { optional } from '../lib/optional.ts';
import { withClient } from './with-client.ts';

/** Any key fleetbot's alert batches take, so that two workers never apply alerts at once. */
const ALERT_LOCK = 0x666c6565; // "flee"

type Row = Record<string, unknown>;

/** One webhook delivery's alerts, as the intake stores them. */
interface AlertDelivery {
  alerts: readonly Alert[];
  notes: readonly string[];
  receivedAt: Date;
}
type Query = (text: string, values?: unknown[]) => Promise<pg.QueryResult>;

/** The IncidentStore in PostgreSQL: `incidents`, `alerts`, `timeline_events` and `alert_events`. */
export class PgIncidentStore implements IncidentStore {
  private readonly pool: pg.Pool;
  private readonly alertWrites: Batcher<AlertDelivery, undefined>;

  constructor(options: { pool: pg.Pool }) {
    this.pool = options.pool;
    this.alertWrites = new Batcher((deliveries) => this.writeAlerts(deliveries));
  }

  recordAlerts(alerts: readonly Alert[], notes: readonly string[], receivedAt: Date): Promise<void> {
    if (alerts.length === 0) return Promise.resolve();
    return this.alertWrites.submit({ alerts, notes, receivedAt });
  }

  /**
   * One statement, one commit (one fsync) for every delivery that arrived while the previous one was
   * committing: the intake answers each sender only once its alerts are in. Deliveries of the same
   * alert in one batch become one row counted as many (a row cannot be updated twice by a statement).
   */
  private async writeAlerts(deliveries: readonly AlertDelivery[]): Promise<undefined[]> {
    const rows = new Map<
      string,
      { alert: Alert; notes: readonly string[]; receivedAt: Date; deliveries: number }
    >();
    for (const delivery of deliveries) {
      for (const alert of delivery.alerts) {
        const key = `${alert.source}\n${alert.fingerprint}\n${alert.startsAt.toISOString()}\n${alert.status}`;
        const seen = rows.get(key);
        if (seen) seen.deliveries += 1;
        else rows.set(key, { alert, notes: delivery.notes, receivedAt: delivery.receivedAt, deliveries: 1 });
      }
    }
    await this.pool.query(
      `INSERT INTO alert_events (source, fingerprint, status, starts_at, alert, notes, deliveries, received_at, last_received_at)
       SELECT e.source, e.fingerprint, e.status, e.starts_at, e.alert, ARRAY(SELECT jsonb_array_elements_text(e.notes)),
              e.deliveries, e.received_at, e.received_at
         FROM jsonb_to_recordset($1::jsonb) AS e(source text, fingerprint text, status text, starts_at timestamptz,
                                                  alert jsonb, notes jsonb, deliveries int, received_at timestamptz)
       ON CONFLICT (source, fingerprint, starts_at, status) DO UPDATE
         SET deliveries = alert_events.deliveries + EXCLUDED.deliveries,
             last_received_at = EXCLUDED.last_received_at,
             processed_at = NULL`,
      [
        JSON.stringify(
          [...rows.values()].map((row) => ({
            source: row.alert.source,
            fingerprint: row.alert.fingerprint,
            status: row.alert.status,
            starts_at: row.alert.startsAt.toISOString(),
            alert: row.alert,
            notes: row.notes,
            deliveries: row.deliveries,
            received_at: row.receivedAt.toISOString(),
          })),
        ),
      ],
    );
    return deliveries.map(() => undefined);
  }

  async hasPendingAlerts(before: Date): Promise<boolean> {
    const { rows } = await this.pool.query(
      'SELECT 1 FROM alert_events WHERE processed_at IS NULL AND last_received_at < $1 LIMIT 1',
      [before],
    );
    return rows.length > 0;
  }

  transaction<T>(work: (tx: IncidentTransaction) => Promise<T>): Promise<T> {
    return this.inTransaction(async (query) => work(new PgIncidentTransaction(query)));
  }

  /**
   * A session lock, taken without waiting on a connection of its own, held through the commit and
   * `afterCommit` (the batch's Slack messages), so the next batch does not lock the same incidents
   * while this one records their messages. A crashed process's session ends, and its lock with it.
   */
  async alertBatch<T>(
    work: (tx: IncidentTransaction) => Promise<T>,
    afterCommit: () => Promise<void>,
  ): Promise<{ locked: true; value: T } | { locked: false }> {
    return withClient(this.pool, async (client) => {
      let locked = false;
      try {
        locked = Boolean(
          (await client.query('SELECT pg_try_advisory_lock($1) AS locked', [ALERT_LOCK])).rows[0]?.locked,
        );
        if (!locked) return { locked: false };
        await client.query('BEGIN');
        let value: T;
        try {
          value = await work(new PgIncidentTransaction((text, values) => client.query(text, values)));
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK').catch(() => {});
          throw error;
        }
        await afterCommit();
        return { locked: true, value };
      } finally {
        if (locked) await client.query('SELECT pg_advisory_unlock($1)', [ALERT_LOCK]).catch(() => {});
      }
    });
  }

  private async inTransaction<T>(work: (query: Query) => Promise<T>): Promise<T> {
    return withClient(this.pool, async (client) => {
      try {
        await client.query('BEGIN');
        const result = await work((text, values) => client.query(text, values));
        await client.query('COMMIT');
        return result;
      } catch (error) {
        await client.query('ROLLBACK').catch(() => {});
        throw error;
      }
    });
  }

  async get(number: number): Promise<Incident | undefined> {
    const { rows } = await this.pool.query('SELECT * FROM incidents WHERE id = $1', [number]);
    return rows[0] ? toIncident(rows[0]) : undefined;
  }

  async view(number: number): Promise<IncidentView | undefined> {
    const { rows } = await this.pool.query('SELECT * FROM incidents WHERE id = $1', [number]);
    const row = rows[0] as Row | undefined;
    if (!row) return undefined;
    const alerts = await this.pool.query(
      'SELECT * FROM alerts WHERE incident_id = $1 ORDER BY first_seen_at, id LIMIT 50',
      [number],
    );
    return {
      incident: toIncident(row),
      alerts: alerts.rows.map(toIncidentAlert),
      version: Number(row.version),
      posted: Number(row.synced_version) > 0,
      escalation: escalationOf(row),
    };
  }

  async list(options: { includeResolved: boolean; limit: number }): Promise<Incident[]> {
    const { rows } = await this.pool.query(
      // Newest first by when they opened, on incidents_opened_idx: drills' numbers are all above
      // real ones, so by number every drill would come first.
      `SELECT * FROM incidents ${options.includeResolved ? '' : "WHERE status <> 'resolved'"}
       ORDER BY opened_at DESC, id DESC LIMIT $1`,
      [options.limit],
    );
    return rows.map(toIncident);
  }

  async timeline(number: number): Promise<TimelineEvent[]> {
    const { rows } = await this.pool.query(
      'SELECT * FROM timeline_events WHERE incident_id = $1 ORDER BY at, id',
      [number],
    );
    return rows.map(toTimelineEvent);
  }

  async runs(number: number): Promise<IncidentRun[]> {
    const { rows } = await this.pool.query(
      `SELECT action, target, requested_by, status, summary, requested_at, finished_at
         FROM action_runs WHERE incident_id = $1 ORDER BY requested_at`,
      [number],
    );
    return rows.map(toIncidentRun);
  }

  async markSynced(number: number, version: number): Promise<void> {
    await this.pool.query(
      'UPDATE incidents SET synced_version = GREATEST(synced_version, $2) WHERE id = $1',
      [number, version],
    );
  }

  async escalationTimers(before: Date, limit: number) {
    const { rows } = await this.pool.query(
      `SELECT id, escalation_run_id, escalation_due_at FROM incidents
        WHERE status <> 'resolved' AND escalation_due_at IS NOT NULL AND escalation_due_at < $1
        ORDER BY escalation_due_at LIMIT $2`,
      [before, limit],
    );
    return rows.map((row: Row) => ({
      number: Number(row.id),
      runId: String(row.escalation_run_id),
      dueAt: row.escalation_due_at as Date,
    }));
  }

  async unplannedIncidents(limit: number): Promise<number[]> {
    const { rows } = await this.pool.query(
      `SELECT id FROM incidents WHERE status <> 'resolved' AND escalation_policy IS NULL ORDER BY id LIMIT $1`,
      [limit],
    );
    return rows.map((row: Row) => Number(row.id));
  }

  async awaitingPostmortemReminder(since: Date) {
    // `incident.N.postmortem-reminder`: the key IncidentTickets records the reminder's message under.
    const { rows } = await this.pool.query(
      `SELECT id, resolved_at FROM incidents i
        WHERE status = 'resolved' AND resolved_at >= $1 AND drill IS NULL AND postmortem_done_at IS NULL
          AND NOT EXISTS (SELECT 1 FROM slack_messages m WHERE m.key = 'incident.' || i.id || '.postmortem-reminder')
        ORDER BY id LIMIT 1000`,
      [since],
    );
    return rows.map((row: Row) => ({ number: Number(row.id), resolvedAt: row.resolved_at as Date }));
  }

  async unsynced(before: Date): Promise<number[]> {
    const { rows } = await this.pool.query(
      'SELECT id FROM incidents WHERE synced_version < version AND updated_at < $1 ORDER BY id LIMIT 500',
      [before],
    );
    return rows.map((row: Row) => Number(row.id));
  }
}

class PgIncidentTransaction implements IncidentTransaction {
  private readonly query: Query;

  constructor(query: Query) {
    this.query = query;
  }

  async pendingAlerts(limit: number): Promise<PendingAlertEvent[]> {
    const { rows } = await this.query(
      `SELECT id, alert, notes, deliveries - counted AS uncounted, received_at FROM alert_events
        WHERE processed_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
      [limit],
    );
    return rows.map((row: Row) => ({
      id: String(row.id),
      alert: reviveAlert(row.alert as Row),
      notes: row.notes as string[],
      uncounted: Number(row.uncounted),
      receivedAt: row.received_at as Date,
    }));
  }

  async openIncidentWithAlert(source: AlertSource, fingerprint: string): Promise<Incident | undefined> {
    const { rows } = await this.query(
      `SELECT i.* FROM incidents i JOIN alerts a ON a.incident_id = i.id
        WHERE a.source = $1 AND a.fingerprint = $2 AND i.status <> 'resolved'
        ORDER BY i.id DESC LIMIT 1 FOR UPDATE OF i`,
      [source, fingerprint],
    );
    return rows[0] ? toIncident(rows[0]) : undefined;
  }

  async openIncidentFor(
    scope: { service?: string; target?: string },
    since: Date,
  ): Promise<Incident | undefined> {
    const [column, value] = scope.service ? ['service', scope.service] : ['target', scope.target];
    if (!value) return undefined;
    const { rows } = await this.query(
      // Never a drill: a real alert for the service a drill practises on is a real incident.
      `SELECT * FROM incidents WHERE ${column} = $1 AND status <> 'resolved' AND opened_at >= $2 AND drill IS NULL
        ORDER BY id DESC LIMIT 1 FOR UPDATE`,
      [value, since],
    );
    return rows[0] ? toIncident(rows[0]) : undefined;
  }

  async lock(number: number): Promise<Incident | undefined> {
    const { rows } = await this.query('SELECT * FROM incidents WHERE id = $1 FOR UPDATE', [number]);
    return rows[0] ? toIncident(rows[0]) : undefined;
  }

  async create(incident: NewIncident): Promise<Incident> {
    const { rows } = await this.query(
      `INSERT INTO incidents (id, title, severity, status, service, target, summary, opened_at, opened_by, created_at, updated_at, drill)
       VALUES (${incident.drill ? `${DRILL_BASE} + nextval('drill_numbers')` : 'DEFAULT'},
               $1, $2, 'triggered', $3, $4, $5, $6, $7, $6, $6, $8) RETURNING *`,
      [
        incident.title,
        incident.severity,
        incident.service ?? null,
        incident.target ?? null,
        incident.summary ?? null,
        incident.openedAt,
        incident.openedBy,
        incident.drill ? JSON.stringify(incident.drill) : null,
      ],
    ).catch((error: unknown) => {
      const { code, constraint } = error as { code?: string; constraint?: string };
      if (code === '23505' && constraint === 'incidents_one_running_drill_idx')
        throw new DrillAlreadyRunning();
      throw error;
    });
    return toIncident(rows[0]);
  }

  async update(number: number, patch: IncidentPatch): Promise<Incident> {
    const sets: string[] = ['version = version + 1', 'updated_at = now()'];
    const values: unknown[] = [number];
    const set = (column: string, value: unknown) => {
      values.push(value);
      sets.push(`${column} = $${values.length}`);
    };
    if (patch.status) set('status', patch.status);
    if (patch.severity) set('severity', patch.severity);
    if (patch.title) set('title', patch.title);
    if (patch.commander) set('commander', patch.commander);
    if (patch.flags) set('flags', patch.flags);
    if (patch.channel) set('incident_channel', patch.channel);
    if (patch.checklist) set('checklist', JSON.stringify(patch.checklist));
    if (patch.evidence) set('evidence', JSON.stringify(patch.evidence));
    if (patch.drill) set('drill', JSON.stringify(patch.drill));
    for (const [step, change] of [
      ['acknowledged', patch.acknowledged],
      ['mitigated', patch.mitigated],
      ['resolved', patch.resolved],
      ['postmortem_done', patch.postmortemDone],
    ] as const) {
      if (!change) continue;
      set(`${step}_at`, change.at);
      set(`${step}_by`, change.by);
    }
    if (patch.alerts) {
      values.push(patch.alerts.added, patch.alerts.repeats, patch.alerts.at);
      const n = values.length;
      sets.push(
        `alert_count = alert_count + $${n - 2}`,
        `repeat_count = repeat_count + $${n - 1}`,
        `last_alert_at = GREATEST(last_alert_at, $${n})`,
      );
    }
    const { rows } = await this.query(
      `UPDATE incidents SET ${sets.join(', ')} WHERE id = $1 RETURNING *`,
      values,
    );
    return toIncident(rows[0]);
  }

  async attachAlert(number: number, alert: Alert, repeats: number, at: Date) {
    const { rows } = await this.query(
      `INSERT INTO alerts (source, fingerprint, status, severity, title, service, labels, payload, incident_id,
                           repeat_count, first_seen_at, last_seen_at)
       VALUES ($1, $2, 'firing', $3, $4, $5, $6, $7, $8, $10, $9, $9)
       ON CONFLICT (incident_id, source, fingerprint) DO UPDATE
         SET repeat_count = alerts.repeat_count + $10,
             last_seen_at = GREATEST(alerts.last_seen_at, EXCLUDED.last_seen_at),
             status = 'firing', resolved_at = NULL,
             payload = EXCLUDED.payload
       RETURNING (xmax = 0) AS created, repeat_count,
                 (SELECT status FROM alerts WHERE incident_id = $8 AND source = $1 AND fingerprint = $2) AS previous`,
      [
        alert.source,
        alert.fingerprint,
        alert.severity,
        alert.title,
        alert.service ?? null,
        JSON.stringify(alert.labels),
        JSON.stringify(alert),
        number,
        at,
        repeats,
      ],
    );
    const row = rows[0] as Row;
    return {
      created: Boolean(row.created),
      wasResolved: row.previous === 'resolved',
      repeatCount: Number(row.repeat_count),
    };
  }

  async resolveAlert(number: number, alert: Alert, at: Date): Promise<{ stillFiring: number }> {
    await this.query(
      `UPDATE alerts SET status = 'resolved', resolved_at = $4, last_seen_at = GREATEST(last_seen_at, $4)
        WHERE incident_id = $1 AND source = $2 AND fingerprint = $3`,
      [number, alert.source, alert.fingerprint, alert.endsAt ?? at],
    );
    const { rows } = await this.query(
      `SELECT count(*)::int AS firing FROM alerts WHERE incident_id = $1 AND status = 'firing'`,
      [number],
    );
    return { stillFiring: Number((rows[0] as Row).firing) };
  }

  async addTimeline(number: number, event: TimelineEvent): Promise<void> {
    await this.query(
      'INSERT INTO timeline_events (incident_id, at, kind, actor, details) VALUES ($1, $2, $3, $4, $5)',
      [number, event.at, event.kind, event.actor, JSON.stringify({ ...event.details, text: event.text })],
    );
  }

  async escalation(number: number): Promise<EscalationRecord | undefined> {
    const { rows } = await this.query(
      `SELECT escalation_policy, escalation_run_id, escalation_done, escalation_due_at, escalation_flags,
              escalation_manual FROM incidents WHERE id = $1`,
      [number],
    );
    return rows[0] ? escalationOf(rows[0]) : undefined;
  }

  async setEscalation(number: number, patch: Partial<EscalationRecord>): Promise<void> {
    const sets: string[] = [];
    const values: unknown[] = [number];
    const set = (column: string, value: unknown) => {
      values.push(value);
      sets.push(`${column} = $${values.length}`);
    };
    if ('policy' in patch)
      set('escalation_policy', patch.policy === undefined ? null : JSON.stringify(patch.policy));
    if ('runId' in patch) set('escalation_run_id', patch.runId ?? null);
    if (patch.done) set('escalation_done', patch.done);
    if ('dueAt' in patch) set('escalation_due_at', patch.dueAt ?? null);
    if (patch.flags) set('escalation_flags', JSON.stringify(patch.flags));
    if (patch.manual) set('escalation_manual', JSON.stringify(patch.manual));
    if (sets.length === 0) return;
    await this.query(`UPDATE incidents SET ${sets.join(', ')} WHERE id = $1`, values);
  }

  async markProcessed(
    events: readonly { id: string; counted: number }[],
    incident: number | undefined,
    at: Date,
  ): Promise<void> {
    await this.query(
      `UPDATE alert_events AS e SET processed_at = $3, incident_id = $4, counted = e.counted + u.counted
         FROM unnest($1::bigint[], $2::int[]) AS u(id, counted) WHERE e.id = u.id`,
      [events.map((event) => event.id), events.map((event) => event.counted), at, incident ?? null],
    );
  }
}

export function toIncident(raw: unknown): Incident {
  const row = raw as Row;
  const date = (value: unknown) => (value as Date | null) ?? undefined;
  const checklist = Object.fromEntries(
    Object.entries((row.checklist as Record<string, { by: string; at: string }>) ?? {}).map(([id, tick]) => [
      id,
      { by: tick.by, at: new Date(tick.at) },
    ]),
  );
  return {
    number: Number(row.id),
    title: String(row.title),
    severity: row.severity as SeverityId,
    status: row.status as IncidentStatus,
    ...optional('service', optionalString(row.service)),
    ...optional('target', optionalString(row.target)),
    ...optional('summary', optionalString(row.summary)),
    ...optional('commander', optionalString(row.commander)),
    flags: (row.flags as IncidentFlag[]) ?? [],
    openedAt: row.opened_at as Date,
    ...optional('openedBy', optionalString(row.opened_by)),
    ...optional('acknowledgedAt', date(row.acknowledged_at)),
    ...optional('acknowledgedBy', optionalString(row.acknowledged_by)),
    ...optional('mitigatedAt', date(row.mitigated_at)),
    ...optional('mitigatedBy', optionalString(row.mitigated_by)),
    ...optional('resolvedAt', date(row.resolved_at)),
    ...optional('resolvedBy', optionalString(row.resolved_by)),
    ...optional('channel', optionalString(row.incident_channel)),
    alertCount: Number(row.alert_count),
    repeatCount: Number(row.repeat_count),
    ...optional('lastAlertAt', date(row.last_alert_at)),
    checklist,
    ...optional('postmortemDoneAt', date(row.postmortem_done_at)),
    ...optional('evidence', evidenceOf(row.evidence)),
    ...optional('drill', drillOf(row.drill)),
  };
}

function drillOf(value: unknown): DrillSettings | undefined {
  if (!value) return undefined;
  const { endsAt, ...stored } = value as DrillSettings & { endsAt?: string };
  return { ...stored, ...(endsAt ? { endsAt: new Date(endsAt) } : {}) };
}

function evidenceOf(value: unknown): Incident['evidence'] {
  if (!value) return undefined;
  const stored = value as { at: string; lines: string[]; note?: string };
  return { at: new Date(stored.at), lines: stored.lines, ...(stored.note ? { note: stored.note } : {}) };
}

export function toIncidentRun(raw: unknown): IncidentRun {
  const row = raw as Row;
  return {
    action: String(row.action),
    target: optionalString(row.target),
    requestedBy: String(row.requested_by),
    status: String(row.status),
    summary: optionalString(row.summary),
    requestedAt: row.requested_at as Date,
    finishedAt: (row.finished_at as Date | null) ?? undefined,
  };
}

export function toIncidentAlert(raw: unknown): IncidentAlert {
  const row = raw as Row;
  const payload = row.payload as { links?: Alert['links'] } | null;
  return {
    source: row.source as AlertSource,
    fingerprint: String(row.fingerprint),
    status: row.status as 'firing' | 'resolved',
    severity: (row.severity as SeverityId | null) ?? undefined,
    title: String(row.title),
    repeatCount: Number(row.repeat_count),
    firstSeenAt: row.first_seen_at as Date,
    lastSeenAt: row.last_seen_at as Date,
    resolvedAt: (row.resolved_at as Date | null) ?? undefined,
    links: payload?.links ?? [],
  };
}

export function toTimelineEvent(raw: unknown): TimelineEvent {
  const row = raw as Row;
  const { text, ...details } = row.details as { text?: string } & Record<string, unknown>;
  return {
    at: row.at as Date,
    kind: row.kind as TimelineKind,
    actor: String(row.actor ?? 'fleetbot'),
    text: text ?? '',
    ...(Object.keys(details).length > 0 ? { details } : {}),
  };
}

function escalationOf(raw: unknown): EscalationRecord {
  const row = raw as Row;
  const dated = <T extends { at: string }>(list: T[]) =>
    list.map((entry) => ({ ...entry, at: new Date(entry.at) }));
  return {
    policy: row.escalation_policy ?? undefined,
    runId: optionalString(row.escalation_run_id),
    done: (row.escalation_done as string[]) ?? [],
    dueAt: (row.escalation_due_at as Date | null) ?? undefined,
    flags: dated(row.escalation_flags as { flag: IncidentFlag; at: string }[]),
    manual: dated(row.escalation_manual as { at: string; roles: string[]; by: string; reason?: string }[]),
  };
}

/** An Alert back from JSON: its dates were written as strings. */
function reviveAlert(row: Row): Alert {
  const alert = row as unknown as Alert & { startsAt: string; endsAt?: string };
  return {
    ...alert,
    startsAt: new Date(alert.startsAt),
    ...(alert.endsAt ? { endsAt: new Date(alert.endsAt) } : {}),
  };
}

export function optionalString(value: unknown): string | undefined {
  return value === null || value === undefined ? undefined : String(value);
}
