/**
 * The one bounded-concurrency pool: at most N tasks in flight, the rest wait in order. {@link WorkQueue}
 * is the long-lived form (items keep arriving; the scheduler's event writer), {@link runPool} the
 * one-shot form over a list (a model's file downloads, a reconcile pass's writes).
 */

/** A FIFO of items run by `run` with at most `limit` (at least 1) in flight at any time. */
export class WorkQueue<T> {
  /** Waiting items are `queue[head..]`: taking one moves `head` (Array#shift is O(n) on long queues). */
  private queue: T[] = [];
  private head = 0;
  private running = 0;
  private idleWaiters: (() => void)[] = [];

  /**
   * @param run does the work of one item; it starts as soon as a slot is free.
   * @param onError hears a `run` that failed (the queue itself carries on); without it failures are dropped,
   *   so a `run` that matters handles its own errors.
   */
  constructor(
    private readonly limit: number,
    private readonly run: (item: T) => Promise<unknown>,
    private readonly onError?: (err: unknown, item: T) => void,
  ) {}

  /** Items waiting for a slot (not counting those in flight). */
  get waiting(): number {
    return this.queue.length - this.head;
  }

  /** Items in flight. */
  get active(): number {
    return this.running;
  }

  /** Queues `items` in order and starts as many as there are free slots. */
  push(items: readonly T[]): void {
    for (const item of items) this.queue.push(item);
    this.pump();
  }

  /** Drops up to `n` of the oldest waiting items (never those in flight); returns how many it dropped. */
  dropOldest(n: number): number {
    const k = Math.max(0, Math.min(n, this.waiting));
    this.head += k;
    this.compact();
    return k;
  }

  /** Resolves once nothing is in flight or waiting. */
  idle(): Promise<void> {
    if (this.running === 0 && this.waiting === 0) return Promise.resolve();
    return new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  private pump(): void {
    const limit = Math.max(1, this.limit);
    // A worker takes its first item synchronously, so each turn of this loop fills one slot.
    while (this.running < limit && this.waiting > 0) {
      this.running += 1;
      void this.worker();
    }
  }

  /** One slot: runs waiting items one after another (one promise per slot, not per item: cheap). */
  private async worker(): Promise<void> {
    try {
      while (this.waiting > 0) {
        const item = this.queue[this.head] as T;
        this.head += 1;
        this.compact();
        try {
          await this.run(item);
        } catch (err) {
          this.onError?.(err, item);
        }
      }
    } finally {
      this.running -= 1;
      this.pump(); // only does something when onError threw out of the loop
      if (this.running === 0 && this.waiting === 0) {
        const waiters = this.idleWaiters;
        this.idleWaiters = [];
        for (const w of waiters) w();
      }
    }
  }

  /** Lets go of taken items once they are most of the array (amortised O(1) per item). */
  private compact(): void {
    if (this.head === this.queue.length) {
      this.queue = [];
      this.head = 0;
    } else if (this.head >= 1024 && this.head * 2 >= this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }
}

/**
 * Runs `fn` over `items` in order with at most `limit` (at least 1) in flight. The first failure stops
 * new starts; once the ones in flight have settled it is thrown.
 */
export async function runPool<T>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<unknown>,
): Promise<void> {
  let failed: { err: unknown } | undefined;
  const queue: WorkQueue<T> = new WorkQueue(limit, fn, (err) => {
    failed ??= { err };
    queue.dropOldest(Number.POSITIVE_INFINITY);
  });
  queue.push(items);
  await queue.idle();
  if (failed) throw failed.err;
}
