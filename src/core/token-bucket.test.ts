import { describe, expect, it } from 'vitest';
import { newBucket, peekToken, retryAfterSeconds, takeToken, TokenBuckets } from './token-bucket.js';

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

describe('token buckets per key', () => {
  it('takes per key, restarts a key whose limit changed, peeks without taking', () => {
    const b = new TokenBuckets();
    const one = { rps: 1, burst: 1 };
    expect(b.take('a', one, 0).ok).toBe(true);
    expect(b.take('a', one, 0)).toEqual({ ok: false, retryAfterMs: 1000 });
    expect(b.peek('a', 250)).toBe(750);
    expect(b.peek('a', 250)).toBe(750);
    expect(b.peek('new', 0)).toBe(0);
    expect(b.take('b', one, 0).ok).toBe(true);
    expect(b.take('a', { rps: 1, burst: 2 }, 0).ok).toBe(true);
    b.retain((k) => k !== 'b');
    expect(b.size).toBe(1);
  });

  it('stays bounded, dropping the least recently used key', () => {
    const b = new TokenBuckets(2);
    const one = { rps: 1, burst: 1 };
    b.take('a', one, 0);
    b.take('b', one, 0);
    b.take('a', one, 0);
    b.take('c', one, 0);
    expect(b.size).toBe(2);
    expect(b.take('a', one, 0).ok).toBe(false);
    expect(b.take('b', one, 0).ok).toBe(true);
  });

  it('charges a cost and rounds Retry-After up to whole seconds, at least 1', () => {
    const limit = { rps: 2, burst: 4 };
    const s = newBucket(limit, 0);
    expect(takeToken(s, limit, 0, 3).ok).toBe(true);
    expect(takeToken(s, limit, 0, 3)).toEqual({ ok: false, retryAfterMs: 1000 });
    expect(peekToken(s, limit, 1000, 3)).toBe(0);
    expect([1, 999, 1000, 1001].map(retryAfterSeconds)).toEqual([1, 1, 1, 2]);
  });
});
