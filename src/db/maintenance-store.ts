import type pg from 'pg';
import type { MaintenanceStore, MaintenanceWindowRecord } from '../domain/maintenance.ts';

export class PgMaintenanceStore implements MaintenanceStore {
  private readonly pool: pg.Pool;

  constructor(options: { pool: pg.Pool }) {
    this.pool = options.pool;
  }

  async add(window: Omit<MaintenanceWindowRecord, 'id'>, now: Date): Promise<MaintenanceWindowRecord> {
    const { rows } = await this.pool.query(
      `INSERT INTO maintenance_windows (starts_at, ends_at, reason, created_by, created_at)
       VALUES ($1, $2, $3, $4, $5) RETURNING id`,
      [window.startsAt, window.endsAt, window.reason, window.createdBy, now],
    );
    return { id: Number(rows[0]?.id), ...window };
  }

  async upcoming(after: Date): Promise<MaintenanceWindowRecord[]> {
    const { rows } = await this.pool.query(
      `SELECT * FROM maintenance_windows WHERE cancelled_at IS NULL AND ends_at > $1 ORDER BY starts_at LIMIT 50`,
      [after],
    );
    return rows.map((row: Record<string, unknown>) => ({
      id: Number(row.id),
      startsAt: row.starts_at as Date,
      endsAt: row.ends_at as Date,
      reason: String(row.reason),
      createdBy: String(row.created_by),
    }));
  }

  async close(id: number, now: Date): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      `UPDATE maintenance_windows
          SET cancelled_at = CASE WHEN starts_at > $2 THEN $2 ELSE NULL END,
              ends_at = CASE WHEN starts_at > $2 THEN ends_at ELSE $2 END
        WHERE id = $1 AND cancelled_at IS NULL AND ends_at > $2`,
      [id, now],
    );
    return (rowCount ?? 0) > 0;
  }
}
