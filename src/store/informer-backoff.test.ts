import { describe, expect, it } from 'vitest';
import { backoffDelay } from './informer-backoff.js';

describe('backoffDelay', () => {
  const p = { initialMs: 100, maxMs: 1000 };
  it('doubles from half the ceiling to the ceiling, capped', () => {
    expect([0, 1, 2, 3, 4, 40].map((a) => backoffDelay(p, a, () => 0))).toEqual([
      50, 100, 200, 400, 500, 500,
    ]);
    expect([0, 1, 2, 3, 4, 40].map((a) => backoffDelay(p, a, () => 0.999999))).toEqual([
      100, 200, 400, 800, 1000, 1000,
    ]);
  });
});
