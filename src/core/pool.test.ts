import { describe, expect, it } from 'vitest';
import { runPool, WorkQueue } from './pool.js';

/** A task that stays pending until released, recording how many run at once. */
function gate() {
  let inFlight = 0;
  let peak = 0;
  const started: number[] = [];
  const releases: (() => void)[] = [];
  const fn = (n: number): Promise<void> => {
    started.push(n);
    inFlight += 1;
    peak = Math.max(peak, inFlight);
    return new Promise<void>((resolve) =>
      releases.push(() => {
        inFlight -= 1;
        resolve();
      }),
    );
  };
  const releaseAll = async (): Promise<void> => {
    while (releases.length > 0) {
      releases.shift()?.();
      await new Promise((r) => setImmediate(r));
    }
  };
  return { fn, started, releaseAll, peak: () => peak, inFlight: () => inFlight };
}

describe('runPool', () => {
  it('runs every item in order with at most `limit` in flight', async () => {
    const g = gate();
    const done = runPool([1, 2, 3, 4, 5, 6, 7], 3, g.fn);
    expect(g.started).toEqual([1, 2, 3]);
    await g.releaseAll();
    await done;
    expect(g.started).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(g.peak()).toBe(3);
  });

  it('treats a limit under 1 as 1 and an empty list as done', async () => {
    const g = gate();
    const done = runPool(['a', 'b'], 0, (s) => g.fn(s.length));
    expect(g.started).toHaveLength(1);
    await g.releaseAll();
    await done;
    expect(g.peak()).toBe(1);
    await expect(runPool([], 4, () => Promise.reject(new Error('never')))).resolves.toBeUndefined();
  });

  it('stops starting items after the first failure and throws it once the others settle', async () => {
    const seen: number[] = [];
    let settled = 0;
    const err = runPool([1, 2, 3, 4, 5, 6], 2, async (n) => {
      seen.push(n);
      if (n === 2) throw new Error('boom 2');
      await new Promise((r) => setTimeout(r, 10));
      settled += 1;
    });
    await expect(err).rejects.toThrow('boom 2');
    expect(seen).toEqual([1, 2]);
    expect(settled).toBe(1); // item 1 finished before the error came out
  });
});

describe('WorkQueue', () => {
  it('keeps taking items as they arrive, drops the oldest waiting ones on demand, and reports idle', async () => {
    const g = gate();
    const failures: unknown[] = [];
    const q = new WorkQueue<number>(2, g.fn, (e) => failures.push(e));
    q.push([1, 2, 3]);
    q.push([4, 5]);
    expect(g.started).toEqual([1, 2]);
    expect([q.active, q.waiting]).toEqual([2, 3]);
    expect(q.dropOldest(2)).toBe(2); // 3 and 4 never run
    const idle = q.idle();
    await g.releaseAll();
    await idle;
    expect(g.started).toEqual([1, 2, 5]);
    expect([q.active, q.waiting]).toEqual([0, 0]);
    expect(failures).toEqual([]);
    await q.idle(); // already idle: resolves at once
  });

  it('hands failures (thrown or rejected) to onError and carries on', async () => {
    const failures: [string, number][] = [];
    const q = new WorkQueue<number>(
      1,
      (n) => {
        if (n === 1) throw new Error('sync');
        return n === 2 ? Promise.reject(new Error('async')) : Promise.resolve();
      },
      (e, n) => failures.push([(e as Error).message, n]),
    );
    q.push([1, 2, 3]);
    await q.idle();
    expect(failures).toEqual([
      ['sync', 1],
      ['async', 2],
    ]);
  });
});
