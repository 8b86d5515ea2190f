import { describe, expect, it } from 'vitest';
import type { EventRecorder, NewModelEvent } from '../../store/events.js';
import { EventQueue } from './event-queue.js';

const ev = (n: number): NewModelEvent => ({
  model_uid: `m${n}`,
  type: 'scheduled',
  message: `event ${n}`,
  source: 'scheduler',
});

/** A recorder whose writes stay pending until released; a fake store for the queue's bookkeeping only. */
function slowRecorder() {
  const started: string[] = [];
  const releases: (() => void)[] = [];
  const recorder = {
    record: (e: NewModelEvent) => {
      started.push(e.model_uid);
      return new Promise<void>((resolve) => releases.push(resolve));
    },
  } as unknown as EventRecorder;
  const releaseAll = async (): Promise<void> => {
    while (releases.length > 0) {
      releases.shift()?.();
      await new Promise((r) => setImmediate(r));
    }
  };
  return { recorder, started, releaseAll };
}

describe('EventQueue', () => {
  it('writes a few at a time and, over its bound, drops the oldest waiting events first', async () => {
    const r = slowRecorder();
    const q = new EventQueue(r.recorder, { concurrency: 1, maxQueued: 2 });
    q.push([ev(1), ev(2), ev(3), ev(4), ev(5)]);
    expect(q.dropped).toBe(3);
    expect(r.started).toEqual(['m4']);
    q.push([ev(6), ev(7)]); // waiting: m5, m6, m7 -> m5 goes
    expect(q.dropped).toBe(4);
    await r.releaseAll();
    await q.drain(1000);
    expect(r.started).toEqual(['m4', 'm6', 'm7']);
  });

  it('drains at once when idle and gives up after its timeout when the store hangs', async () => {
    const r = slowRecorder();
    const q = new EventQueue(r.recorder, { concurrency: 2 });
    await q.drain(60_000);
    q.push([ev(1)]);
    const t0 = Date.now();
    await q.drain(30);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(25);
    await r.releaseAll();
  });
});
