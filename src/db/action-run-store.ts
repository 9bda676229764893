import type pg from 'pg';
import type {
  ActionRunRecord,
  ActionRunRow,
  ConfirmOutcome,
  PendingConfirmation,
  RunOrigin,
  RunStatus,
  RunStore,
  StartOutcome,
} from '../domain/action-runs.ts';
import type { Classification } from '../domain/permissions.ts';
import type { Requester } from '../domain/requester.ts';
import { withClient } from './with-client.ts';

export type { ActionRunRecord, ActionRunRow, RunOrigin, RunStatus } from '../domain/action-runs.ts';

/** The RunStore in PostgreSQL: the audit log and the per-workload mutation lock, both in `action_runs`. */
export class ActionRunStore implements RunStore {
  private readonly pool: pg.Pool;

  constructor(options: { pool: pg.Pool }) {
    this.pool = options.pool;
  }

  /** Inserts the run; a second call with the same request id returns the first row instead (Slack retries). */
  async record(run: ActionRunRecord): Promise<{ row: ActionRunRow; created: boolean }> {
    const inserted = await this.pool.query(
      `INSERT INTO action_runs (id, request_id, action, params, target, requested_by, confirmed_by, origin, status, incident_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       ON CONFLICT (request_id) DO NOTHING
       RETURNING *`,
      [
        run.id,
        run.requestId,
        run.action,
        JSON.stringify(run.params ?? {}),
        run.target ?? null,
        run.requestedBy,
        run.confirmedBy ?? null,
        run.origin,
        run.status,
        run.incidentId ?? null,
      ],
    );
    if (inserted.rows[0]) return { row: toRow(inserted.rows[0]), created: true };
    const existing = await this.pool.query('SELECT * FROM action_runs WHERE request_id = $1', [
      run.requestId,
    ]);
    return { row: toRow(existing.rows[0]), created: false };
  }

  async start(runId: string, attemptId: string, staleAfterMs: number): Promise<StartOutcome> {
    return withClient(this.pool, async (client) => {
      const stale = staleCondition(staleAfterMs);
      try {
        await client.query('BEGIN');
        const found = await client.query(
          `SELECT *, (status = 'running' AND ${stale}) AS stale FROM action_runs WHERE id = $1 FOR UPDATE`,
          [runId],
        );
        const raw = found.rows[0] as Record<string, unknown> | undefined;
        if (!raw) throw new Error(`action run ${runId} was never recorded`);
        const run = toRow(raw);
        if (run.status === 'running' && !raw.stale) {
          await client.query('COMMIT');
          return { started: false, reason: 'alive', current: run };
        }
        if (run.status !== 'queued' && run.status !== 'awaiting_confirmation') {
          await client.query('COMMIT');
          return {
            started: false,
            reason: 'already',
            current: { ...run, attemptId: (raw.attempt_id as string | null) ?? undefined },
          };
        }
        if (run.target) {
          // Serialises starts on one target across workers; released at COMMIT.
          await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [run.target]);
          await client.query(
            `UPDATE action_runs SET status = 'failed', finished_at = now(),
               summary = 'abandoned: the worker running it stopped before it finished'
             WHERE target = $1 AND status = 'running' AND ${stale}`,
            [run.target],
          );
          const holder = await client.query(
            `SELECT * FROM action_runs WHERE target = $1 AND status = 'running' AND id <> $2 ORDER BY started_at LIMIT 1`,
            [run.target, runId],
          );
          if (holder.rows[0]) {
            await client.query('COMMIT');
            return { started: false, reason: 'busy', holder: toRow(holder.rows[0]) };
          }
        }
        // The pending parameters are the job's to run with from here; the row keeps the redacted copy.
        await client.query(
          `UPDATE action_runs SET status = 'running', started_at = now(), heartbeat_at = now(), attempt_id = $2,
             pending_params = NULL
           WHERE id = $1`,
          [runId, attemptId],
        );
        await client.query('COMMIT');
        return { started: true };
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    });
  }

  async takeOverStale(attemptId: string, staleAfterMs: number, limit: number): Promise<ActionRunRow[]> {
    const { rows } = await this.pool.query(
      `UPDATE action_runs SET attempt_id = $1, heartbeat_at = now()
        WHERE id IN (SELECT id FROM action_runs
                      WHERE status = 'running' AND ${staleCondition(staleAfterMs)}
                      ORDER BY started_at LIMIT $2 FOR UPDATE SKIP LOCKED)
        RETURNING *`,
      [attemptId, limit],
    );
    return rows.map(toRow);
  }

  async heartbeat(runId: string, attemptId: string): Promise<boolean> {
    const result = await this.pool.query(
      `UPDATE action_runs SET heartbeat_at = now() WHERE id = $1 AND attempt_id = $2 AND status = 'running'`,
      [runId, attemptId],
    );
    return (result.rowCount ?? 0) > 0;
  }

  async awaitConfirmation(runId: string, pending: PendingConfirmation): Promise<void> {
    const { params, expiresAt, ...confirmation } = pending;
    await this.pool.query(
      `UPDATE action_runs SET pending_params = $2, confirmation = $3, confirmation_expires_at = $4
       WHERE id = $1 AND status = 'awaiting_confirmation'`,
      [runId, JSON.stringify(params), JSON.stringify(confirmation), expiresAt],
    );
  }

  async pinPending(runId: string, params: Record<string, unknown>): Promise<void> {
    await this.pool.query(
      `UPDATE action_runs SET pending_params = pending_params || $2::jsonb
       WHERE id = $1 AND status = 'awaiting_confirmation'`,
      [runId, JSON.stringify(params)],
    );
  }

  async pendingConfirmation(runId: string) {
    const found = await this.pool.query('SELECT * FROM action_runs WHERE id = $1', [runId]);
    const raw = found.rows[0] as Record<string, unknown> | undefined;
    return raw ? { row: toRow(raw), pending: pendingOf(raw) } : undefined;
  }

  async confirm(runId: string, by: string, now: Date): Promise<ConfirmOutcome> {
    return withClient(this.pool, async (client) => {
      try {
        await client.query('BEGIN');
        const found = await client.query('SELECT * FROM action_runs WHERE id = $1 FOR UPDATE', [runId]);
        const raw = found.rows[0] as Record<string, unknown> | undefined;
        if (!raw) {
          await client.query('COMMIT');
          return { confirmed: false, reason: 'unknown' };
        }
        const row = toRow(raw);
        if (row.status !== 'awaiting_confirmation') {
          await client.query('COMMIT');
          return { confirmed: false, reason: 'not_pending', row };
        }
        const pending = pendingOf(raw);
        if (!pending || pending.expiresAt.getTime() < now.getTime()) {
          await client.query(
            `UPDATE action_runs SET status = 'cancelled', summary = 'confirmation expired', pending_params = NULL,
               finished_at = $2 WHERE id = $1`,
            [runId, now],
          );
          await client.query('COMMIT');
          return { confirmed: false, reason: 'expired', row };
        }
        await client.query(
          // The parameters stay until the run starts, so a queued run whose job was lost can be queued again.
          `UPDATE action_runs SET status = 'queued', confirmed_by = $2 WHERE id = $1`,
          [runId, by],
        );
        await client.query('COMMIT');
        return { confirmed: true, row: { ...row, status: 'queued', confirmedBy: by }, pending };
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw error;
      }
    });
  }

  async expire(runId: string, now: Date): Promise<boolean> {
    const result = await this.pool.query(
      `UPDATE action_runs SET status = 'cancelled', summary = 'confirmation expired', pending_params = NULL,
         finished_at = $2
       WHERE id = $1 AND status = 'awaiting_confirmation' AND confirmation_expires_at <= $2`,
      [runId, now],
    );
    return (result.rowCount ?? 0) > 0;
  }

  async stranded(before: Date, limit: number) {
    const result = await this.pool.query(
      `SELECT * FROM action_runs
       WHERE status = 'queued' AND started_at IS NULL AND confirmed_by IS NOT NULL
         AND pending_params IS NOT NULL AND requested_at < $1
       ORDER BY requested_at LIMIT $2`,
      [before, limit],
    );
    return result.rows.flatMap((raw: Record<string, unknown>) => {
      const pending = pendingOf(raw);
      return pending ? [{ row: toRow(raw), pending }] : [];
    });
  }

  async abandon(runId: string, summary: string): Promise<boolean> {
    const result = await this.pool.query(
      `UPDATE action_runs SET status = 'cancelled', summary = $2, pending_params = NULL, finished_at = now()
       WHERE id = $1 AND status = 'queued' AND started_at IS NULL`,
      [runId, summary],
    );
    return (result.rowCount ?? 0) > 0;
  }

  async cancel(runId: string, by: string, summary = `cancelled by ${by}`): Promise<boolean> {
    const result = await this.pool.query(
      `UPDATE action_runs SET status = 'cancelled', summary = $2, pending_params = NULL, finished_at = now()
       WHERE id = $1 AND status = 'awaiting_confirmation'`,
      [runId, summary],
    );
    return (result.rowCount ?? 0) > 0;
  }

  async list(since: Date, limit = 500): Promise<ActionRunRow[]> {
    const result = await this.pool.query(
      'SELECT * FROM action_runs WHERE requested_at >= $1 ORDER BY requested_at DESC LIMIT $2',
      [since, limit],
    );
    return result.rows.map(toRow);
  }

  async finish(
    runId: string,
    outcome: { status: RunStatus; summary: string; result: unknown },
    attemptId?: string,
  ): Promise<boolean> {
    // A run asked for from an incident puts its outcome on the incident's timeline, in the same
    // statement: the timeline cannot miss a result the audit log has.
    const result = await this.pool.query(
      `WITH finished AS (
         UPDATE action_runs SET status = $2, summary = $3, result = $4, finished_at = now(),
           started_at = COALESCE(started_at, now()), pending_params = NULL
         WHERE id = $1 AND ($5::uuid IS NULL OR attempt_id = $5)
         RETURNING incident_id, action, requested_by, status, summary
       ), noted AS (
         INSERT INTO timeline_events (incident_id, kind, actor, details)
         SELECT incident_id, 'action', requested_by,
                jsonb_build_object('text', action || ' → ' || status || COALESCE(': ' || summary, ''), 'action', action, 'status', status)
           FROM finished WHERE incident_id IS NOT NULL
       )
       SELECT count(*)::int AS n FROM finished`,
      [runId, outcome.status, outcome.summary, JSON.stringify(outcome.result ?? null), attemptId ?? null],
    );
    return Number(result.rows[0]?.n ?? 0) > 0;
  }

  async get(runId: string): Promise<ActionRunRow | undefined> {
    const found = await this.pool.query('SELECT * FROM action_runs WHERE id = $1', [runId]);
    return found.rows[0] ? toRow(found.rows[0]) : undefined;
  }
}

function pendingOf(raw: Record<string, unknown>): PendingConfirmation | undefined {
  const confirmation = raw.confirmation as
    | { classification: Classification; args: string; requester: Requester }
    | null
    | undefined;
  const expiresAt = raw.confirmation_expires_at as Date | null;
  if (!confirmation || !expiresAt || raw.pending_params == null) return undefined;
  return { params: raw.pending_params as Record<string, unknown>, ...confirmation, expiresAt };
}

/** A running attempt silent for longer than `staleAfterMs`: its worker is taken to be dead. */
function staleCondition(staleAfterMs: number): string {
  return `COALESCE(heartbeat_at, started_at) < now() - make_interval(secs => ${Number(staleAfterMs) / 1000})`;
}

function toRow(row: Record<string, unknown>): ActionRunRow {
  return {
    id: String(row.id),
    requestId: String(row.request_id),
    action: String(row.action),
    params: row.params,
    target: (row.target as string | null) ?? undefined,
    requestedBy: String(row.requested_by),
    confirmedBy: (row.confirmed_by as string | null) ?? undefined,
    origin: row.origin as RunOrigin,
    status: row.status as RunStatus,
    summary: (row.summary as string | null) ?? null,
    requestedAt: row.requested_at as Date,
    startedAt: (row.started_at as Date | null) ?? null,
    finishedAt: (row.finished_at as Date | null) ?? null,
    ...(row.incident_id === null || row.incident_id === undefined
      ? {}
      : { incidentId: Number(row.incident_id) }),
  };
}
