import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../core/clock.js';
import { backoffDelay, DEFAULT_BACKOFF, nextBackoff, type BackoffState } from './backoff.js';

describe('backoff policy', () => {
  it('restarts at once after the first crash, then 10 s doubling to 5 min', () => {
    const delays = [1, 2, 3, 4, 5, 6, 7, 8, 50].map((f) => backoffDelay(DEFAULT_BACKOFF, f));
    expect(delays).toEqual([0, 10_000, 20_000, 40_000, 80_000, 160_000, 300_000, 300_000, 300_000]);
    expect(backoffDelay(DEFAULT_BACKOFF, 0)).toBe(0);
    expect(backoffDelay(DEFAULT_BACKOFF, 10_000)).toBe(300_000);
  });

  it.each([
    // [ready for (ms) before each crash (undefined: never ready), expected delay]
    ['crash loop from the start', [undefined, undefined, undefined, undefined], [0, 10_000, 20_000, 40_000]],
    ['ready 9 min between crashes is not forgiven', [undefined, 9 * 60_000, 9 * 60_000], [0, 10_000, 20_000]],
    ['ready 10 min forgives', [undefined, undefined, 10 * 60_000, undefined], [0, 10_000, 0, 10_000]],
    ['ready briefly after a restart still counts', [1_000, 1_000, 1_000], [0, 10_000, 20_000]],
  ] as const)('%s', async (_name, readyFor, expected) => {
    const clock = new FakeClock();
    let state: BackoffState = { failures: 0 };
    const got: number[] = [];
    for (const ms of readyFor) {
      let since: number | undefined;
      if (ms !== undefined) {
        since = clock.now();
        await clock.advance(ms);
      }
      const r = nextBackoff(DEFAULT_BACKOFF, state, clock.now(), since);
      state = r.state;
      got.push(r.delayMs);
      await clock.advance(r.delayMs);
    }
    expect(got).toEqual(expected);
  });

  it('grows with consecutive failures and resets after 10 min healthy', async () => {
    const clock = new FakeClock();
    let state: BackoffState = { failures: 0 };
    const fail = (healthySince?: number) => {
      const r = nextBackoff(DEFAULT_BACKOFF, state, clock.now(), healthySince);
      state = r.state;
      return r.delayMs;
    };
    expect(fail()).toBe(0);
    expect(fail()).toBe(10_000);
    expect(fail()).toBe(20_000);
    // Ready for 9 minutes, then crash: not forgiven.
    const readyAt = clock.now();
    await clock.advance(9 * 60_000);
    expect(fail(readyAt)).toBe(40_000);
    // Ready for 10 minutes: forgiven, back to an immediate restart.
    const readyAgain = clock.now();
    await clock.advance(10 * 60_000);
    expect(fail(readyAgain)).toBe(0);
    expect(state.failures).toBe(1);
    expect(fail()).toBe(10_000);
  });

  it('honours a custom policy', () => {
    const p = { initialMs: 200, maxMs: 1000, resetAfterMs: 5000 };
    expect([1, 2, 3, 4, 5].map((f) => backoffDelay(p, f))).toEqual([0, 200, 400, 800, 1000]);
  });
});
