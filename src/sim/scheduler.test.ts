import { describe, expect, it } from 'vitest';
import { SimScheduler } from './scheduler.js';

const req = (blocks: number, name = '') => ({ blocks, name });

describe('SimScheduler', () => {
  it('runs up to maxNumSeqs, queues the rest FIFO, refuses beyond maxWaiting', () => {
    const s = new SimScheduler<ReturnType<typeof req>>(2, 2, 100);
    const [a, b, c, d, e] = [req(1, 'a'), req(1, 'b'), req(1, 'c'), req(1, 'd'), req(1, 'e')];
    expect(s.submit(a)).toBe('running');
    expect(s.submit(b)).toBe('running');
    expect(s.submit(c)).toBe('waiting');
    expect(s.submit(d)).toBe('waiting');
    expect(s.submit(e)).toBe('rejected');
    expect([s.runningCount, s.waitingCount]).toEqual([2, 2]);
    expect(s.release(a)).toEqual([c]);
    expect(s.release(b)).toEqual([d]);
    expect([s.runningCount, s.waitingCount]).toEqual([2, 0]);
  });

  it('admits by KV blocks and keeps strict FIFO order', () => {
    const s = new SimScheduler<ReturnType<typeof req>>(10, 10, 10);
    const big = req(8, 'big');
    const head = req(5, 'head');
    const small = req(1, 'small');
    expect(s.submit(big)).toBe('running');
    expect(s.submit(head)).toBe('waiting');
    // Fits in the 2 free blocks, but someone waits before it.
    expect(s.submit(small)).toBe('waiting');
    expect(s.reservedBlocks).toBe(8);
    expect(s.release(big)).toEqual([head, small]);
    expect(s.reservedBlocks).toBe(6);
  });

  it('cancels waiting requests and ignores unknown ones', () => {
    const s = new SimScheduler<ReturnType<typeof req>>(1, 5, 10);
    const a = req(1);
    const b = req(1);
    const c = req(1);
    s.submit(a);
    s.submit(b);
    s.submit(c);
    expect(s.release(b)).toEqual([]);
    expect(s.waitingCount).toBe(1);
    expect(s.release(a)).toEqual([c]);
    expect(s.release(a)).toEqual([]);
    expect(s.drainWaiting()).toEqual([]);
  });

  it('clamps a request larger than the cache so it can run alone', () => {
    const s = new SimScheduler(4, 4, 10);
    expect(s.blocksFor(1000, 16)).toBe(10);
    expect(s.blocksFor(0, 16)).toBe(1);
    expect(s.blocksFor(17, 16)).toBe(2);
    expect(s.submit({ blocks: s.blocksFor(1000, 16) })).toBe('running');
    expect(s.submit({ blocks: 1 })).toBe('waiting');
  });

  it('never runs more than maxNumSeqs under random load', () => {
    const s = new SimScheduler<{ blocks: number }>(3, 50, 20);
    const live: { blocks: number }[] = [];
    let seed = 7;
    const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
    for (let i = 0; i < 2000; i++) {
      if (rnd() < 0.55) {
        const r = { blocks: 1 + Math.floor(rnd() * 8) };
        if (s.submit(r) !== 'rejected') live.push(r);
      } else if (live.length > 0) {
        const [r] = live.splice(Math.floor(rnd() * live.length), 1);
        if (r) s.release(r);
      }
      expect(s.runningCount).toBeLessThanOrEqual(3);
      expect(s.reservedBlocks).toBeLessThanOrEqual(20);
      expect(s.waitingCount).toBeLessThanOrEqual(50);
    }
  });
});
