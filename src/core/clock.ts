/** Time as a dependency: every loop takes a Clock so tests can run it under a fake one. */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
  /** Resolves after `ms`, or rejects with the signal's reason when aborted. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export interface TimerHandle {
  readonly id: number;
}

let nextId = 1;

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(fn, ms) {
    const id = nextId++;
    // A fired timer leaves the map too: long-running loops (probes, heartbeats) must not grow it forever.
    const t = setTimeout(() => {
      timers.delete(id);
      fn();
    }, ms);
    t.unref?.();
    timers.set(id, t);
    return { id };
  },
  clearTimeout(handle) {
    const t = timers.get(handle.id);
    if (t) clearTimeout(t);
    timers.delete(handle.id);
  },
  sleep(ms, signal) {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const t = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = () => {
        clearTimeout(t);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  },
};
const timers = new Map<number, ReturnType<typeof setTimeout>>();

/** Timers of `systemClock` set and not yet fired or cleared (for tests). */
export function pendingSystemTimers(): number {
  return timers.size;
}

/** A clock that only moves when told to. */
export class FakeClock implements Clock {
  private current: number;
  private pending: { id: number; at: number; fn: () => void }[] = [];

  constructor(start = Date.parse('2026-01-01T00:00:00Z')) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const id = nextId++;
    this.pending.push({ id, at: this.current + Math.max(0, ms), fn });
    return { id };
  }

  clearTimeout(handle: TimerHandle): void {
    this.pending = this.pending.filter((p) => p.id !== handle.id);
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const onAbort = () => {
        this.clearTimeout(h);
        reject(signal?.reason);
      };
      // Long loops sleep many times on one signal: a finished sleep must not leave its listener behind.
      const h = this.setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Moves time forward, firing due timers in order (and letting promise callbacks run between them). */
  async advance(ms: number): Promise<void> {
    const target = this.current + ms;
    for (;;) {
      this.pending.sort((a, b) => a.at - b.at);
      const next = this.pending[0];
      if (!next || next.at > target) break;
      this.pending.shift();
      this.current = next.at;
      next.fn();
      await new Promise((r) => setImmediate(r));
    }
    this.current = target;
    await new Promise((r) => setImmediate(r));
  }

  pendingTimers(): number {
    return this.pending.length;
  }
}

/** A loop started by `every`. */
export interface Ticker {
  /** Cancels the next run (a run in progress finishes); no run starts after this. */
  stop(): void;
}

/**
 * Calls `fn` every `ms` on `clock` until stopped. The next run is timed from the call of the previous one
 * (one timer at a time), so a loop never stacks timers however long `fn` takes to return.
 */
export function every(clock: Clock, ms: number, fn: () => void): Ticker {
  let stopped = false;
  let timer: TimerHandle | undefined;
  const tick = () => {
    fn();
    if (!stopped) timer = clock.setTimeout(tick, ms);
  };
  timer = clock.setTimeout(tick, ms);
  return {
    stop() {
      stopped = true;
      if (timer) clock.clearTimeout(timer);
    },
  };
}
