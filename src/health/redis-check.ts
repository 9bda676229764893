import type { Redis } from 'ioredis';
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
    prepare: async () => (options.url ? import('ioredis') : undefined),
  };
}

async function probe(url: string, signal: AbortSignal): Promise<CheckOutcome> {
  try {
    return await withRedisConnection(url, signal, async (redis) => {
      const reply = await redis.ping();
      return reply === 'PONG'
        ? { status: 'ok', detail: 'PONG' }
        : { status: 'failed', detail: `PING answered ${JSON.stringify(reply)}, not PONG` };
    });
  } catch (error) {
    const reason = error instanceof RedisConnectError ? error.reason : error;
    return { status: 'failed', detail: `${hostAndPort(new URL(url), 6379)}: ${failureReason(reason)}` };
  }
}

/** Connecting failed; `reason` is what the server or the network said (ECONNREFUSED, WRONGPASS). */
export class RedisConnectError extends Error {
  readonly reason: unknown;

  constructor(reason: unknown) {
    super(failureReason(reason));
    this.name = 'RedisConnectError';
    this.reason = reason;
  }
}

/**
 * A connection of its own, tried once — no reconnects, no offline queue, so a dead server fails at
 * once — used by `use` and closed when it ends or `signal` aborts. A failed connect throws
 * RedisConnectError with the cause from the 'error' event: connect() itself only says "Connection is
 * closed.". ioredis is imported here, on the first connection: `fleetbot run status` never needs
 * it, and loading it costs a CLI command ~70 ms and ~12 MB.
 */
export async function withRedisConnection<T>(
  url: string,
  signal: AbortSignal,
  use: (redis: Redis) => Promise<T>,
  options: { connectionName?: string; connectTimeoutMs?: number } = {},
): Promise<T> {
  const { Redis } = await import('ioredis');
  const redis = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
    ...(options.connectTimeoutMs ? { connectTimeout: options.connectTimeoutMs } : {}),
    ...(options.connectionName ? { connectionName: options.connectionName } : {}),
  });
  let cause: unknown;
  redis.on('error', (error) => {
    cause = error;
  });
  const disconnect = () => redis.disconnect();
  signal.addEventListener('abort', disconnect, { once: true });
  try {
    try {
      await redis.connect();
    } catch (error) {
      throw new RedisConnectError(cause ?? error);
    }
    return await use(redis);
  } finally {
    signal.removeEventListener('abort', disconnect);
    redis.disconnect();
  }
}
