import type { Clock } from '../../core/clock.js';
import {
  newBucket,
  peekToken,
  retryAfterSeconds,
  takeToken,
  type BucketState,
  type RateLimit,
} from '../../core/token-bucket.js';

export interface RateLimitConfig {
  /** Tokens added per second. */
  ratePerSecond: number;
  /** Bucket size: the largest burst allowed. */
  burst: number;
}

/**
 * Token buckets keyed by principal (or source ip), refilled lazily from the clock: no timers, so it costs
 * nothing while idle. The map is bounded; the least recently used bucket is dropped first (a dropped
 * bucket comes back full, which only ever errs on the side of letting a request through).
 */
export class RateLimiter {
  private readonly buckets = new Map<string, BucketState>();
  private readonly limit: RateLimit;

  constructor(
    config: RateLimitConfig,
    private readonly clock: Clock,
    private readonly maxKeys = 10_000,
  ) {
    this.limit = { rps: config.ratePerSecond, burst: config.burst };
  }

  /** Takes one token; returns 0 when allowed, else the seconds to wait before retrying. */
  take(key: string, cost = 1): number {
    const now = this.clock.now();
    let b = this.buckets.get(key);
    if (b) {
      this.buckets.delete(key);
    } else {
      b = newBucket(this.limit, now);
      if (this.buckets.size >= this.maxKeys) {
        const oldest = this.buckets.keys().next().value;
        if (oldest !== undefined) this.buckets.delete(oldest);
      }
    }
    this.buckets.set(key, b);
    const r = takeToken(b, this.limit, now, cost);
    return r.ok ? 0 : retryAfterSeconds(r.retryAfterMs);
  }

  /** Seconds until one token would be there, without taking it (0: there is one now). */
  peek(key: string, cost = 1): number {
    const b = this.buckets.get(key);
    if (!b) return 0;
    const ms = peekToken(b, this.limit, this.clock.now(), cost);
    return ms === 0 ? 0 : retryAfterSeconds(ms);
  }

  get size(): number {
    return this.buckets.size;
  }
}
