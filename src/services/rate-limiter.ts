import type { Clock } from '../domain/clock.ts';

export interface RateLimiterOptions {
  /** Requests allowed per key in any `windowMs`. */
  limit: number;
  windowMs: number;
  clock: Clock;
}

/**
 * A sliding-window limit per key (a Slack user), in this process's memory: a storm of commands
 * from one person is refused with when to try again, before it reaches the queue. With several
 * `web` replicas each applies it on its own; it protects the workers, it is not an accounting.
 */
export class RateLimiter {
  private readonly options: RateLimiterOptions;
  private readonly recent = new Map<string, number[]>();
  private prunedAt = 0;

  constructor(options: RateLimiterOptions) {
    this.options = options;
  }

  /** Counts one request for `key`; when over the limit, how long until one is allowed again. */
  take(key: string): { allowed: true } | { allowed: false; retryInMs: number } {
    const now = this.options.clock.now().getTime();
    const since = now - this.options.windowMs;
    const times = (this.recent.get(key) ?? []).filter((at) => at > since);
    if (times.length >= this.options.limit) {
      this.recent.set(key, times);
      return { allowed: false, retryInMs: (times[0] ?? now) + this.options.windowMs - now };
    }
    times.push(now);
    this.recent.set(key, times);
    // Once per window, forget keys that went quiet: the map holds only people typing now, and a
    // burst from many users costs one pass per window, not one per request.
    if (now - this.prunedAt >= this.options.windowMs) {
      this.prunedAt = now;
      for (const [other, at] of this.recent) if ((at.at(-1) ?? 0) <= since) this.recent.delete(other);
    }
    return { allowed: true };
  }
}
