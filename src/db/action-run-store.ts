import type pg from 'pg';

export type RunOrigin = 'slack' | 'cli' | 'alert' | 'system';
export type RunStatus =
  | 'denied'
  | 'awaiting_confirmation'
  | 'queued'
  | 'running'
  | 'ok'
  | 'warning'
  | 'failed'
  | 'cancelled';

export interface ActionRunRecord {
  id: string;
  requestId: string;
  action: string;
  /** Already redacted by the caller. */
  params: unknown;
  /** `Deployment/fleet-api` for mutations: the workload lock key. */
  target: string | undefined;
  requestedBy: string;
  confirmedBy: string | undefined;
  origin: RunOrigin;
  status: RunStatus;
}

export interface ActionRunRow extends ActionRunRecord {
  summary: string | null;
  requestedAt: Date;
  startedAt: Date | null;
  finishedAt: Date | null;
}

export type ConfirmOutcome =
  | { confirmed: true; row: ActionRunRow; params: unknown }
  | { confirmed: false; reason: 'unknown' }
  | { confirmed: false; reason: 'not_pending' | 'expired'; row: ActionRunRow };

export type StartOutcome =
  | { started: true }
  | { started: false; reason: 'busy'; holder: ActionRunRow }
  | { started: false; reason: 'already'; current: ActionRunRow };

/**
 * The audit log and the per-workload mutation lock, both in `action_runs`.
 * A run is recorded once per request id; it starts only when no other run
 * holds its target; it finishes with its outcome.
 */
export class ActionRunStore {
  private readonly pool: pg.Pool;

  constructor(options: { pool: pg.Pool }) {
    this.pool = options.pool;
  }

  /** Inserts the run; a second call with the same request id returns the first row instead (Slack retries). */
  async record(run: ActionRunRecord): Promise<{ row: ActionRunRow; created: boolean }> {
    const inserted = await this.pool.query(
      `INSERT INTO action_runs (id, request_id, action, params, target, requested_by, confirmed_by, origin, status)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
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
      ],
    );
    if (inserted.rows[0]) return { row: toRow(inserted.rows[0]), created: true };
    const existing = await this.pool.query('SELECT * FROM action_runs WHERE request_id = $1', [
      run.requestId,
    ]);
    return { row: toRow(existing.rows[0]), created: false };
  }

  /**
   * Moves a run to `running` unless another run holds the same target. A holder
   * older than `staleAfterMs` is taken to be a crashed worker's and is closed as failed.
   */
  async start(runId: string, staleAfterMs: number): Promise<StartOutcome> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const found = await client.query('SELECT * FROM action_runs WHERE id = $1 FOR UPDATE', [runId]);
      const run = found.rows[0] ? toRow(found.rows[0]) : undefined;
      if (!run) throw new Error(`action run ${runId} was never recorded`);
      if (run.status !== 'queued' && run.status !== 'awaiting_confirmation') {
        await client.query('COMMIT');
        return { started: false, reason: 'already', current: run };
      }
      if (run.target) {
        // Serialises starts on one target across workers; released at COMMIT.
        await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [run.target]);
        await client.query(
          `UPDATE action_runs SET status = 'failed', finished_at = now(),
             summary = 'abandoned: the worker running it stopped before it finished'
           WHERE target = $1 AND status = 'running' AND started_at < now() - make_interval(secs => $2)`,
          [run.target, staleAfterMs / 1000],
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
      await client.query(`UPDATE action_runs SET status = 'running', started_at = now() WHERE id = $1`, [
        runId,
      ]);
      await client.query('COMMIT');
      return { started: true };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  /** Keeps the parameters a destructive run will use until it is confirmed (or not) by `expiresAt`. */
  async awaitConfirmation(runId: string, params: unknown, expiresAt: Date): Promise<void> {
    await this.pool.query(
      `UPDATE action_runs SET pending_params = $2, confirmation_expires_at = $3
       WHERE id = $1 AND status = 'awaiting_confirmation'`,
      [runId, JSON.stringify(params), expiresAt],
    );
  }

  /**
   * Moves a run from awaiting_confirmation to queued, once: the first click
   * wins, a second finds it no longer pending. An expired one is cancelled.
   */
  async confirm(runId: string, by: string): Promise<ConfirmOutcome> {
    const client = await this.pool.connect();
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
      const expiresAt = raw.confirmation_expires_at as Date | null;
      if (!expiresAt || expiresAt.getTime() < Date.now()) {
        await client.query(
          `UPDATE action_runs SET status = 'cancelled', summary = 'confirmation expired', pending_params = NULL,
             finished_at = now() WHERE id = $1`,
          [runId],
        );
        await client.query('COMMIT');
        return { confirmed: false, reason: 'expired', row };
      }
      await client.query(
        `UPDATE action_runs SET status = 'queued', confirmed_by = $2, pending_params = NULL WHERE id = $1`,
        [runId, by],
      );
      await client.query('COMMIT');
      return {
        confirmed: true,
        row: { ...row, status: 'queued', confirmedBy: by },
        params: raw.pending_params,
      };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  /** Closes a run whose confirmation lapsed unanswered, dropping its pending parameters; false when already answered. */
  async expire(runId: string): Promise<boolean> {
    const result = await this.pool.query(
      `UPDATE action_runs SET status = 'cancelled', summary = 'confirmation expired', pending_params = NULL,
         finished_at = now()
       WHERE id = $1 AND status = 'awaiting_confirmation' AND confirmation_expires_at <= now()`,
      [runId],
    );
    return (result.rowCount ?? 0) > 0;
  }

  /** Cancels a run still waiting for its confirmation; false when it was not waiting any more. */
  async cancel(runId: string, by: string): Promise<boolean> {
    const result = await this.pool.query(
      `UPDATE action_runs SET status = 'cancelled', summary = $2, pending_params = NULL, finished_at = now()
       WHERE id = $1 AND status = 'awaiting_confirmation'`,
      [runId, `cancelled by ${by}`],
    );
    return (result.rowCount ?? 0) > 0;
  }

  /** The audit log, newest first. */
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
  ): Promise<void> {
    await this.pool.query(
      `UPDATE action_runs SET status = $2, summary = $3, result = $4, finished_at = now(),
         started_at = COALESCE(started_at, now())
       WHERE id = $1`,
      [runId, outcome.status, outcome.summary, JSON.stringify(outcome.result ?? null)],
    );
  }

  async get(runId: string): Promise<ActionRunRow | undefined> {
    const found = await this.pool.query('SELECT * FROM action_runs WHERE id = $1', [runId]);
    return found.rows[0] ? toRow(found.rows[0]) : undefined;
  }
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
  };
}
