import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool } from '../../src/db/database.ts';
import { migrate } from '../../src/db/migrate.ts';
import { migrations } from '../../src/db/migrations/index.ts';
import { createTestDatabase } from '../support/databases.ts';
import { captureLogs } from '../support/log-capture.ts';

const { logger } = captureLogs();
let database: Awaited<ReturnType<typeof createTestDatabase>>;

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.drop();
});

describe('migrate', () => {
  it('applies every migration once, even from two processes at the same time', async () => {
    const [one, two] = [createPool(database.url, logger), createPool(database.url, logger)];
    const pools = [one, two];
    try {
      const outcomes = await Promise.all(pools.map((pool) => migrate(pool, logger)));
      const applied = outcomes.map((outcome) => outcome.applied.length).sort();
      expect(applied).toEqual([0, migrations.length]);

      const again = await migrate(one, logger);
      expect(again).toEqual({ applied: [], current: migrations.length });

      const tables = await one.query<{ table_name: string }>(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1",
      );
      expect(tables.rows.map((row) => row.table_name)).toEqual([
        'action_runs',
        'alert_events',
        'alerts',
        'app_home_viewers',
        'fleetbot_migrations',
        'incidents',
        'maintenance_checks',
        'maintenance_notices',
        'maintenance_windows',
        'oncall_overrides',
        'slack_messages',
        'timeline_events',
      ]);
    } finally {
      await Promise.all(pools.map((pool) => pool.end()));
    }
  });

  it('refuses a database migrated by a newer fleetbot, naming the migration', async () => {
    const pool = createPool(database.url, logger);
    try {
      await pool.query("INSERT INTO fleetbot_migrations (version, name) VALUES (999, 'from-the-future')");
      await expect(migrate(pool, logger)).rejects.toThrow(
        /migration 999 \(from-the-future\), which this fleetbot does not know/,
      );
      await pool.query('DELETE FROM fleetbot_migrations WHERE version = 999');
    } finally {
      await pool.end();
    }
  });

  it('rolls back a failing migration entirely', async () => {
    const pool = createPool(database.url, logger);
    try {
      const broken = [
        ...migrations,
        {
          version: migrations.length + 1,
          name: 'half-done',
          sql: 'CREATE TABLE half_done (id int); SELECT nonsense_column FROM half_done;',
        },
      ];
      await expect(migrate(pool, logger, broken)).rejects.toThrow(
        /Database migration failed: column "nonsense_column" does not exist/,
      );
      const found = await pool.query("SELECT to_regclass('public.half_done') AS t");
      expect(found.rows[0].t).toBeNull();
    } finally {
      await pool.end();
    }
  });
});
