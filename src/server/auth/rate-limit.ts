import type { Clock } from '../../core/clock.js';

export interface RateLimitConfig {
  /** Tokens added per second. */
  ratePerSecond: number;
  /** Bucket size: the largest burst allowed. */
  burst: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

/**
 * Token buckets keyed by principal (or source ip), refilled lazily from the clock: no timers, so it costs
 * nothing while idle. The map is bounded; the least recently used bucket is dropped first (a dropped
 * bucket comes back full, which only ever errs on the side of letting a request through).
 */
export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly config: RateLimitConfig,
    private readonly clock: Clock,
    private readonly maxKeys = 10_000,
  ) {}

  /** Takes one token; returns 0 when allowed, else the seconds to wait before retrying. */
  take(key: string, cost = 1): number {
    const now = this.clock.now();
    const { ratePerSecond, burst } = this.config;
    let b = this.buckets.get(key);
    if (b) {
      this.buckets.delete(key);
      b.tokens = Math.min(burst, b.tokens + ((now - b.at) / 1000) * ratePerSecond);
      b.at = now;
    } else {
      b = { tokens: burst, at: now };
      if (this.buckets.size >= this.maxKeys) {
        const oldest = this.buckets.keys().next().value;
        if (oldest !== undefined) this.buckets.delete(oldest);
      }
    }
    this.buckets.set(key, b);
    if (b.tokens >= cost) {
      b.tokens -= cost;
      return 0;
    }
    return Math.max(1, Math.ceil((cost - b.tokens) / ratePerSecond));
  }

  /** Seconds until one token would be there, without taking it (0: there is one now). */
  peek(key: string, cost = 1): number {
    const b = this.buckets.get(key);
    if (!b) return 0;
    const { ratePerSecond, burst } = this.config;
    const tokens = Math.min(burst, b.tokens + ((this.clock.now() - b.at) / 1000) * ratePerSecond);
    return tokens >= cost ? 0 : Math.max(1, Math.ceil((cost - tokens) / ratePerSecond));
  }

  get size(): number {
    return this.buckets.size;
  }
}
