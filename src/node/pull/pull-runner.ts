/**
 * The node's side of pre-pulls: watches the `/pulls/{uid}/{node}` requests that name this node and
 * downloads their files through the cache manager (`prefetch`: the same cache check, shared download,
 * verification and locking as a replica start), at most `concurrency` at a time. Progress goes into the
 * request's key at most every `progressIntervalMs`; the outcome (done / failed) is written under a lease of
 * `resultTtlSeconds`, so the result stays readable for a while and then disappears. Every write compares
 * on what it read: a deleted request (model deleted) stops its download, a newer request is never
 * overwritten by an older one's progress.
 */
import { systemClock, type Clock, type TimerHandle } from '../../core/clock.js';
import { ModelPull, pullTargetFrom, type PullTarget } from '../../core/domain/index.js';
import { errorMessage } from '../../core/errors.js';
import { parseKey, prefixes } from '../../core/keys.js';
import type { Logger } from '../../core/logger.js';
import { WorkQueue } from '../../core/pool.js';
import { Informer } from '../../store/informer.js';
import { decode, encode, type Typed } from '../../store/json.js';
import type { Store } from '../../store/types.js';
import type { PrefetchRequest, PrefetchResult, ProgressSnapshot } from '../cache/index.js';
import { pullOutcome, pullProgress } from './pull-record.js';

/** What a pull needs of the cache manager. */
export interface PullFiles {
  prefetch(req: PrefetchRequest): Promise<PrefetchResult>;
}

export interface PullRunnerOptions {
  nodeId: string;
  /** Pulls downloading at once on this node (default 2; each fetches several files in parallel). */
  concurrency?: number;
  /** Minimum time between progress writes of one pull (default 1 s). */
  progressIntervalMs?: number;
  /** How long a finished pull's result stays in the store (default 10 minutes). */
  resultTtlSeconds?: number;
  /** Wait before trying again when the store did not take a write (default 5 s). */
  retryMs?: number;
}

export interface PullRunnerDeps {
  store: Store;
  files: PullFiles;
  clock?: Clock;
  logger?: Logger;
  /** Hears every finished pull (the agent records it as a model event). */
  onFinished?: (record: ModelPull) => void;
}

interface Job {
  key: string;
  requestedAt: string;
  controller: AbortController;
}

/** Thrown by a write that found its request gone or replaced: the job stops quietly. */
class Superseded extends Error {}

export class PullRunner {
  private readonly clock: Clock;
  private readonly jobs = new Map<string, Job>();
  private readonly queue: WorkQueue<Job>;
  private informer: Informer<ModelPull> | undefined;
  private stopped = false;
  private readonly timers = new Set<TimerHandle>();

  constructor(
    private readonly opts: PullRunnerOptions,
    private readonly deps: PullRunnerDeps,
  ) {
    this.clock = deps.clock ?? systemClock;
    this.queue = new WorkQueue<Job>(opts.concurrency ?? 2, (job) => this.run(job));
  }

  /** Pulls downloading or waiting for a slot. */
  get pending(): number {
    return this.jobs.size;
  }

  async start(): Promise<void> {
    const mine = (k: string) => {
      const p = parseKey(k);
      return p?.kind === 'pull' && p.nodeId === this.opts.nodeId;
    };
    this.informer = new Informer<ModelPull>({
      store: this.deps.store,
      prefix: prefixes.pulls,
      schema: ModelPull,
      keyFilter: mine,
      clock: this.clock,
      name: 'pulls',
      // `downloading` on add: a previous agent was interrupted mid-pull; the cache resumes its files.
      onAdd: (item) => {
        if (item.value.status === 'pending' || item.value.status === 'downloading') this.schedule(item);
      },
      onUpdate: (item) => {
        if (item.value.status === 'pending') this.schedule(item);
      },
      onDelete: (old) => this.cancel(old.key),
      ...(this.deps.logger ? { logger: this.deps.logger } : {}),
    }).start();
    await this.informer.ready().catch(() => undefined);
  }

  /** Stops watching and cancels the pulls in flight (their records stay, a restarted agent resumes them). */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) this.clock.clearTimeout(t);
    this.timers.clear();
    await this.informer?.stop();
    for (const job of this.jobs.values()) job.controller.abort();
    await this.queue.idle();
  }

  private schedule(item: Typed<ModelPull>): void {
    if (this.stopped) return;
    const running = this.jobs.get(item.key);
    // Our own progress writes come back as updates; a new request has a new requested_at.
    if (running?.requestedAt === item.value.requested_at) return;
    running?.controller.abort();
    const job: Job = {
      key: item.key,
      requestedAt: item.value.requested_at,
      controller: new AbortController(),
    };
    this.jobs.set(item.key, job);
    this.queue.push([job]);
  }

  private cancel(key: string): void {
    const job = this.jobs.get(key);
    if (!job) return;
    job.controller.abort();
    this.jobs.delete(key);
  }

  /** Reads the request; throws Superseded when it is gone or is another request now. */
  private async current(job: Job): Promise<Typed<ModelPull>> {
    const kv = await this.deps.store.get(job.key);
    if (!kv) throw new Superseded();
    const cur = decode(ModelPull, kv);
    if (cur.value.requested_at !== job.requestedAt) throw new Superseded();
    return cur;
  }

  /** Writes the record `make` builds from the current one (compare-and-swap, retried on a race). */
  private async write(job: Job, make: (cur: ModelPull) => ModelPull, lease?: string): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const cur = await this.current(job);
      try {
        await this.deps.store.put(job.key, encode(ModelPull, make(cur.value)), {
          ifModRevision: cur.modRevision,
          ...(lease ? { lease } : {}),
        });
        return;
      } catch (err) {
        if (attempt >= 3) throw err;
      }
    }
  }

  private async run(job: Job): Promise<void> {
    if (job.controller.signal.aborted || this.stopped) return this.forget(job);
    const now = () => new Date(this.clock.now()).toISOString();
    const log = this.deps.logger?.child({ pull: job.key });
    let target: PullTarget;
    try {
      const cur = await this.current(job);
      target = pullTargetFrom(cur.value);
      await this.write(job, (c) => pullProgress(c, undefined, now()));
    } catch (err) {
      if (err instanceof Superseded) return this.forget(job);
      log?.warn({ err: errorMessage(err) }, 'could not start pull; trying again soon');
      return this.retryLater(job);
    }
    log?.info({ model: target.model_name, source: target.model_source }, 'pulling model files');
    const progress = this.progressWriter(job, (s) => (c) => pullProgress(c, s, now()));
    let outcome: Parameters<typeof pullOutcome>[1];
    try {
      const result = await this.deps.files.prefetch({
        target,
        signal: job.controller.signal,
        onProgress: (s) => progress.update(s),
      });
      outcome = { ok: true, result };
    } catch (err) {
      const last = progress.latest;
      outcome = { ok: false, error: errorMessage(err), ...(last ? { last } : {}) };
    }
    await progress.close();
    if (job.controller.signal.aborted) return this.forget(job);
    try {
      const lease = await this.deps.store.grantLease(this.opts.resultTtlSeconds ?? 600);
      let written: ModelPull | undefined;
      const make = (c: ModelPull) => (written = pullOutcome(c, outcome, now()));
      await this.write(job, make, lease).catch(async (err: unknown) => {
        await this.deps.store.revokeLease(lease).catch(() => undefined);
        throw err;
      });
      if (written) this.deps.onFinished?.(written);
      if (outcome.ok)
        log?.info({ cached: outcome.result.cached, fetched_bytes: outcome.result.fetchedBytes }, 'pull done');
      else log?.warn({ err: outcome.error }, 'pull failed');
    } catch (err) {
      if (!(err instanceof Superseded)) {
        // The files are in the cache now: the retry finds them there and only writes the result.
        log?.warn({ err: errorMessage(err) }, 'could not record pull result; trying again soon');
        return this.retryLater(job);
      }
    }
    this.forget(job);
  }

  /** Runs the job again after `retryMs` (the store did not answer): a pull is never left pending. */
  private retryLater(job: Job): void {
    const timer = this.clock.setTimeout(() => {
      this.timers.delete(timer);
      if (this.stopped || job.controller.signal.aborted || this.jobs.get(job.key) !== job) return;
      this.queue.push([job]);
    }, this.opts.retryMs ?? 5000);
    this.timers.add(timer);
  }

  private forget(job: Job): void {
    if (this.jobs.get(job.key) === job) this.jobs.delete(job.key);
  }

  /**
   * Writes progress at most every `progressIntervalMs` (the latest snapshot wins; one write at a time).
   * A request found gone or replaced aborts the job.
   */
  private progressWriter(job: Job, make: (s: ProgressSnapshot) => (cur: ModelPull) => ModelPull) {
    const interval = this.opts.progressIntervalMs ?? 1000;
    let latest: ProgressSnapshot | undefined;
    let lastWrite = Number.NEGATIVE_INFINITY;
    let timer: TimerHandle | undefined;
    let chain: Promise<void> = Promise.resolve();
    let closed = false;
    const flush = () => {
      timer = undefined;
      const s = latest;
      if (!s || closed) return;
      lastWrite = this.clock.now();
      chain = chain
        .then(() => this.write(job, make(s)))
        .catch((err: unknown) => {
          if (err instanceof Superseded) job.controller.abort();
          else this.deps.logger?.warn({ err: errorMessage(err) }, 'could not write pull progress');
        });
    };
    return {
      get latest() {
        return latest;
      },
      update: (s: ProgressSnapshot) => {
        latest = s;
        if (closed || timer) return;
        const wait = lastWrite + interval - this.clock.now();
        if (wait <= 0) flush();
        else timer = this.clock.setTimeout(flush, wait);
      },
      close: async () => {
        closed = true;
        if (timer) this.clock.clearTimeout(timer);
        await chain;
      },
    };
  }
}
