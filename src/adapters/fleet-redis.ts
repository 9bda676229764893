import type { Redis } from 'ioredis';
import { FleetbotError } from '../domain/errors.ts';
import type { FleetRedis } from '../domain/fleet-database.ts';
import { failureReason, hostAndPort } from '../health/health-check.ts';
import { RedisConnectError, withRedisConnection } from '../health/redis-check.ts';

export interface IoFleetRedisOptions {
  /** `FLEET_REDIS_URL`; unset: every method fails saying to set it. */
  url: string | undefined;
  /** Keys asked for per SCAN call, and so at most per UNLINK. @defaultValue 500 */
  batchSize?: number;
}

/**
 * The fleet's Redis through ioredis: keys by pattern with SCAN (never KEYS, which blocks the server
 * for as long as it walks every key) and UNLINK (frees memory off the main thread) in batches.
 */
export class IoFleetRedis implements FleetRedis {
  readonly target: string | undefined;
  private readonly options: IoFleetRedisOptions;

  constructor(options: IoFleetRedisOptions) {
    this.options = options;
    this.target = options.url ? hostAndPort(new URL(options.url), 6379) : undefined;
  }

  countKeys(patterns: readonly string[], signal: AbortSignal): Promise<Map<string, number>> {
    return this.eachBatch(patterns, signal, async (_redis, keys) => keys.length);
  }

  deleteKeys(
    patterns: readonly string[],
    signal: AbortSignal,
    onBatch?: (deletedSoFar: number) => void,
  ): Promise<Map<string, number>> {
    let total = 0;
    return this.eachBatch(patterns, signal, async (redis, keys) => {
      const deleted = await redis.unlink(...keys);
      total += deleted;
      onBatch?.(total);
      return deleted;
    });
  }

  /** Scans each pattern to the end, handing every non-empty page of keys to `use`; sums what it returns. */
  private async eachBatch(
    patterns: readonly string[],
    signal: AbortSignal,
    use: (redis: Redis, keys: string[]) => Promise<number>,
  ): Promise<Map<string, number>> {
    const url = this.options.url;
    if (!url) throw notConfigured();
    signal.throwIfAborted();
    try {
      return await withRedisConnection(
        url,
        signal,
        async (redis) => {
          const counts = new Map<string, number>();
          const batch = String(this.options.batchSize ?? 500);
          for (const pattern of patterns) {
            let cursor = '0';
            let count = 0;
            do {
              signal.throwIfAborted();
              const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', batch);
              cursor = next;
              if (keys.length > 0) count += await use(redis, keys);
            } while (cursor !== '0');
            counts.set(pattern, count);
          }
          return counts;
        },
        { connectionName: 'fleetbot-db-actions', connectTimeoutMs: 5_000 },
      );
    } catch (error) {
      if (signal.aborted) throw signal.reason;
      if (error instanceof RedisConnectError) {
        throw new FleetbotError(
          'database_unavailable',
          `Cannot connect to the fleet Redis at ${this.target}: ${failureReason(error.reason)}`,
          { hint: 'Check FLEET_REDIS_URL and that Redis is up (/fleet health).' },
        );
      }
      throw error;
    }
  }
}

function notConfigured(): FleetbotError {
  return new FleetbotError('config', 'FLEET_REDIS_URL is not set: fleetbot does not know the fleet Redis.', {
    hint: 'Set FLEET_REDIS_URL to the Fleet Management System Redis (redis://:password@host:6379).',
  });
}
