import type { ClientBase } from 'pg';
import { loadConfig } from '../config/index.ts';
import { type CliCommand, cliLogger, EXIT, UsageError } from './command.ts';

const APPLICATION = 'fleetbot-database-copy';

/**
 * `fleetbot database copy --to URL`: fleetbot's own database (DATABASE_URL, or the embedded one in
 * FLEETBOT_DATA_DIR) copied into an empty external PostgreSQL, to move from the single shape to the
 * scaled one without losing incidents, timers or the audit log.
 */
export const databaseCopyCommand: CliCommand = {
  name: 'database copy',
  summary: "Copy fleetbot's database (embedded or DATABASE_URL) into an empty external PostgreSQL",
  usage: 'database copy --to postgres://USER@HOST:5432/DB',
  details: [
    'Stop fleetbot first: the copy refuses a source that a running fleetbot is using.',
    'The target is migrated, must hold no fleetbot data, and is written in one transaction:',
    'it gets everything or nothing. Put the password in PGPASSWORD rather than in the URL',
    '(shell history, ps). Then start fleetbot with DATABASE_URL set to the target (and REDIS_URL):',
    'escalation timers, pending deliveries and reminders are planned again from the database.',
  ].join('\n'),
  options: { to: { type: 'string' } },
  async run({ values }, io) {
    const to = values.to;
    if (typeof to !== 'string' || !/^postgres(ql)?:\/\//.test(to)) {
      throw new UsageError(
        `--to needs the target PostgreSQL's URL.\nUsage: fleetbot database copy --to postgres://USER@HOST:5432/DB`,
      );
    }
    const target = new URL(to);
    if (target.password) {
      io.err('⚠ The password is on the command line (shell history, ps); PGPASSWORD keeps it off.');
    }
    const config = loadConfig({ env: io.env });
    const logger = cliLogger(io);
    const [{ openDatabase }, { migrate }, { copyDatabase }, { default: pg }] = await Promise.all([
      import('../db/database.ts'),
      import('../db/migrate.ts'),
      import('../db/copy-database.ts'),
      import('pg'),
    ]);
    const source = await openDatabase({
      databaseUrl: config.runtime.databaseUrl,
      dataDir: config.runtime.dataDir,
      logger,
    });
    const from = config.runtime.databaseUrl
      ? hostOf(new URL(config.runtime.databaseUrl))
      : `the embedded PostgreSQL in ${config.runtime.dataDir}`;
    // Clients of their own, without the pool's statement timeout: one table may take longer than 15 s.
    const reader = new pg.Client({ connectionString: source.url, application_name: APPLICATION });
    const writer = new pg.Client({ connectionString: to, application_name: APPLICATION });
    try {
      await reader.connect();
      const running = await otherFleetbots(reader);
      if (running > 0) {
        throw new UsageError(
          `fleetbot is still running on ${from} (${running} connection${running === 1 ? '' : 's'}); stop it first, so that nothing changes during the copy (single shape: kubectl -n ${config.cluster.namespace} scale statefulset fleetbot --replicas=0).`,
        );
      }
      await writer.connect().catch((error: unknown) => {
        throw new UsageError(`Cannot connect to the target ${hostOf(target)}: ${(error as Error).message}`);
      });
      if (hostOf(new URL(source.url)) === hostOf(target)) {
        throw new UsageError('The target is the source database itself; name another database with --to.');
      }
      // Both sides at this fleetbot's schema version (the source too, if an older fleetbot wrote it).
      await migrate(source.pool, logger);
      const targetPool = new pg.Pool({ connectionString: to, max: 1, application_name: APPLICATION });
      try {
        await migrate(targetPool, logger);
      } finally {
        await targetPool.end();
      }
      io.out(`Copying fleetbot's database from ${from} to ${hostOf(target)}…`);
      const report = await copyDatabase(reader, writer, ({ table, rows }) =>
        io.out(`  ${table.padEnd(24)} ${rows.toLocaleString('en-US').padStart(10)} rows`),
      );
      const rows = report.tables.reduce((sum, table) => sum + table.rows, 0);
      io.out(
        [
          `Copied ${rows.toLocaleString('en-US')} rows in ${report.tables.length} tables and ${report.sequences} sequences, in one transaction.`,
          `Next: start fleetbot with DATABASE_URL set to ${hostOf(target)} (and REDIS_URL for the queue).`,
          'Escalation timers, pending Slack messages and reminders are planned again from the database at start.',
        ].join('\n'),
      );
      return EXIT.ok;
    } finally {
      await Promise.all([reader.end().catch(() => {}), writer.end().catch(() => {})]);
      await source.close();
    }
  },
};

/** Connections of another fleetbot process to the source (its pools and queue name themselves `fleetbot…`). */
async function otherFleetbots(client: ClientBase): Promise<number> {
  const { rows } = await client.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_stat_activity
      WHERE datname = current_database() AND pid <> pg_backend_pid()
        AND application_name LIKE 'fleetbot%' AND application_name <> $1`,
    [APPLICATION],
  );
  return rows[0]?.n ?? 0;
}

/** A URL as it may be shown: host, port and database, no user or password. */
function hostOf(url: URL): string {
  return `${url.hostname}:${url.port || 5432}${url.pathname}`;
}
