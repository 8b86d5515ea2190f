import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../core/clock.js';
import { RateLimiter } from './rate-limit.js';

describe('RateLimiter (token bucket)', () => {
  it('allows a burst, then refills at the rate, per key', async () => {
    const clock = new FakeClock();
    const rl = new RateLimiter({ ratePerSecond: 2, burst: 3 }, clock);
    expect([rl.take('a'), rl.take('a'), rl.take('a')]).toEqual([0, 0, 0]);
    expect(rl.take('a')).toBe(1);
    expect(rl.take('b')).toBe(0);
    await clock.advance(500);
    expect(rl.take('a')).toBe(0);
    expect(rl.take('a')).toBe(1);
    await clock.advance(10_000);
    expect([rl.take('a'), rl.take('a'), rl.take('a'), rl.take('a')]).toEqual([0, 0, 0, 1]);
  });
  it('says how long to wait', () => {
    const rl = new RateLimiter({ ratePerSecond: 0.1, burst: 1 }, new FakeClock());
    expect(rl.take('k')).toBe(0);
    expect(rl.take('k')).toBe(10);
  });
  it('stays bounded, dropping the least recently used key', () => {
    const rl = new RateLimiter({ ratePerSecond: 1, burst: 1 }, new FakeClock(), 3);
    for (const k of ['a', 'b', 'c']) rl.take(k);
    rl.take('a');
    rl.take('d');
    expect(rl.size).toBe(3);
    expect(rl.take('a')).toBe(1); // still tracked (recently used)
    expect(rl.take('b')).toBe(0); // dropped, comes back full
  });
});
