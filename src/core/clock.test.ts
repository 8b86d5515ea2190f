import { describe, expect, it } from 'vitest';
import { every, FakeClock, pendingSystemTimers, systemClock } from './clock.js';

describe('FakeClock', () => {
  it('fires timers in order only when time advances', async () => {
    const clock = new FakeClock(0);
    const fired: string[] = [];
    clock.setTimeout(() => fired.push('b'), 200);
    clock.setTimeout(() => fired.push('a'), 100);
    const h = clock.setTimeout(() => fired.push('never'), 150);
    clock.clearTimeout(h);
    await clock.advance(99);
    expect(fired).toEqual([]);
    await clock.advance(150);
    expect(fired).toEqual(['a', 'b']);
    expect(clock.now()).toBe(249);
  });
  it('resolves sleeps and rejects aborted ones', async () => {
    const clock = new FakeClock(0);
    let done = false;
    const p = clock.sleep(1000).then(() => (done = true));
    await clock.advance(999);
    expect(done).toBe(false);
    await clock.advance(1);
    await p;
    expect(done).toBe(true);
    const ac = new AbortController();
    const q = clock.sleep(1000, ac.signal);
    ac.abort(new Error('stop'));
    await expect(q).rejects.toThrow('stop');
  });
});

describe('every', () => {
  it('runs every interval, one timer at a time, and never after stop (even when stopped from a run)', async () => {
    const clock = new FakeClock(0);
    const at: number[] = [];
    const t = every(clock, 100, () => {
      at.push(clock.now());
      if (at.length === 3) t.stop();
    });
    await clock.advance(99);
    expect(at).toEqual([]);
    await clock.advance(1000);
    expect(at).toEqual([100, 200, 300]);

    const runs: number[] = [];
    const u = every(clock, 50, () => runs.push(clock.now()));
    await clock.advance(120);
    u.stop();
    await clock.advance(500);
    expect(runs).toEqual([1149, 1199]);
  });
});

describe('systemClock', () => {
  it('forgets a timer once it fired or was cleared (loops must not grow its table)', async () => {
    const before = pendingSystemTimers();
    let fired!: () => void;
    const done = new Promise<void>((resolve) => (fired = resolve));
    systemClock.setTimeout(() => fired(), 0);
    expect(pendingSystemTimers()).toBe(before + 1);
    await done;
    expect(pendingSystemTimers()).toBe(before);
    const cleared = systemClock.setTimeout(() => undefined, 60_000);
    expect(pendingSystemTimers()).toBe(before + 1);
    systemClock.clearTimeout(cleared);
    expect(pendingSystemTimers()).toBe(before);
  });
});
