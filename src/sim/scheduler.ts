/**
 * Admission like a continuous-batching engine: at most `maxNumSeqs` requests run, each reserving the KV
 * blocks it will fill; the rest wait in arrival order (strict FIFO: a large request at the head is not
 * overtaken); beyond `maxWaiting` waiting requests, new ones are refused. Pure state, no timers.
 */
export interface ScheduledRequest {
  /** KV blocks the request holds once running (prompt + output, clamped to the cache size). */
  readonly blocks: number;
}

export type SubmitResult = 'running' | 'waiting' | 'rejected';

export class SimScheduler<R extends ScheduledRequest = ScheduledRequest> {
  private readonly runningSet = new Set<R>();
  // A Set keeps insertion order and deletes in O(1): a FIFO queue that cancellation can cut into.
  private readonly waitingSet = new Set<R>();
  private reserved = 0;

  constructor(
    readonly maxNumSeqs: number,
    readonly maxWaiting: number,
    readonly totalBlocks: number,
  ) {}

  get running(): ReadonlySet<R> {
    return this.runningSet;
  }

  get runningCount(): number {
    return this.runningSet.size;
  }

  get waitingCount(): number {
    return this.waitingSet.size;
  }

  get reservedBlocks(): number {
    return this.reserved;
  }

  /** Blocks a request of `tokens` tokens needs, never more than the whole cache (it then runs alone). */
  blocksFor(tokens: number, blockSize: number): number {
    return Math.min(this.totalBlocks, Math.max(1, Math.ceil(tokens / blockSize)));
  }

  /** Runs the request now if it fits and nobody waits before it, queues it, or refuses it. */
  submit(req: R): SubmitResult {
    if (this.waitingSet.size === 0 && this.fits(req)) {
      this.start(req);
      return 'running';
    }
    if (this.waitingSet.size >= this.maxWaiting) return 'rejected';
    this.waitingSet.add(req);
    return 'waiting';
  }

  /**
   * Removes a finished or cancelled request (running or waiting) and returns the waiting requests that
   * now run, in order; the caller starts them.
   */
  release(req: R): R[] {
    if (this.waitingSet.delete(req)) return [];
    if (!this.runningSet.delete(req)) return [];
    this.reserved -= req.blocks;
    const started: R[] = [];
    for (const next of this.waitingSet) {
      if (!this.fits(next)) break;
      this.waitingSet.delete(next);
      this.start(next);
      started.push(next);
    }
    return started;
  }

  /** Drops every waiting request (shutdown) and returns them. */
  drainWaiting(): R[] {
    const all = [...this.waitingSet];
    this.waitingSet.clear();
    return all;
  }

  private fits(req: R): boolean {
    return this.runningSet.size < this.maxNumSeqs && this.reserved + req.blocks <= this.totalBlocks;
  }

  private start(req: R): void {
    this.runningSet.add(req);
    this.reserved += req.blocks;
  }
}
