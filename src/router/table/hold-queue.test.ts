import { afterEach, describe, expect, it, vi } from 'vitest';
import { HoldQueue, type HeldRequest } from './hold-queue.js';

const limits = { maxHeld: 3, timeoutMs: 1000 };
function req(log: string[], name: string): HeldRequest {
  return { resume: () => log.push(`${name}:go`), expire: (why) => log.push(`${name}:${why}`) };
}

describe('HoldQueue', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('releases held requests in arrival order', () => {
    const log: string[] = [];
    const q = new HoldQueue();
    for (const n of ['a', 'b', 'c']) expect(q.add(req(log, n), limits)).not.toBe(false);
    q.release();
    expect(log).toEqual(['a:go', 'b:go', 'c:go']);
    expect(q.size).toBe(0);
  });

  it('refuses past maxHeld, and a removed request frees its place', () => {
    const log: string[] = [];
    const q = new HoldQueue();
    const handles = ['a', 'b', 'c'].map((n) => q.add(req(log, n), limits));
    expect(q.add(req(log, 'd'), limits)).toBe(false);
    const unhold = handles[1];
    if (unhold === false || unhold === undefined) throw new Error('held');
    unhold();
    expect(q.add(req(log, 'e'), limits)).not.toBe(false);
    q.release();
    expect(log).toEqual(['a:go', 'c:go', 'e:go']);
  });

  it('expires a request at its deadline and ends every one when the model goes', () => {
    vi.useFakeTimers();
    const log: string[] = [];
    const q = new HoldQueue();
    q.add(req(log, 'a'), limits);
    vi.advanceTimersByTime(500);
    q.add(req(log, 'b'), limits);
    vi.advanceTimersByTime(500);
    expect(log).toEqual(['a:timeout']);
    q.drop();
    expect(log).toEqual(['a:timeout', 'b:gone']);
    vi.advanceTimersByTime(5000);
    expect(log).toHaveLength(2);
  });
});
