import type pg from 'pg';
import type { ChecklistTick } from '../domain/incident.ts';
import type { MaintenanceStore, MaintenanceWindowRecord } from '../domain/maintenance.ts';

export class PgMaintenanceStore implements MaintenanceStore {
  private readonly pool: pg.Pool;

  constructor(options: { pool: pg.Pool }) {
    this.pool = options.pool;
  }

  async add(
    window: Omit<MaintenanceWindowRecord, 'id' | 'createdAt'>,
    now: Date,
  ): Promise<MaintenanceWindowRecord> {
    const { rows } = await this.pool.query(
      `INSERT INTO maintenance_windows (starts_at, ends_at, reason, created_by, created_at, approved_by, approved_at)
       VALUES ($1, $2, $3, $4, $5::timestamptz, $6::text, CASE WHEN $6::text IS NULL THEN NULL ELSE $5::timestamptz END) RETURNING *`,
      [window.startsAt, window.endsAt, window.reason, window.createdBy, now, window.approvedBy ?? null],
    );
    return windowOf(rows[0]);
  }

  async get(id: number): Promise<MaintenanceWindowRecord | undefined> {
    const { rows } = await this.pool.query('SELECT * FROM maintenance_windows WHERE id = $1', [id]);
    return rows[0] ? windowOf(rows[0]) : undefined;
  }

  async upcoming(after: Date): Promise<MaintenanceWindowRecord[]> {
    const { rows } = await this.pool.query(
      `SELECT * FROM maintenance_windows WHERE cancelled_at IS NULL AND ends_at > $1 ORDER BY starts_at LIMIT 50`,
      [after],
    );
    return rows.map(windowOf);
  }

  async approve(id: number, by: string, now: Date): Promise<MaintenanceWindowRecord | undefined> {
    const { rows } = await this.pool.query(
      `UPDATE maintenance_windows SET approved_by = $2, approved_at = $3
        WHERE id = $1 AND approved_by IS NULL AND cancelled_at IS NULL AND ends_at > $3 RETURNING *`,
      [id, by, now],
    );
    return rows[0] ? windowOf(rows[0]) : undefined;
  }

  async close(id: number, by: string, now: Date): Promise<boolean> {
    // Not started, or never approved (so never in force): cancelled. In force: ends now.
    const { rowCount } = await this.pool.query(
      `UPDATE maintenance_windows
          SET cancelled_at = CASE WHEN starts_at > $2 OR approved_by IS NULL THEN $2 ELSE NULL END,
              ends_at = CASE WHEN starts_at > $2 OR approved_by IS NULL THEN ends_at ELSE $2 END,
              cancelled_by = $3
        WHERE id = $1 AND cancelled_at IS NULL AND ends_at > $2`,
      [id, now, by],
    );
    return (rowCount ?? 0) > 0;
  }

  async ticks(windowKey: string): Promise<Record<string, ChecklistTick>> {
    const { rows } = await this.pool.query(
      'SELECT item, checked_by, checked_at FROM maintenance_checks WHERE window_key = $1',
      [windowKey],
    );
    return Object.fromEntries(
      rows.map((row: { item: string; checked_by: string; checked_at: Date }) => [
        row.item,
        { by: row.checked_by, at: row.checked_at },
      ]),
    );
  }

  async tick(windowKey: string, item: string, by: string | undefined, now: Date): Promise<void> {
    if (by === undefined) {
      await this.pool.query('DELETE FROM maintenance_checks WHERE window_key = $1 AND item = $2', [
        windowKey,
        item,
      ]);
      return;
    }
    await this.pool.query(
      `INSERT INTO maintenance_checks (window_key, item, checked_by, checked_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (window_key, item) DO NOTHING`,
      [windowKey, item, by, now],
    );
  }

  async notices(windowKey: string): Promise<string[]> {
    const { rows } = await this.pool.query(
      'SELECT notice FROM maintenance_notices WHERE window_key = $1 ORDER BY sent_at',
      [windowKey],
    );
    return rows.map((row: { notice: string }) => row.notice);
  }

  async noticeSent(windowKey: string, notice: string, now: Date): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      `INSERT INTO maintenance_notices (window_key, notice, sent_at) VALUES ($1, $2, $3)
       ON CONFLICT DO NOTHING`,
      [windowKey, notice, now],
    );
    return (rowCount ?? 0) > 0;
  }
}

function windowOf(row: Record<string, unknown>): MaintenanceWindowRecord {
  return {
    id: Number(row.id),
    startsAt: row.starts_at as Date,
    endsAt: row.ends_at as Date,
    reason: String(row.reason),
    createdBy: String(row.created_by),
    createdAt: row.created_at as Date,
    ...(row.approved_by ? { approvedBy: String(row.approved_by) } : {}),
  };
}
