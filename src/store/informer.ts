import type { z } from 'zod';
import { backoffDelay, type BackoffPolicy } from '../core/backoff.js';
import { systemClock, type Clock, type TimerHandle } from '../core/clock.js';
import { errorMessage } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { CompactedError } from './errors.js';
import { InformerCache, type CacheChange, type InvalidEntry } from './informer-cache.js';
import type { Typed } from './json.js';
import type { Store, Watcher } from './types.js';

export type { CacheChange, InvalidEntry } from './informer-cache.js';

/**
 * Re-list backoff after a lost watch: 200 ms doubling to 10 s, half jittered so that informers that lost
 * the store together do not come back in step.
 */
export const DEFAULT_INFORMER_BACKOFF: BackoffPolicy = { initialMs: 200, maxMs: 10_000, jitter: 'half' };

export interface InformerHandlers<T> {
  onAdd?: (item: Typed<T>) => void;
  onUpdate?: (item: Typed<T>, old: Typed<T>) => void;
  onDelete?: (old: Typed<T>) => void;
  /** After every batch of changes (a watch revision or a relist) that changed the cache. */
  onChange?: (changes: readonly CacheChange<T>[]) => void;
  /** A stored value failed validation (it is kept out of the cache). */
  onInvalid?: (entry: InvalidEntry) => void;
}

export interface InformerOptions<T> extends InformerHandlers<T> {
  store: Store;
  prefix: string;
  schema: z.ZodType<T>;
  /** Only keys for which this returns true are cached (e.g. `/nodes/{id}/status` but not other children). */
  keyFilter?: (key: string) => boolean;
  /** Full relist every so often, as a safety net (default 5 minutes; 0 disables). */
  resyncMs?: number;
  /** Re-list backoff (default DEFAULT_INFORMER_BACKOFF); jittered unless it says `jitter: 'none'`. */
  backoff?: BackoffPolicy;
  clock?: Clock;
  logger?: Logger;
  /** For logs. */
  name?: string;
}

export type InformerState = 'idle' | 'listing' | 'watching' | 'backoff' | 'stopped';

/** Counters for tests and health pages. */
export interface InformerStats {
  lists: number;
  watchErrors: number;
  compactions: number;
  lastError: string | undefined;
  /** Highest store revision reflected in the cache. */
  revision: number;
}

type WakeReason = { kind: 'error'; err: Error } | { kind: 'resync' } | { kind: 'stop' };

/**
 * A typed, cached view of one prefix: list, then watch from the list's revision + 1; when the watch ends
 * (compaction, lost connection) list again (with backoff when the store is unreachable) and emit the
 * difference, including deletes that happened while it was away; relist periodically as a safety net.
 * Controllers read `get`/`list` and react in the handlers.
 */
export class Informer<T> {
  private readonly cache: InformerCache<T>;
  private readonly clock: Clock;
  private stateValue: InformerState = 'idle';
  private wake: ((reason: WakeReason) => void) | undefined;
  private pendingWake: WakeReason | undefined;
  private sleepAbort: AbortController | undefined;
  private loop: Promise<void> | undefined;
  private readonly readyPromise: Promise<void>;
  private resolveReady!: () => void;
  private rejectReady!: (err: Error) => void;
  private synced = false;
  readonly stats: InformerStats = {
    lists: 0,
    watchErrors: 0,
    compactions: 0,
    lastError: undefined,
    revision: 0,
  };

  constructor(private readonly opts: InformerOptions<T>) {
    this.clock = opts.clock ?? systemClock;
    this.cache = new InformerCache<T>(opts);
    this.readyPromise = new Promise<void>((resolve, reject) => {
      this.resolveReady = resolve;
      this.rejectReady = reject;
    });
    // Nobody may be awaiting ready() when stop() rejects it.
    this.readyPromise.catch(() => undefined);
  }

  get state(): InformerState {
    return this.stateValue;
  }

  /** True once the first list has filled the cache. */
  get hasSynced(): boolean {
    return this.synced;
  }

  /** Starts listing and watching; returns at once (await `ready()` for the first list). */
  start(): this {
    if (this.loop || this.stateValue === 'stopped') return this;
    this.loop = this.run();
    return this;
  }

  /** Resolves when the first list is in the cache; rejects if the informer is stopped before that. */
  ready(): Promise<void> {
    return this.readyPromise;
  }

  get(key: string): Typed<T> | undefined {
    return this.cache.items.get(key);
  }

  /** Cached items sorted by key (byte order for ASCII keys, which is what Nebula uses). */
  list(): Typed<T>[] {
    return [...this.cache.items.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  get size(): number {
    return this.cache.items.size;
  }

  /** Relists now (closing the current watch), e.g. after the caller learns it may have missed something. */
  resync(): void {
    this.signal({ kind: 'resync' });
  }

  async stop(): Promise<void> {
    if (this.stateValue === 'stopped') return;
    this.stateValue = 'stopped';
    this.rejectReady(new Error(`informer ${this.name} stopped`));
    this.sleepAbort?.abort(new Error('stopped'));
    this.signal({ kind: 'stop' });
    await this.loop;
  }

  private get name(): string {
    return this.opts.name ?? this.opts.prefix;
  }

  private signal(reason: WakeReason): void {
    const wake = this.wake;
    if (wake) {
      this.wake = undefined;
      wake(reason);
    } else if (!this.pendingWake || reason.kind === 'stop') {
      this.pendingWake = reason;
    }
  }

  private nextWake(): Promise<WakeReason> {
    const pending = this.pendingWake;
    if (pending) {
      this.pendingWake = undefined;
      return Promise.resolve(pending);
    }
    return new Promise((resolve) => (this.wake = resolve));
  }

  private emit(changes: CacheChange<T>[], invalid: InvalidEntry[]): void {
    const o = this.opts;
    for (const entry of invalid) {
      o.logger?.warn(
        { informer: this.name, key: entry.key, reason: entry.reason },
        'invalid stored value ignored',
      );
      this.safely(() => o.onInvalid?.(entry));
    }
    for (const c of changes) {
      if (c.type === 'add') this.safely(() => o.onAdd?.(c.item));
      else if (c.type === 'update') this.safely(() => o.onUpdate?.(c.item, c.old));
      else this.safely(() => o.onDelete?.(c.old));
    }
    if (changes.length > 0) this.safely(() => o.onChange?.(changes));
  }

  private safely(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.opts.logger?.error({ informer: this.name, err: errorMessage(err) }, 'informer handler threw');
    }
  }

  private async run(): Promise<void> {
    let failures = 0;
    const o = this.opts;
    while (this.stateValue !== 'stopped') {
      let watcher: Watcher | undefined;
      let resyncTimer: TimerHandle | undefined;
      let reason: WakeReason;
      try {
        this.stateValue = 'listing';
        this.pendingWake = undefined;
        const listed = await o.store.list(o.prefix);
        if (this.isStopped()) break;
        this.stats.lists++;
        this.stats.revision = listed.revision;
        const { changes, invalid } = this.cache.replaceAll(listed.items);
        this.emit(changes, invalid);
        if (!this.synced) {
          this.synced = true;
          this.resolveReady();
        }
        watcher = await o.store.watch(o.prefix, {
          fromRevision: listed.revision + 1,
          onEvents: (events, revision) => {
            if (this.isStopped()) return;
            this.stats.revision = Math.max(this.stats.revision, revision);
            const applied = this.cache.applyEvents(events);
            this.emit(applied.changes, applied.invalid);
          },
          onError: (err) => this.signal({ kind: 'error', err }),
        });
        if (this.isStopped()) break;
        this.stateValue = 'watching';
        failures = 0;
        const resyncMs = o.resyncMs ?? 300_000;
        if (resyncMs > 0)
          resyncTimer = this.clock.setTimeout(() => this.signal({ kind: 'resync' }), resyncMs);
        reason = await this.nextWake();
      } catch (err) {
        reason = { kind: 'error', err: err instanceof Error ? err : new Error(String(err)) };
      } finally {
        if (resyncTimer) this.clock.clearTimeout(resyncTimer);
        await watcher?.close().catch(() => undefined);
      }
      if (reason.kind === 'stop' || this.isStopped()) break;
      if (reason.kind === 'resync') continue;
      this.stats.lastError = errorMessage(reason.err);
      if (reason.err instanceof CompactedError) {
        // Routine in etcd: the watch fell behind compaction; relist at once.
        this.stats.compactions++;
        o.logger?.info({ informer: this.name }, 'watch compacted; relisting');
        continue;
      }
      this.stats.watchErrors++;
      const delay = backoffDelay({ jitter: 'half', ...(o.backoff ?? DEFAULT_INFORMER_BACKOFF) }, failures++);
      o.logger?.warn(
        { informer: this.name, err: this.stats.lastError, retryInMs: delay },
        'informer lost its watch; relisting',
      );
      this.stateValue = 'backoff';
      this.sleepAbort = new AbortController();
      try {
        await this.clock.sleep(delay, this.sleepAbort.signal);
      } catch {
        break;
      } finally {
        this.sleepAbort = undefined;
      }
    }
    this.stateValue = 'stopped';
  }

  private isStopped(): boolean {
    return this.stateValue === 'stopped';
  }
}
