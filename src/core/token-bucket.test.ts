import { describe, expect, it } from 'vitest';
import { newBucket, takeToken } from './token-bucket.js';

describe('token bucket', () => {
  it('allows a burst, then one request per refill interval', () => {
    const limit = { rps: 2, burst: 3 };
    const s = newBucket(limit, 0);
    expect([0, 0, 0].map(() => takeToken(s, limit, 0).ok)).toEqual([true, true, true]);
    const refused = takeToken(s, limit, 0);
    expect(refused).toEqual({ ok: false, retryAfterMs: 500 });
    expect(takeToken(s, limit, 499).ok).toBe(false);
    expect(takeToken(s, limit, 500).ok).toBe(true);
    // Refill never exceeds the burst.
    expect(takeToken(s, limit, 100_000).ok).toBe(true);
    expect(s.tokens).toBe(2);
  });

  it('does not go backwards when the clock does', () => {
    const limit = { rps: 1, burst: 1 };
    const s = newBucket(limit, 1000);
    expect(takeToken(s, limit, 1000).ok).toBe(true);
    expect(takeToken(s, limit, 500).ok).toBe(false);
  });
});
