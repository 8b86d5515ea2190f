import type { Clock, TimerHandle } from '../../src/core/clock.js';

let nextId = 1;

/**
 * A clock that runs in real time and that a test can also move ahead at once, firing what came due.
 *
 * For components that also hold real-time state outside the process: a scheduler on real etcd must keep
 * renewing its leases as the seconds pass (the store expires them in real time), so the frozen
 * `FakeClock` cannot drive it; but a "nothing happens for N grace periods" check need not wait N grace
 * periods: `jump(ms)` fires every timer due within `ms` (in order, letting promise callbacks run between
 * them) and from then on `now()` reads `ms` later than the system clock.
 */
export class JumpClock implements Clock {
  private offset = 0;
  private readonly pending = new Map<
    number,
    { at: number; fn: () => void; timer: ReturnType<typeof setTimeout> }
  >();

  now(): number {
    return Date.now() + this.offset;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = nextId++;
    const at = this.now() + Math.max(0, ms);
    this.pending.set(id, { at, fn, timer: this.arm(id, at, fn) });
    return { id };
  }

  /** The real timer behind a pending one, due when `now()` reaches `at`. */
  private arm(id: number, at: number, fn: () => void): ReturnType<typeof setTimeout> {
    const timer = setTimeout(
      () => {
        this.pending.delete(id);
        fn();
      },
      Math.max(0, at - this.now()),
    );
    // Like the system clock's timers: a pending timer does not keep the process alive.
    timer.unref?.();
    return timer;
  }

  clearTimeout(handle: TimerHandle): void {
    const p = this.pending.get(handle.id);
    if (!p) return;
    clearTimeout(p.timer);
    this.pending.delete(handle.id);
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const onAbort = () => {
        this.clearTimeout(h);
        reject(signal?.reason);
      };
      const h = this.setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /**
   * Moves time `ms` ahead: fires the timers now due, earliest first (and those they set that are due);
   * the others stay due at the same clock time, so they also fire `ms` sooner in real time.
   */
  async jump(ms: number): Promise<void> {
    this.offset += Math.max(0, ms);
    for (;;) {
      const now = this.now();
      let next: [number, { at: number; fn: () => void; timer: ReturnType<typeof setTimeout> }] | undefined;
      for (const entry of this.pending)
        if (entry[1].at <= now && (!next || entry[1].at < next[1].at)) next = entry;
      if (!next) break;
      const [id, p] = next;
      clearTimeout(p.timer);
      this.pending.delete(id);
      p.fn();
      await new Promise((r) => setImmediate(r));
    }
    // What is not due yet comes `ms` sooner in real time too.
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.timer = this.arm(id, p.at, p.fn);
    }
    await new Promise((r) => setImmediate(r));
  }
}
