import { type Config, loadConfig } from '../config/index.ts';
import { type Database, openDatabase } from '../db/database.ts';
import { createLogger, type Logger } from '../logging/logger.ts';
import type { CliIo } from './command.ts';

/**
 * fleetbot's database for a one-off command (`audit`, `incidents`): DATABASE_URL, or the embedded
 * server of FLEETBOT_DATA_DIR (joined when `fleetbot start` runs it). Logs only warnings, to stderr.
 */
export async function openCliDatabase(
  io: CliIo,
): Promise<{ config: Config; logger: Logger; database: Database }> {
  const config = loadConfig({ env: io.env });
  const logger = createLogger({ level: 'warn', destination: process.stderr });
  const database = await openDatabase({
    databaseUrl: config.runtime.databaseUrl,
    dataDir: config.runtime.dataDir,
    logger,
  });
  return { config, logger, database };
}
