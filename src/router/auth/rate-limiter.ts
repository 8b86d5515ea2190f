import { retryAfterSeconds, TokenBuckets, type RateLimit } from '../../core/token-bucket.js';

export interface RateDecision {
  ok: boolean;
  /** Whole seconds for Retry-After (at least 1) when refused. */
  retryAfterS: number;
}

const ALLOW: RateDecision = { ok: true, retryAfterS: 0 };

/**
 * Per-key token buckets. A key's own limit overrides the default; with neither, requests are unlimited.
 * Buckets are dropped when their key's limit changes (a new limit starts full).
 */
export class RateLimiter {
  private readonly buckets = new TokenBuckets();

  constructor(private readonly defaultLimit: RateLimit | undefined) {}

  check(principalId: string, own: RateLimit | undefined, now: number): RateDecision {
    const limit = own ?? this.defaultLimit;
    if (limit === undefined) return ALLOW;
    const r = this.buckets.take(principalId, limit, now);
    return r.ok ? ALLOW : { ok: false, retryAfterS: retryAfterSeconds(r.retryAfterMs) };
  }

  /** Forgets buckets of keys that no longer exist. */
  retain(alive: (principalId: string) => boolean): void {
    this.buckets.retain(alive);
  }
}
