import { Redis } from 'ioredis';
import {
  type CheckOutcome,
  failureReason,
  type HealthCheck,
  hostAndPort,
  notConfigured,
} from './health-check.ts';

export interface RedisCheckOptions {
  /** The Fleet Management System's Redis (`FLEET_REDIS_URL`), not fleetbot's queue; unset: not configured. */
  url?: string | undefined;
}

/** Runbook check 6: `redis-cli ping` answers `PONG`. Not critical: its failure degrades the verdict. */
export function redisCheck(options: RedisCheckOptions): HealthCheck {
  return {
    name: 'redis',
    label: 'Redis',
    critical: false,
    run: async (signal) => (options.url ? probe(options.url, signal) : notConfigured('FLEET_REDIS_URL')),
  };
}

/** A connection of its own, tried once: no reconnects, no offline queue, so a dead server fails at once. */
async function probe(url: string, signal: AbortSignal): Promise<CheckOutcome> {
  const redis = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  // connect() only rejects with "Connection is closed."; the 'error' event carries the cause (ECONNREFUSED, WRONGPASS).
  let cause: unknown;
  redis.on('error', (error) => {
    cause = error;
  });
  const disconnect = () => redis.disconnect();
  signal.addEventListener('abort', disconnect, { once: true });
  try {
    await redis.connect();
    const reply = await redis.ping();
    return reply === 'PONG'
      ? { status: 'ok', detail: 'PONG' }
      : { status: 'failed', detail: `PING answered ${JSON.stringify(reply)}, not PONG` };
  } catch (error) {
    return {
      status: 'failed',
      detail: `${hostAndPort(new URL(url), 6379)}: ${failureReason(cause ?? error)}`,
    };
  } finally {
    signal.removeEventListener('abort', disconnect);
    redis.disconnect();
  }
}
