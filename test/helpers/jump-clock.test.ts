import { describe, expect, it } from 'vitest';
import { JumpClock } from './jump-clock.js';
import { waitFor } from './wait-for.js';

describe('JumpClock', () => {
  it('runs in real time, and a jump fires what came due, earliest first', async () => {
    const clock = new JumpClock();
    const fired: string[] = [];
    const t0 = clock.now();
    expect(Math.abs(t0 - Date.now())).toBeLessThan(50);
    clock.setTimeout(() => fired.push('b'), 20_000);
    clock.setTimeout(() => fired.push('a'), 10_000);
    const never = clock.setTimeout(() => fired.push('never'), 15_000);
    clock.setTimeout(() => fired.push('later'), 60_000);
    clock.clearTimeout(never);
    clock.setTimeout(() => fired.push('soon'), 10);
    await waitFor(() => fired.includes('soon'), { timeoutMs: 2000, intervalMs: 5 });

    await clock.jump(30_000);
    expect(fired).toEqual(['soon', 'a', 'b']);
    expect(clock.now() - Date.now()).toBeGreaterThanOrEqual(29_990);
  });

  it('keeps a timer not yet due at its clock time: it fires that much sooner in real time', async () => {
    const clock = new JumpClock();
    let fired = false;
    const start = Date.now();
    clock.setTimeout(() => (fired = true), 10_100);
    await clock.jump(10_000);
    expect(fired).toBe(false);
    await waitFor(() => fired, { timeoutMs: 3000, intervalMs: 5 });
    expect(Date.now() - start).toBeLessThan(3000);
  });

  it('sleeps on its time and stops sleeping on abort', async () => {
    const clock = new JumpClock();
    let woke = false;
    const p = clock.sleep(5_000).then(() => (woke = true));
    await clock.jump(5_000);
    await p;
    expect(woke).toBe(true);
    const ac = new AbortController();
    const q = clock.sleep(5_000, ac.signal);
    ac.abort(new Error('stop'));
    await expect(q).rejects.toThrow('stop');
  });
});
