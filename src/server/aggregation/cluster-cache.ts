import type { z } from 'zod';
import { backoffDelay, type BackoffPolicy } from '../../core/backoff.js';
import type { Clock } from '../../core/clock.js';
import type { ModelRequest } from '../../core/domain/index.js';
import { errorMessage } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { decode, type Typed } from '../../store/json.js';
import type { Store, WatchEvent, Watcher } from '../../store/types.js';
import type { CacheEntryView } from '../../api/schemas/cache.js';
import type { ModelView } from '../../api/schemas/models.js';
import { groupBy, indexBy } from './group.js';
import { modelViewFrom } from './model-view.js';
import type { NodesSnapshot } from './nodes-snapshot.js';
import { buildNodesSnapshot, cacheEntryView } from './nodes-snapshot.js';
import { uidOf, type ModelsSnapshot } from './snapshot.js';
import { TRACKED, trackedOf, type ModelsView, type TrackedName, type ViewSource } from './view-source.js';

type Maps = { [K in TrackedName]: Map<string, Typed<z.infer<(typeof TRACKED)[K]['schema']>>> };

const uidOfKey = (key: string) => key.split('/')[2] ?? '';

/** Re-lists after the store could not be listed or the watch ended: 500 ms doubling to 10 s. */
const RELIST_BACKOFF: BackoffPolicy = { initialMs: 500, maxMs: 10_000 };

/**
 * A watched in-memory copy of what the list views need (11 prefixes), so listing 5,000 models and 200
 * nodes costs no store reads: one list per prefix at start, then ONE watch over the whole keyspace. Every
 * request first asks the store for its current revision and waits (briefly) until the watch has
 * delivered it, so a client reads its own writes and everything written before its request. Model views
 * are rebuilt only for models whose inputs changed. On a lost watch it relists; until it has synced once,
 * reads fall back to listing the store.
 */
export class CachedViewSource implements ViewSource {
  private readonly maps = Object.fromEntries(
    Object.keys(TRACKED).map((k) => [k, new Map()]),
  ) as unknown as Maps;
  private applied = 0;
  private synced = false;
  private stopped = false;
  private watcher: Watcher | undefined;
  private waiters: { rev: number; resolve: () => void }[] = [];
  private loop: Promise<void> | undefined;
  private wake: (() => void) | undefined;
  private sleeping: AbortController | undefined;
  /** Per-model change stamps and memoised views. */
  private stamp = 0;
  private readonly uidStamp = new Map<string, number>();
  private readonly viewMemo = new Map<string, { stamp: number; view: ModelView }>();
  private modelsMemo: { stamp: number; value: ModelsView } | undefined;

  constructor(
    private readonly store: Store,
    private readonly fallback: ViewSource,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly syncTimeoutMs = 500,
  ) {}

  /** Starts listing and watching; resolves after the first sync (or its failure, then keeps retrying). */
  async start(): Promise<void> {
    let first!: () => void;
    const ready = new Promise<void>((r) => (first = r));
    this.loop = this.run(first);
    await ready;
  }

  private async run(firstDone: () => void): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      try {
        const lists = await Promise.all(
          (Object.keys(TRACKED) as TrackedName[]).map(async (name) => ({
            name,
            res: await this.store.list(TRACKED[name].prefix),
          })),
        );
        const minRev = Math.min(...lists.map((l) => l.res.revision));
        for (const { name, res } of lists) {
          const map = new Map<string, Typed<unknown>>();
          for (const kv of res.items) {
            if (trackedOf(kv.key) !== name) continue;
            const t = this.decode(name, kv.key, kv);
            if (t) map.set(kv.key, t);
          }
          (this.maps as Record<string, Map<string, Typed<unknown>>>)[name] = map;
        }
        this.touchAll();
        this.applied = minRev;
        const done = new Promise<void>((resolve) => (this.wake = resolve));
        this.watcher = await this.store.watch('/', {
          fromRevision: minRev + 1,
          onEvents: (events, revision) => this.apply(events, revision),
          onError: (err) => {
            this.logger.warn({ err: errorMessage(err) }, 'view cache lost its watch; relisting');
            this.wake?.();
          },
        });
        this.synced = true;
        failures = 0;
        firstDone();
        this.release();
        await done;
      } catch (err) {
        this.logger.warn({ err: errorMessage(err) }, 'view cache could not list the store');
        firstDone();
      } finally {
        await this.watcher?.close().catch(() => undefined);
        this.watcher = undefined;
      }
      if (this.stopped) break;
      this.synced = false;
      this.sleeping = new AbortController();
      await this.clock
        .sleep(backoffDelay(RELIST_BACKOFF, failures++), this.sleeping.signal)
        .catch(() => undefined);
      this.sleeping = undefined;
    }
  }

  private decode(
    name: TrackedName,
    key: string,
    kv: {
      key: string;
      value: string;
      modRevision: number;
      createRevision: number;
      version: number;
      lease?: string;
    },
  ): Typed<unknown> | undefined {
    try {
      return decode(TRACKED[name].schema as z.ZodType, kv);
    } catch (err) {
      this.logger.warn({ key, err: errorMessage(err) }, 'view cache skips an invalid stored value');
      return undefined;
    }
  }

  private touch(name: TrackedName, key: string): void {
    this.stamp++;
    if (
      name === 'specs' ||
      name === 'deployments' ||
      name === 'plans' ||
      name === 'endpoints' ||
      name === 'downloads'
    ) {
      this.uidStamp.set(uidOfKey(key), this.stamp);
    }
  }

  private touchAll(): void {
    this.stamp++;
    this.uidStamp.clear();
    this.viewMemo.clear();
    this.modelsMemo = undefined;
  }

  private apply(events: WatchEvent[], revision: number): void {
    for (const e of events) {
      const name = trackedOf(e.key);
      if (!name) continue;
      const map = (this.maps as Record<string, Map<string, Typed<unknown>>>)[name];
      if (!map) continue;
      const cur = map.get(e.key);
      // Replayed events (the watch starts at the oldest list revision) never move a key backwards.
      if (cur && cur.modRevision >= e.modRevision) continue;
      if (e.type === 'delete') {
        if (cur) {
          map.delete(e.key);
          this.touch(name, e.key);
        }
        continue;
      }
      const t =
        e.value === undefined
          ? undefined
          : this.decode(name, e.key, {
              key: e.key,
              value: e.value,
              modRevision: e.modRevision,
              createRevision: e.createRevision,
              version: e.version,
            });
      if (t) map.set(e.key, t);
      else map.delete(e.key);
      this.touch(name, e.key);
    }
    this.applied = Math.max(this.applied, revision);
    this.release();
  }

  private release(): void {
    if (this.waiters.length === 0) return;
    const due = this.waiters.filter((w) => this.applied >= w.rev);
    this.waiters = this.waiters.filter((w) => this.applied < w.rev);
    for (const w of due) w.resolve();
  }

  /** Waits until the cache reflects the store's current revision (or the timeout: then it serves what it has). */
  private async sync(): Promise<boolean> {
    if (!this.synced) return false;
    const rev = await this.store.revision();
    if (this.applied >= rev) return true;
    await new Promise<void>((resolve) => {
      const w = { rev, resolve };
      this.waiters.push(w);
      const h = this.clock.setTimeout(() => {
        this.waiters = this.waiters.filter((x) => x !== w);
        resolve();
      }, this.syncTimeoutMs);
      const done = w.resolve;
      w.resolve = () => {
        this.clock.clearTimeout(h);
        done();
      };
    });
    return this.synced;
  }

  async models(): Promise<ModelsView> {
    if (!(await this.sync())) return this.fallback.models();
    if (this.modelsMemo?.stamp === this.stamp) return this.modelsMemo.value;
    const m = this.maps;
    const snap: ModelsSnapshot = {
      specs: indexBy(m.specs.values(), uidOf),
      deployments: indexBy(m.deployments.values(), uidOf),
      plans: indexBy(m.plans.values(), uidOf),
      endpoints: groupBy(m.endpoints.values(), uidOf, (t) => t.value),
      downloads: groupBy(m.downloads.values(), uidOf, (t) => t.value),
      revision: this.applied,
      planList: [...m.plans.values()],
      endpointList: [...m.endpoints.values()],
    };
    const views: ModelView[] = [];
    for (const uid of [...snap.specs.keys()].sort()) {
      const st = this.uidStamp.get(uid) ?? 0;
      const memo = this.viewMemo.get(uid);
      if (memo && memo.stamp === st) {
        views.push(memo.view);
        continue;
      }
      const view = modelViewFrom(snap, uid);
      if (!view) continue;
      this.viewMemo.set(uid, { stamp: st, view });
      views.push(view);
    }
    for (const uid of this.viewMemo.keys()) if (!snap.specs.has(uid)) this.viewMemo.delete(uid);
    const value = { snap, views };
    this.modelsMemo = { stamp: this.stamp, value };
    return value;
  }

  async nodes(models?: ModelsView): Promise<NodesSnapshot> {
    const mv = models ?? (await this.models());
    if (!this.synced) return this.fallback.nodes(mv);
    const m = this.maps;
    return buildNodesSnapshot({
      statuses: [...m.nodes.values()],
      settings: [...m.settings.values()],
      disks: [...m.disks.values()],
      alerts: [...m.alerts.values()],
      plans: mv.snap.planList,
      endpoints: mv.snap.endpointList,
    });
  }

  async requests(): Promise<ModelRequest[]> {
    if (!(await this.sync())) return this.fallback.requests();
    return [...this.maps.requests.values()].sort((a, b) => (a.key < b.key ? -1 : 1)).map((t) => t.value);
  }

  async cacheEntries(): Promise<CacheEntryView[]> {
    if (!(await this.sync())) return this.fallback.cacheEntries();
    return [...this.maps.cache.values()].map(cacheEntryView);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.wake?.();
    this.sleeping?.abort();
    await this.watcher?.close().catch(() => undefined);
    await this.loop;
    for (const w of this.waiters) w.resolve();
    this.waiters = [];
  }
}
