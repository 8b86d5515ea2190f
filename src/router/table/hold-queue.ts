/**
 * Requests held for a model that has no ready replica but will get one (an autoscaled model that is idle
 * or waking). Bounded per model; each waiter has a deadline; released in arrival order as soon as a
 * replica is ready. The router's faces never see the queue: a held ProxyCall simply starts later.
 */
export interface HeldRequest {
  /** A replica is ready: go on. */
  resume(): void;
  /** Not served: timed out, or the model went away. */
  expire(why: 'timeout' | 'gone'): void;
}

export interface HoldLimits {
  /** Most requests held per model; the next gets 503 + Retry-After. */
  maxHeld: number;
  /** How long one request may be held. */
  timeoutMs: number;
}

interface Entry {
  req: HeldRequest;
  timer: ReturnType<typeof setTimeout>;
}

export class HoldQueue {
  private readonly entries: Entry[] = [];

  get size(): number {
    return this.entries.length;
  }

  /** Holds `req`; false when the queue is full (the caller answers 503). Returns a handle that un-holds it. */
  add(req: HeldRequest, limits: HoldLimits): (() => void) | false {
    if (this.entries.length >= limits.maxHeld) return false;
    const entry: Entry = {
      req,
      timer: setTimeout(() => {
        if (this.remove(entry)) req.expire('timeout');
      }, limits.timeoutMs),
    };
    entry.timer.unref?.();
    this.entries.push(entry);
    return () => void this.remove(entry);
  }

  /** Every held request goes on, oldest first. */
  release(): void {
    const all = this.entries.splice(0);
    for (const e of all) {
      clearTimeout(e.timer);
      e.req.resume();
    }
  }

  /** The model is gone: every held request ends. */
  drop(): void {
    const all = this.entries.splice(0);
    for (const e of all) {
      clearTimeout(e.timer);
      e.req.expire('gone');
    }
  }

  private remove(entry: Entry): boolean {
    const i = this.entries.indexOf(entry);
    if (i < 0) return false;
    this.entries.splice(i, 1);
    clearTimeout(entry.timer);
    return true;
  }
}
