/**
 * The one token bucket (the router's per-key limits, the API server's request and login limits): refills
 * `rps` per second up to `burst`, each request takes `cost` tokens (1 by default). Pure: the caller keeps
 * the per-key state and the clock. Rates are written with the grammar in `rate.ts`.
 */

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
  /** When refused: milliseconds until enough tokens are available. */
  retryAfterMs: number;
}

/** A full bucket at `now`. */
export function newBucket(limit: RateLimit, now: number): BucketState {
  return { tokens: limit.burst, updatedAt: now };
}

/** Tokens in the bucket at `now` (refilled, capped at the burst); a clock going backwards adds none. */
function tokensAt(state: BucketState, limit: RateLimit, now: number): number {
  const elapsed = Math.max(0, now - state.updatedAt);
  return Math.min(limit.burst, state.tokens + (elapsed * limit.rps) / 1000);
}

function waitMs(tokens: number, limit: RateLimit, cost: number): number {
  return Math.ceil(((cost - tokens) * 1000) / limit.rps);
}

/**
 * Takes `cost` tokens when there are that many. Mutates `state` (it is the per-key bucket) and says whether
 * the request may go, or how long until it could.
 */
export function takeToken(state: BucketState, limit: RateLimit, now: number, cost = 1): TakeResult {
  state.tokens = tokensAt(state, limit, now);
  state.updatedAt = now;
  if (state.tokens >= cost) {
    state.tokens -= cost;
    return { ok: true, retryAfterMs: 0 };
  }
  return { ok: false, retryAfterMs: waitMs(state.tokens, limit, cost) };
}

/** Milliseconds until `cost` tokens would be there (0: they are there now), without taking any. */
export function peekToken(state: BucketState, limit: RateLimit, now: number, cost = 1): number {
  const tokens = tokensAt(state, limit, now);
  return tokens >= cost ? 0 : waitMs(tokens, limit, cost);
}

/** Whole seconds for a `Retry-After` header: at least 1 (0 would invite an immediate retry). */
export function retryAfterSeconds(ms: number): number {
  return Math.max(1, Math.ceil(ms / 1000));
}
