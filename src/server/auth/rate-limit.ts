import type { Clock } from '../../core/clock.js';
import { retryAfterSeconds, TokenBuckets, type RateLimit } from '../../core/token-bucket.js';

export interface RateLimitConfig {
  /** Tokens added per second. */
  ratePerSecond: number;
  /** Bucket size: the largest burst allowed. */
  burst: number;
}

/**
 * Token buckets keyed by principal (or source ip) under one limit, refilled lazily from the clock: no
 * timers, so it costs nothing while idle. The map is bounded; the least recently used bucket is dropped
 * first (a dropped bucket comes back full, which only ever errs on the side of letting a request through).
 */
export class RateLimiter {
  private readonly buckets: TokenBuckets;
  private readonly limit: RateLimit;

  constructor(
    config: RateLimitConfig,
    private readonly clock: Clock,
    maxKeys = 10_000,
  ) {
    this.limit = { rps: config.ratePerSecond, burst: config.burst };
    this.buckets = new TokenBuckets(maxKeys);
  }

  /** Takes one token; returns 0 when allowed, else the seconds to wait before retrying. */
  take(key: string, cost = 1): number {
    const r = this.buckets.take(key, this.limit, this.clock.now(), cost);
    return r.ok ? 0 : retryAfterSeconds(r.retryAfterMs);
  }

  /** Seconds until one token would be there, without taking it (0: there is one now). */
  peek(key: string, cost = 1): number {
    const ms = this.buckets.peek(key, this.clock.now(), cost);
    return ms === 0 ? 0 : retryAfterSeconds(ms);
  }

  get size(): number {
    return this.buckets.size;
  }
}
