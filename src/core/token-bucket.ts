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

/**
 * Token buckets per key (API key, principal, source address), refilled lazily from the caller's clock: no
 * timers, so idle keys cost nothing. A key whose limit changes starts over with a full bucket. With
 * `maxKeys` the map is bounded and the least recently used bucket goes first (a dropped bucket comes back
 * full, which only ever errs on the side of letting a request through).
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, { limit: RateLimit; state: BucketState }>();

  constructor(private readonly maxKeys = Number.POSITIVE_INFINITY) {}

  /** Takes `cost` tokens from `key`'s bucket under `limit` (see `takeToken`). */
  take(key: string, limit: RateLimit, now: number, cost = 1): TakeResult {
    let b = this.buckets.get(key);
    if (b !== undefined && this.maxKeys !== Number.POSITIVE_INFINITY) {
      // Re-inserted below, so the map's order is least recently used first.
      this.buckets.delete(key);
      this.buckets.set(key, b);
    }
    if (b === undefined || b.limit.rps !== limit.rps || b.limit.burst !== limit.burst) {
      if (b === undefined && this.buckets.size >= this.maxKeys) {
        const oldest = this.buckets.keys().next().value;
        if (oldest !== undefined) this.buckets.delete(oldest);
      }
      b = { limit, state: newBucket(limit, now) };
      this.buckets.set(key, b);
    }
    return takeToken(b.state, limit, now, cost);
  }

  /** Milliseconds until `key` could take `cost` tokens (0: now, or it has no bucket yet); takes nothing. */
  peek(key: string, now: number, cost = 1): number {
    const b = this.buckets.get(key);
    return b === undefined ? 0 : peekToken(b.state, b.limit, now, cost);
  }

  /** Forgets the buckets of keys that no longer exist. */
  retain(alive: (key: string) => boolean): void {
    for (const key of this.buckets.keys()) if (!alive(key)) this.buckets.delete(key);
  }

  get size(): number {
    return this.buckets.size;
  }
}
