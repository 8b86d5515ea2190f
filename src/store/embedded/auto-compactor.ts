import type { Clock, TimerHandle } from '../../core/clock.js';
import { errorMessage } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';

/** Periodic compaction keeping the last `retainRevisions` revisions (etcd's "revision" auto-compaction mode). */
export interface AutoCompactOptions {
  /** How often to compact (ms); default 5 minutes. */
  intervalMs?: number;
  /** Revisions of history to keep for watches that resume; default 10000. */
  retainRevisions?: number;
}

export const DEFAULT_AUTO_COMPACT = { intervalMs: 300_000, retainRevisions: 10_000 } as const;

/**
 * Keeps the history log bounded: without it, every heartbeat rewrite would stay in the log forever. A
 * watcher further behind than the retained window gets CompactedError and relists (the Informer does).
 */
export class AutoCompactor {
  private timer: TimerHandle | undefined;
  private stopped = false;
  private readonly intervalMs: number;
  private readonly retain: number;

  constructor(
    private readonly clock: Clock,
    opts: AutoCompactOptions,
    private readonly target: { revision(): Promise<number>; compact(revision: number): Promise<void> },
    private readonly logger: Logger | undefined,
  ) {
    this.intervalMs = opts.intervalMs ?? DEFAULT_AUTO_COMPACT.intervalMs;
    this.retain = opts.retainRevisions ?? DEFAULT_AUTO_COMPACT.retainRevisions;
    this.schedule();
  }

  private schedule(): void {
    if (this.stopped || this.intervalMs <= 0) return;
    this.timer = this.clock.setTimeout(() => void this.tick(), this.intervalMs);
  }

  private async tick(): Promise<void> {
    try {
      const upTo = (await this.target.revision()) - this.retain;
      if (upTo > 0) await this.target.compact(upTo);
    } catch (err) {
      if (!this.stopped) this.logger?.warn({ err: errorMessage(err) }, 'auto-compaction failed');
    }
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) this.clock.clearTimeout(this.timer);
  }
}
