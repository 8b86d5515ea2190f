import { backoffDelay, type BackoffPolicy } from '../../core/backoff.js';
import type { Clock, TimerHandle } from '../../core/clock.js';
import { PlacementPlan } from '../../core/domain/index.js';
import { errorMessage } from '../../core/errors.js';
import { kindFilter, parseKey, prefixes } from '../../core/keys.js';
import type { Logger } from '../../core/logger.js';
import { decode, listJson } from '../../store/json.js';
import type { Store, WatchEvent, Watcher } from '../../store/types.js';

/** Re-lists after a lost placement watch: 1 s doubling to 10 s. */
const RELIST_BACKOFF: BackoffPolicy = { initialMs: 1000, maxMs: 10_000 };

/**
 * A cached view of `/placements/`: list, then watch from the list's revision + 1; when the watch ends
 * (compaction, lost connection) list again and watch again; and re-list periodically in case anything
 * slipped through. Calls `onChange` after every change of the cache.
 */
export class PlacementWatch {
  readonly plans = new Map<string, PlacementPlan>();
  private watcher: Watcher | undefined;
  private relistTimer: TimerHandle | undefined;
  private resyncTimer: TimerHandle | undefined;
  private stopped = false;
  private generation = 0;

  constructor(
    private readonly store: Store,
    private readonly opts: {
      clock: Clock;
      logger: Logger;
      resyncMs: number;
      onChange: () => void;
    },
  ) {}

  /** Lists and starts watching; rejects when the first list fails (the agent cannot start blind). */
  async start(): Promise<void> {
    await this.relist();
    this.scheduleResync();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.relistTimer) this.opts.clock.clearTimeout(this.relistTimer);
    if (this.resyncTimer) this.opts.clock.clearTimeout(this.resyncTimer);
    const w = this.watcher;
    this.watcher = undefined;
    await w?.close().catch(() => undefined);
  }

  private async relist(): Promise<void> {
    const gen = ++this.generation;
    const old = this.watcher;
    this.watcher = undefined;
    await old?.close().catch(() => undefined);
    const res = await listJson(this.store, prefixes.placements, PlacementPlan, isPlacementKey);
    if (this.stopped || gen !== this.generation) return;
    for (const bad of res.invalid) this.opts.logger.warn(bad, 'ignoring invalid placement plan');
    this.plans.clear();
    for (const item of res.items) this.plans.set(item.value.model_uid, item.value);
    this.opts.onChange();
    const watcher = await this.store.watch(prefixes.placements, {
      fromRevision: res.revision + 1,
      onEvents: (events) => {
        if (gen === this.generation) this.apply(events);
      },
      onError: (err) => {
        if (gen !== this.generation || this.stopped) return;
        this.opts.logger.warn({ err: errorMessage(err) }, 'placement watch ended; re-listing');
        this.scheduleRelist(0);
      },
    });
    if (this.stopped || gen !== this.generation) {
      await watcher.close().catch(() => undefined);
      return;
    }
    this.watcher = watcher;
  }

  private apply(events: WatchEvent[]): void {
    let changed = false;
    for (const ev of events) {
      const parsed = parseKey(ev.key);
      if (parsed?.kind !== 'placement') continue;
      if (ev.type === 'delete') {
        changed = this.plans.delete(parsed.modelUid) || changed;
        continue;
      }
      try {
        const plan = decode(PlacementPlan, {
          key: ev.key,
          value: ev.value ?? '',
          createRevision: ev.createRevision,
          modRevision: ev.modRevision,
          version: ev.version,
        }).value;
        this.plans.set(plan.model_uid, plan);
        changed = true;
      } catch (err) {
        this.opts.logger.warn({ key: ev.key, err: errorMessage(err) }, 'ignoring invalid placement plan');
      }
    }
    if (changed) this.opts.onChange();
  }

  /** Re-list number `attempt` (0-based) after a lost watch, on RELIST_BACKOFF. */
  private scheduleRelist(attempt: number): void {
    if (this.stopped || this.relistTimer) return;
    const delayMs = backoffDelay(RELIST_BACKOFF, attempt);
    this.relistTimer = this.opts.clock.setTimeout(() => {
      this.relistTimer = undefined;
      this.relist().catch((err: unknown) => {
        this.opts.logger.warn({ err: errorMessage(err) }, 're-list of placements failed; retrying');
        this.scheduleRelist(attempt + 1);
      });
    }, delayMs);
  }

  private scheduleResync(): void {
    if (this.stopped) return;
    this.resyncTimer = this.opts.clock.setTimeout(() => {
      this.resyncTimer = undefined;
      this.relist()
        .catch((err: unknown) => this.opts.logger.warn({ err: errorMessage(err) }, 'placement resync failed'))
        .finally(() => this.scheduleResync());
    }, this.opts.resyncMs);
  }
}

const isPlacementKey = kindFilter('placement');
