/**
 * Download progress: `ProgressTracker` counts bytes and files of one model download (shared by every
 * replica waiting for it) and derives speed and ETA; `ProgressPublisher` writes one replica's
 * `/download_progress/{uid}/{replica}` key under a 30 s lease renewed while the download is active, at most
 * every `minIntervalMs` (phase changes go out at once).
 */
import type { Clock, TimerHandle } from '../../core/clock.js';
import { DownloadProgress, type DownloadPhase, type ModelSource } from '../../core/domain/index.js';
import { errorMessage } from '../../core/errors.js';
import { keys } from '../../core/keys.js';
import type { Logger } from '../../core/logger.js';
import { encode } from '../../store/json.js';
import { LeaseKeeper } from '../../store/lease-keeper.js';
import type { Store } from '../../store/types.js';

export interface ProgressSnapshot {
  phase: DownloadPhase;
  bytes_done: number;
  bytes_total: number;
  files_done: number;
  files_total: number;
  current_file?: string;
  speed_bps: number;
  eta_seconds?: number;
  attempt: number;
  error?: string;
  started_at: string;
}

/** Speed over a sliding window of samples (bytes per second), so it reacts within seconds. */
export function windowSpeed(
  samples: readonly { t: number; bytes: number }[],
  now: number,
  windowMs: number,
): number {
  const recent = samples.filter((s) => s.t >= now - windowMs);
  const first = recent[0];
  const last = recent[recent.length - 1];
  if (!first || !last || last.t <= first.t) return 0;
  return Math.max(0, ((last.bytes - first.bytes) * 1000) / (last.t - first.t));
}

export class ProgressTracker {
  private snap: ProgressSnapshot;
  private readonly samples: { t: number; bytes: number }[] = [];
  private done = 0;
  private file: string | undefined;
  private lastSampleAt = Number.NEGATIVE_INFINITY;
  private readonly listeners = new Set<(s: ProgressSnapshot) => void>();

  constructor(
    private readonly clock: Clock,
    private readonly windowMs = 5000,
    private readonly sampleMs = 100,
  ) {
    this.snap = {
      phase: 'pending',
      bytes_done: 0,
      bytes_total: 0,
      files_done: 0,
      files_total: 0,
      speed_bps: 0,
      attempt: 1,
      started_at: new Date(clock.now()).toISOString(),
    };
  }

  get snapshot(): ProgressSnapshot {
    return this.snap;
  }

  subscribe(fn: (s: ProgressSnapshot) => void): () => void {
    this.listeners.add(fn);
    fn(this.snap);
    return () => this.listeners.delete(fn);
  }

  private emit(): void {
    for (const fn of this.listeners) fn(this.snap);
  }

  update(patch: Partial<ProgressSnapshot>): void {
    if (patch.bytes_done !== undefined) this.done = patch.bytes_done;
    this.snap = { ...this.snap, ...patch, bytes_done: this.done };
    this.emit();
  }

  /**
   * Counts bytes. Called for every received chunk, so it only adds; speed, ETA and listeners are refreshed
   * at most every `sampleMs` (the publisher writes even less often).
   */
  addBytes(delta: number, file?: string): void {
    this.done = Math.min(this.snap.bytes_total, Math.max(0, this.done + delta));
    if (file !== undefined) this.file = file;
    const now = this.clock.now();
    if (delta < 0 || now - this.lastSampleAt >= this.sampleMs || this.done === this.snap.bytes_total)
      this.sample(now);
  }

  private sample(now: number): void {
    this.lastSampleAt = now;
    this.samples.push({ t: now, bytes: this.done });
    while (this.samples.length > 2 && (this.samples[0]?.t ?? now) < now - this.windowMs) this.samples.shift();
    const speed = windowSpeed(this.samples, now, this.windowMs);
    const next: ProgressSnapshot = { ...this.snap, bytes_done: this.done, speed_bps: Math.round(speed) };
    if (this.file !== undefined) next.current_file = this.file;
    if (speed > 0) next.eta_seconds = Math.round((this.snap.bytes_total - this.done) / speed);
    else delete next.eta_seconds;
    this.snap = next;
    this.emit();
  }
}

export interface ProgressIdentity {
  nodeId: string;
  modelUid: string;
  replicaId: number;
  modelName: string;
  source: ModelSource;
}

const TERMINAL: ReadonlySet<DownloadPhase> = new Set(['complete', 'failed', 'cancelled']);

export class ProgressPublisher {
  private keeper: LeaseKeeper | undefined;
  private latest: ProgressSnapshot | undefined;
  private lastWriteAt = 0;
  private lastPhase: DownloadPhase | undefined;
  private timer: TimerHandle | undefined;
  private writing: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly store: Store,
    private readonly id: ProgressIdentity,
    private readonly opts: {
      clock: Clock;
      logger?: Logger;
      ttlSeconds?: number;
      minIntervalMs?: number;
      onProgress?: (p: DownloadProgress) => void;
    },
  ) {}

  /** The record this publisher writes for a snapshot. */
  toRecord(s: ProgressSnapshot): DownloadProgress {
    const rec: DownloadProgress = {
      model_uid: this.id.modelUid,
      replica_id: this.id.replicaId,
      node_id: this.id.nodeId,
      model_name: this.id.modelName,
      source: this.id.source,
      phase: s.phase,
      bytes_done: s.bytes_done,
      bytes_total: s.bytes_total,
      files_done: s.files_done,
      files_total: s.files_total,
      speed_bps: s.speed_bps,
      attempt: s.attempt,
      started_at: s.started_at,
      updated_at: new Date(this.opts.clock.now()).toISOString(),
    };
    if (s.current_file !== undefined) rec.current_file = s.current_file.slice(0, 1024);
    if (s.eta_seconds !== undefined) rec.eta_seconds = s.eta_seconds;
    if (s.error !== undefined) rec.error = s.error.slice(0, 2000);
    return rec;
  }

  /** Records the latest state; writes now when the phase changed or the interval passed, else soon. */
  update(s: ProgressSnapshot): void {
    if (this.closed) return;
    this.latest = s;
    const now = this.opts.clock.now();
    const interval = this.opts.minIntervalMs ?? 500;
    if (s.phase !== this.lastPhase || now - this.lastWriteAt >= interval) {
      this.flush();
    } else if (!this.timer) {
      this.timer = this.opts.clock.setTimeout(
        () => {
          this.timer = undefined;
          this.flush();
        },
        interval - (now - this.lastWriteAt),
      );
    }
  }

  private flush(): void {
    const s = this.latest;
    if (!s) return;
    if (this.timer) {
      this.opts.clock.clearTimeout(this.timer);
      this.timer = undefined;
    }
    this.lastWriteAt = this.opts.clock.now();
    this.lastPhase = s.phase;
    const rec = this.toRecord(s);
    this.opts.onProgress?.(rec);
    this.writing = this.writing.then(() => this.write(rec)).catch(() => undefined);
  }

  private async write(rec: DownloadProgress): Promise<void> {
    try {
      if (!this.keeper) {
        this.keeper = new LeaseKeeper(this.store, {
          ttlSeconds: this.opts.ttlSeconds ?? 30,
          clock: this.opts.clock,
          ...(this.opts.logger ? { logger: this.opts.logger } : {}),
          onRenewedAfterLoss: async (lease) => {
            if (this.latest && !this.closed)
              await this.store.put(
                keys.downloadProgress(this.id.modelUid, this.id.replicaId),
                encode(DownloadProgress, this.toRecord(this.latest)),
                { lease },
              );
          },
        });
        await this.keeper.start();
      }
      await this.store.put(
        keys.downloadProgress(this.id.modelUid, this.id.replicaId),
        encode(DownloadProgress, rec),
        { lease: this.keeper.id },
      );
    } catch (err) {
      this.opts.logger?.warn(
        { err: errorMessage(err), model_uid: this.id.modelUid },
        'could not publish download progress',
      );
    }
  }

  /**
   * Writes the final state and stops renewing the lease: the key stays readable (100 %, or the error) until
   * the lease runs out, then vanishes.
   */
  async finish(s: ProgressSnapshot): Promise<void> {
    if (this.closed) return;
    if (!TERMINAL.has(s.phase)) throw new Error(`finish() needs a terminal phase, got ${s.phase}`);
    this.latest = s;
    this.lastPhase = undefined;
    this.flush();
    this.closed = true;
    await this.writing;
    await this.keeper?.stop(false);
  }
}
