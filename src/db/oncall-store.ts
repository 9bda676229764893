import type pg from 'pg';
import type { OnCallOverride, OnCallStore } from '../domain/oncall.ts';

export class PgOnCallStore implements OnCallStore {
  private readonly pool: pg.Pool;

  constructor(options: { pool: pg.Pool }) {
    this.pool = options.pool;
  }

  async add(override: OnCallOverride, now: Date): Promise<void> {
    await this.pool.query(
      `INSERT INTO oncall_overrides (role, user_id, starts_at, ends_at, reason, created_by, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [
        override.role,
        override.user,
        override.startsAt,
        override.endsAt,
        override.reason ?? null,
        override.createdBy,
        now,
      ],
    );
  }

  async active(at: Date): Promise<OnCallOverride[]> {
    const { rows } = await this.pool.query(
      `SELECT * FROM oncall_overrides WHERE starts_at <= $1 AND ends_at > $1 ORDER BY created_at DESC, id DESC`,
      [at],
    );
    return rows.map((row: Record<string, unknown>) => ({
      role: String(row.role),
      user: String(row.user_id),
      startsAt: row.starts_at as Date,
      endsAt: row.ends_at as Date,
      ...(row.reason ? { reason: String(row.reason) } : {}),
      createdBy: String(row.created_by),
    }));
  }
}
