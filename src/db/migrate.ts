import type pg from 'pg';
import { FleetbotError } from '../domain/errors.ts';
import type { Logger } from '../logging/logger.ts';
import { migrations as allMigrations, type Migration } from './migrations/index.ts';
import { withClient } from './with-client.ts';

/** Arbitrary but fixed: every fleetbot process serialises its migrations on this advisory lock. */
const MIGRATION_LOCK = 7_335_001;

export interface MigrationOutcome {
  applied: readonly string[];
  current: number;
}

/**
 * Applies the migrations not yet recorded, in one transaction under an advisory
 * lock: safe to run twice, and from two processes at once (the second waits,
 * then finds nothing to do).
 */
export async function migrate(
  pool: pg.Pool,
  logger: Logger,
  migrations: readonly Migration[] = allMigrations,
): Promise<MigrationOutcome> {
  return withClient(pool, async (client) => {
    try {
      await client.query('BEGIN');
      await client.query('SELECT pg_advisory_xact_lock($1)', [MIGRATION_LOCK]);
      await client.query(`CREATE TABLE IF NOT EXISTS fleetbot_migrations (
        version    integer     PRIMARY KEY,
        name       text        NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`);
      const { rows } = await client.query<{ version: number; name: string }>(
        'SELECT version, name FROM fleetbot_migrations ORDER BY version',
      );
      const recorded = new Map(rows.map((row) => [row.version, row.name]));
      const known = new Set(migrations.map((m) => m.version));
      const unknown = rows.find((row) => !known.has(row.version));
      if (unknown) {
        throw new FleetbotError(
          'migration_failed',
          `The database has migration ${unknown.version} (${unknown.name}), which this fleetbot does not know.`,
          { hint: 'A newer fleetbot migrated this database; run that version or a newer one.' },
        );
      }
      const applied: string[] = [];
      for (const migration of migrations) {
        const name = recorded.get(migration.version);
        if (name !== undefined) {
          if (name !== migration.name) {
            throw new FleetbotError(
              'migration_failed',
              `Migration ${migration.version} is recorded as "${name}" but this fleetbot calls it "${migration.name}".`,
              {
                hint: 'Migrations are append-only; restore the original file and add a new migration instead.',
              },
            );
          }
          continue;
        }
        await client.query(migration.sql);
        await client.query('INSERT INTO fleetbot_migrations (version, name) VALUES ($1, $2)', [
          migration.version,
          migration.name,
        ]);
        applied.push(`${migration.version}-${migration.name}`);
      }
      await client.query('COMMIT');
      const current = Math.max(0, ...migrations.map((m) => m.version));
      if (applied.length > 0) logger.info({ applied, current }, 'database migrated');
      return { applied, current };
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      if (error instanceof FleetbotError) throw error;
      throw new FleetbotError('migration_failed', `Database migration failed: ${(error as Error).message}`, {
        cause: error,
      });
    }
  });
}
