import {
  newBucket,
  retryAfterSeconds,
  takeToken,
  type BucketState,
  type RateLimit,
} from '../../core/token-bucket.js';

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
  private readonly buckets = new Map<string, { limit: RateLimit; state: BucketState }>();

  constructor(private readonly defaultLimit: RateLimit | undefined) {}

  check(principalId: string, own: RateLimit | undefined, now: number): RateDecision {
    const limit = own ?? this.defaultLimit;
    if (limit === undefined) return ALLOW;
    let b = this.buckets.get(principalId);
    if (b === undefined || b.limit.rps !== limit.rps || b.limit.burst !== limit.burst) {
      b = { limit, state: newBucket(limit, now) };
      this.buckets.set(principalId, b);
    }
    const r = takeToken(b.state, limit, now);
    return r.ok ? ALLOW : { ok: false, retryAfterS: retryAfterSeconds(r.retryAfterMs) };
  }

  /** Forgets buckets of keys that no longer exist. */
  retain(alive: (principalId: string) => boolean): void {
    for (const id of this.buckets.keys()) if (!alive(id)) this.buckets.delete(id);
  }
}
