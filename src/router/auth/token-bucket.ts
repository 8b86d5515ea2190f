/** A rate: `rps` tokens per second refill, at most `burst` banked. */
export interface RateLimit {
  rps: number;
  burst: number;
}

export interface BucketState {
  tokens: number;
  updatedAt: number;
}

export interface TakeResult {
  ok: boolean;
  /** When refused: milliseconds until one token is available. */
  retryAfterMs: number;
}

/** A full bucket at `now`. */
export function newBucket(limit: RateLimit, now: number): BucketState {
  return { tokens: limit.burst, updatedAt: now };
}

/**
 * Token bucket: refills `rps` per second up to `burst`, each request takes one token. Mutates `state` (it is
 * the per-key bucket) and says whether the request may go, or how long until it could.
 */
export function takeToken(state: BucketState, limit: RateLimit, now: number): TakeResult {
  const elapsed = Math.max(0, now - state.updatedAt);
  state.tokens = Math.min(limit.burst, state.tokens + (elapsed * limit.rps) / 1000);
  state.updatedAt = now;
  if (state.tokens >= 1) {
    state.tokens -= 1;
    return { ok: true, retryAfterMs: 0 };
  }
  return { ok: false, retryAfterMs: Math.ceil(((1 - state.tokens) * 1000) / limit.rps) };
}
