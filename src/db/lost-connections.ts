import type { Logger } from '../logging/logger.ts';

/**
 * SQLSTATEs a server sends as it ends every session: an administrator or a failover (57P01), a crash
 * of another server process (57P02), a server not yet accepting connections (57P03).
 */
const SESSION_ENDED = new Set(['57P01', '57P02', '57P03']);

/** Whether `error` is PostgreSQL ending a session, or its socket closing under a pg client. */
export function isLostConnection(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const { code } = error as { code?: unknown };
  if (typeof code === 'string' && SESSION_ENDED.has(code) && 'severity' in error) return true;
  return error.message === 'Connection terminated unexpectedly';
}

/**
 * Keeps a long-running process alive when PostgreSQL goes away under a pg client that holds no
 * 'error' listener: BullMQ's PostgreSQL backend holds pool clients between the statements of its
 * transactions, and pg then throws from its socket handler (found by killing the embedded
 * PostgreSQL under `fleetbot start`: the process died). Only that error is survived, logged; the
 * client it came from is dead and its pool replaces it. Anything else still ends the process, as
 * Node would.
 */
export function surviveLostConnections(logger: Logger): void {
  const onUncaught = (error: Error) => {
    if (isLostConnection(error)) {
      logger.warn({ err: error }, 'a database connection was lost; its pool opens another');
      return;
    }
    logger.fatal({ err: error }, 'uncaught exception; stopping');
    process.exit(1);
  };
  process.on('uncaughtException', onUncaught);
}
