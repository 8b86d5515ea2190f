/**
 * Lifecycle events are written behind the plans, a few at a time, so that a burst of thousands of
 * decisions does not wait on (or compete with) its own events. Bounded: when the store cannot keep up
 * the oldest events are dropped and counted.
 */
import { errorMessage } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { EventRecorder, NewModelEvent } from '../store/events.js';

export class EventQueue {
  private readonly queue: NewModelEvent[] = [];
  private running = 0;
  private idleWaiters: (() => void)[] = [];
  dropped = 0;

  constructor(
    private readonly recorder: EventRecorder,
    private readonly opts: { concurrency?: number; maxQueued?: number; logger?: Logger | undefined } = {},
  ) {}

  push(events: readonly NewModelEvent[]): void {
    for (const e of events) this.queue.push(e);
    const max = this.opts.maxQueued ?? 20_000;
    if (this.queue.length > max) {
      const n = this.queue.length - max;
      this.queue.splice(0, n);
      this.dropped += n;
      this.opts.logger?.warn({ dropped: n }, 'event queue full; dropped the oldest events');
    }
    this.pump();
  }

  /** Resolves when every queued event has been written (or failed), or after `timeoutMs`. */
  async drain(timeoutMs: number): Promise<void> {
    if (this.running === 0 && this.queue.length === 0) return;
    await Promise.race([
      new Promise<void>((resolve) => this.idleWaiters.push(resolve)),
      new Promise<void>((resolve) => setTimeout(resolve, timeoutMs).unref()),
    ]);
  }

  private pump(): void {
    const limit = this.opts.concurrency ?? 8;
    while (this.running < limit && this.queue.length > 0) {
      const e = this.queue.shift();
      if (!e) break;
      this.running += 1;
      this.recorder
        .record(e)
        .catch((err: unknown) =>
          this.opts.logger?.warn(
            { err: errorMessage(err), model_uid: e.model_uid },
            'could not record event',
          ),
        )
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
