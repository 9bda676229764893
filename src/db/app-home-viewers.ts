import type pg from 'pg';
import type { AppHomeViewers } from '../domain/console.ts';

export class PgAppHomeViewers implements AppHomeViewers {
  private readonly pool: pg.Pool;

  constructor(options: { pool: pg.Pool }) {
    this.pool = options.pool;
  }

  async opened(userId: string, at: Date): Promise<void> {
    await this.pool.query(
      `INSERT INTO app_home_viewers (user_id, opened_at) VALUES ($1, $2)
       ON CONFLICT (user_id) DO UPDATE SET opened_at = GREATEST(app_home_viewers.opened_at, EXCLUDED.opened_at)`,
      [userId, at],
    );
  }

  async recent(since: Date, limit: number): Promise<string[]> {
    const { rows } = await this.pool.query(
      'SELECT user_id FROM app_home_viewers WHERE opened_at >= $1 ORDER BY opened_at DESC LIMIT $2',
      [since, limit],
    );
    return rows.map((row: { user_id: string }) => row.user_id);
  }
}
