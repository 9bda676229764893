import { type Config, loadConfig } from '../config/index.ts';
import type { Database } from '../db/database.ts';
import type { Logger } from '../logging/logger.ts';
import { type CliIo, cliLogger } from './command.ts';

/**
 * fleetbot's database for a one-off command (`audit`, `incidents`): DATABASE_URL, or the embedded
 * server of FLEETBOT_DATA_DIR (joined when `fleetbot start` runs it). Logs as cliLogger says.
 */
export async function openCliDatabase(
  io: CliIo,
): Promise<{ config: Config; logger: Logger; database: Database }> {
  const config = loadConfig({ env: io.env });
  const logger = cliLogger(io);
  // Imported here: `fleetbot --help` and `run` need neither pg nor the embedded server.
  const { openDatabase } = await import('../db/database.ts');
  const database = await openDatabase({
    databaseUrl: config.runtime.databaseUrl,
    dataDir: config.runtime.dataDir,
    logger,
  });
  return { config, logger, database };
}
