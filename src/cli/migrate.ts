import { loadConfig } from '../config/index.ts';
import { type CliCommand, cliLogger, EXIT } from './command.ts';

export const migrateCommand: CliCommand = {
  name: 'migrate',
  summary: "Apply the database migrations (fleetbot's tables and the queue's schema), then exit",
  usage: 'migrate',
  details:
    'Safe to run twice and from several processes at once. `start`, `web` and `worker` also migrate at start-up.',
  async run(_args, io) {
    const config = loadConfig({ env: io.env });
    const logger = cliLogger(io);
    // Loaded here, as the queue below: every other command's start would pay for pg.
    const [{ openDatabase }, { migrate }] = await Promise.all([
      import('../db/database.ts'),
      import('../db/migrate.ts'),
    ]);
    const database = await openDatabase({
      databaseUrl: config.runtime.databaseUrl,
      dataDir: config.runtime.dataDir,
      logger,
    });
    try {
      const outcome = await migrate(database.pool, logger);
      // Loaded here: BullMQ and ioredis are a third of what every other command would load.
      const { openQueueBackend } = await import('../queue/queue-backend.ts');
      const backend = openQueueBackend({
        redisUrl: config.runtime.redisUrl,
        databaseUrl: database.url,
        logger,
      });
      await backend.prepare();
      await backend.close();
      io.out(
        outcome.applied.length > 0
          ? `Applied ${outcome.applied.length} migration(s): ${outcome.applied.join(', ')}. Schema version ${outcome.current}.`
          : `Already up to date (schema version ${outcome.current}).`,
      );
      return EXIT.ok;
    } finally {
      await database.close();
    }
  },
};
