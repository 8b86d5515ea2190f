/**
 * The one bounded-concurrency pool: at most N tasks in flight, the rest wait in order. {@link WorkQueue}
 * is the long-lived form (items keep arriving; the scheduler's event writer), {@link runPool} the
 * one-shot form over a list (a model's file downloads, a reconcile pass's writes).
 */

/** A FIFO of items run by `run` with at most `limit` (at least 1) in flight at any time. */
export class WorkQueue<T> {
  private readonly queue: T[] = [];
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
    return this.queue.length;
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
    const k = Math.max(0, Math.min(n, this.queue.length));
    this.queue.splice(0, k);
    return k;
  }

  /** Resolves once nothing is in flight or waiting. */
  idle(): Promise<void> {
    if (this.running === 0 && this.queue.length === 0) return Promise.resolve();
    return new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  private pump(): void {
    const limit = Math.max(1, this.limit);
    while (this.running < limit && this.queue.length > 0) {
      const item = this.queue.shift() as T;
      this.running += 1;
      let task: Promise<unknown>;
      try {
        task = this.run(item);
      } catch (err) {
        task = Promise.reject(err);
      }
      void task
        .catch((err: unknown) => this.onError?.(err, item))
        .finally(() => {
          this.running -= 1;
          this.pump();
          if (this.running === 0 && this.queue.length === 0) {
            const waiters = this.idleWaiters;
            this.idleWaiters = [];
            for (const w of waiters) w();
          }
        });
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
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let failed: { err: unknown } | undefined;
  const queue: WorkQueue<T> = new WorkQueue(limit, async (item) => {
    try {
      await fn(item);
    } catch (err) {
      failed ??= { err };
      queue.dropOldest(Number.POSITIVE_INFINITY);
    }
  });
  queue.push(items);
  await queue.idle();
  if (failed) throw failed.err;
}
