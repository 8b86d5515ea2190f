/**
 * One download per model per node: replicas that need the same model (source, name, revision) while it is
 * being fetched join the running download instead of starting their own. Each replica still publishes its
 * own progress key. A replica whose signal fires stops waiting at once; the download itself is cancelled
 * only when no replica waits for it any more.
 */
import type { Clock } from '../../core/clock.js';
import type { DownloadProgress, ModelSource } from '../../core/domain/index.js';
import { errorMessage } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { Store } from '../../store/types.js';
import { CacheError, cancelled } from './errors.js';
import type { DownloadOutcome } from './download-model.js';
import { ProgressPublisher, ProgressTracker, type ProgressSnapshot } from './progress.js';

export interface JoinRequest {
  modelUid: string;
  replicaId: number;
  signal: AbortSignal;
  onProgress?: (p: DownloadProgress) => void;
}

export interface SharedDownloadDeps {
  store: Store;
  clock: Clock;
  logger?: Logger;
  nodeId: string;
  progressIntervalMs: number;
  progressTtlSeconds: number;
}

export class SharedDownload {
  readonly tracker: ProgressTracker;
  readonly controller = new AbortController();
  readonly promise: Promise<DownloadOutcome>;
  private waiters = 0;
  private settled = false;

  constructor(
    private readonly deps: SharedDownloadDeps,
    readonly modelName: string,
    readonly source: Exclude<ModelSource, 'local'>,
    run: (signal: AbortSignal, tracker: ProgressTracker) => Promise<DownloadOutcome>,
  ) {
    this.tracker = new ProgressTracker(deps.clock);
    this.promise = run(this.controller.signal, this.tracker).then(
      (out) => {
        this.settled = true;
        const s = this.tracker.snapshot;
        this.tracker.update({ phase: 'complete', bytes_done: s.bytes_total, files_done: s.files_total });
        return out;
      },
      (err: unknown) => {
        this.settled = true;
        const isCancel =
          this.controller.signal.aborted || (err instanceof CacheError && err.code === 'DOWNLOAD_CANCELLED');
        this.tracker.update({ phase: isCancel ? 'cancelled' : 'failed', error: errorMessage(err) });
        throw err;
      },
    );
    // Waiters handle the rejection; this keeps an unobserved one from crashing the process.
    this.promise.catch(() => undefined);
  }

  get waiting(): number {
    return this.waiters;
  }

  /**
   * Waits for the download without a replica (a pre-pull): no progress key of its own, the caller gets
   * the tracker's snapshots. Counts as a waiter, so a replica joining later shares the same download and
   * a pull aborted alone cancels it.
   */
  async follow(req: {
    signal: AbortSignal;
    onProgress?: (s: ProgressSnapshot) => void;
  }): Promise<DownloadOutcome> {
    return this.asWaiter(req.signal, async (outcome) => {
      const unsubscribe = req.onProgress ? this.tracker.subscribe(req.onProgress) : () => undefined;
      try {
        return await outcome();
      } finally {
        unsubscribe();
      }
    });
  }

  /** Waits for the download on behalf of one replica, publishing that replica's progress. */
  async join(req: JoinRequest): Promise<DownloadOutcome> {
    return this.asWaiter(req.signal, async (outcome) => {
      const pubOpts: ConstructorParameters<typeof ProgressPublisher>[2] = {
        clock: this.deps.clock,
        minIntervalMs: this.deps.progressIntervalMs,
        ttlSeconds: this.deps.progressTtlSeconds,
      };
      if (this.deps.logger) pubOpts.logger = this.deps.logger;
      if (req.onProgress) pubOpts.onProgress = req.onProgress;
      const pub = new ProgressPublisher(
        this.deps.store,
        {
          nodeId: this.deps.nodeId,
          modelUid: req.modelUid,
          replicaId: req.replicaId,
          modelName: this.modelName,
          source: this.source,
        },
        pubOpts,
      );
      const unsubscribe = this.tracker.subscribe((s) => pub.update(s));
      try {
        const out = await outcome();
        unsubscribe();
        await pub.finish({ ...this.tracker.snapshot, phase: 'complete' });
        return out;
      } catch (err) {
        unsubscribe();
        const phase =
          req.signal.aborted || (err instanceof CacheError && err.code === 'DOWNLOAD_CANCELLED')
            ? 'cancelled'
            : 'failed';
        await pub.finish({ ...this.tracker.snapshot, phase, error: errorMessage(err) });
        throw err;
      }
    });
  }

  /**
   * Runs `use` as one waiter of the download: `outcome()` settles with the download, or rejects at once
   * when `signal` fires (the download goes on for the others). When the last waiter leaves because its
   * own signal fired, the download is cancelled.
   */
  private async asWaiter<T>(
    signal: AbortSignal,
    use: (outcome: () => Promise<DownloadOutcome>) => Promise<T>,
  ): Promise<T> {
    if (signal.aborted) throw cancelled(this.modelName);
    this.waiters += 1;
    let onAbort: (() => void) | undefined;
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => reject(cancelled(this.modelName));
      signal.addEventListener('abort', onAbort, { once: true });
    });
    aborted.catch(() => undefined);
    try {
      return await use(() => Promise.race([this.promise, aborted]));
    } finally {
      if (onAbort) signal.removeEventListener('abort', onAbort);
      this.waiters -= 1;
      if (this.waiters === 0 && !this.settled && signal.aborted)
        this.controller.abort(cancelled(this.modelName));
    }
  }
}
