import { describe, expect, it } from 'vitest';
import { FakeClock } from '../core/clock.js';
import { backoffDelay, DEFAULT_BACKOFF, nextBackoff, type BackoffState } from './backoff.js';

describe('backoff policy', () => {
  it('is 10 s doubling to 5 min', () => {
    const delays = [1, 2, 3, 4, 5, 6, 7, 50].map((f) => backoffDelay(DEFAULT_BACKOFF, f));
    expect(delays).toEqual([10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000, 300_000]);
    expect(backoffDelay(DEFAULT_BACKOFF, 0)).toBe(0);
    expect(backoffDelay(DEFAULT_BACKOFF, 10_000)).toBe(300_000);
  });

  it('grows with consecutive failures and resets after 10 min healthy', async () => {
    const clock = new FakeClock();
    let state: BackoffState = { failures: 0 };
    const fail = (healthySince?: number) => {
      const r = nextBackoff(DEFAULT_BACKOFF, state, clock.now(), healthySince);
      state = r.state;
      return r.delayMs;
    };
    expect(fail()).toBe(10_000);
    expect(fail()).toBe(20_000);
    // Ready for 9 minutes, then crash: not forgiven.
    const readyAt = clock.now();
    await clock.advance(9 * 60_000);
    expect(fail(readyAt)).toBe(40_000);
    // Ready for 10 minutes: forgiven, back to the first delay.
    const readyAgain = clock.now();
    await clock.advance(10 * 60_000);
    expect(fail(readyAgain)).toBe(10_000);
    expect(state.failures).toBe(1);
  });

  it('honours a custom policy', () => {
    const p = { initialMs: 200, maxMs: 1000, resetAfterMs: 5000 };
    expect([1, 2, 3, 4].map((f) => backoffDelay(p, f))).toEqual([200, 400, 800, 1000]);
  });
});
