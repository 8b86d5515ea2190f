import { describe, expect, it } from 'vitest';
import { backoffDelay, type BackoffPolicy } from './backoff.js';

describe('backoffDelay', () => {
  const p: BackoffPolicy = { initialMs: 100, maxMs: 1000, jitter: 'half' };
  it('doubles from half the ceiling to the ceiling, capped', () => {
    expect([0, 1, 2, 3, 4, 40].map((a) => backoffDelay(p, a, () => 0))).toEqual([
      50, 100, 200, 400, 500, 500,
    ]);
    expect([0, 1, 2, 3, 4, 40].map((a) => backoffDelay(p, a, () => 0.999999))).toEqual([
      100, 200, 400, 800, 1000, 1000,
    ]);
  });
  it('without jitter: initialMs doubling to maxMs, exactly; no NaN or Infinity for large attempts', () => {
    const q: BackoffPolicy = { initialMs: 100, maxMs: 1000 };
    expect([0, 1, 2, 3, 4, 40, 10_000].map((a) => backoffDelay(q, a, () => 0))).toEqual([
      100, 200, 400, 800, 1000, 1000, 1000,
    ]);
    expect(backoffDelay({ initialMs: 0, maxMs: 1000 }, 5000)).toBe(0);
  });
});
