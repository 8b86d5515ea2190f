/**
 * Lifecycle events are written behind the plans, a few at a time, so that a burst of thousands of
 * decisions does not wait on (or compete with) its own events. Bounded: when the store cannot keep up
 * the oldest events are dropped and counted.
 */
import { errorMessage } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { WorkQueue } from '../../core/pool.js';
import type { EventRecorder, NewModelEvent } from '../../store/events.js';

export class EventQueue {
  private readonly queue: WorkQueue<NewModelEvent>;
  dropped = 0;

  constructor(
    recorder: EventRecorder,
    private readonly opts: { concurrency?: number; maxQueued?: number; logger?: Logger | undefined } = {},
  ) {
    this.queue = new WorkQueue(
      opts.concurrency ?? 8,
      (e) => recorder.record(e),
      (err, e) =>
        opts.logger?.warn({ err: errorMessage(err), model_uid: e.model_uid }, 'could not record event'),
    );
  }

  push(events: readonly NewModelEvent[]): void {
    // Over the bound, the oldest go first: those already waiting, then the oldest of this batch.
    const over = this.queue.waiting + events.length - (this.opts.maxQueued ?? 20_000);
    if (over > 0) {
      const fromBatch = over - this.queue.dropOldest(over);
      this.dropped += over;
      this.opts.logger?.warn({ dropped: over }, 'event queue full; dropped the oldest events');
      this.queue.push(events.slice(fromBatch));
    } else {
      this.queue.push(events);
    }
  }

  /** Resolves when every queued event has been written (or failed), or after `timeoutMs`. */
  async drain(timeoutMs: number): Promise<void> {
    if (this.queue.active === 0 && this.queue.waiting === 0) return;
    await Promise.race([
      this.queue.idle(),
      new Promise<void>((resolve) => setTimeout(resolve, timeoutMs).unref()),
    ]);
  }
}
