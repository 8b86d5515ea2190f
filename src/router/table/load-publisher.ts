/**
 * The router's half of autoscaling: every `intervalMs` it publishes, per managed model, its live load
 * (`/load/{uid}/{router}` under the router's lease: in flight, held, the engines' waiting and KV usage, the
 * request rate) when it changed, and at least every `refreshMs`. One write per model per interval at most,
 * never one per request. It also writes the wake request (`/wake/{uid}`) the first time a request is held
 * for an idle model.
 */
import type { Clock, TimerHandle } from '../../core/clock.js';
import { systemClock } from '../../core/clock.js';
import { LoadSignal, WakeRequest } from '../../core/domain/index.js';
import { errorMessage } from '../../core/errors.js';
import { keys } from '../../core/keys.js';
import type { Logger } from '../../core/logger.js';
import { encode } from '../../store/json.js';
import type { Store } from '../../store/types.js';
import type { ModelRoute } from './endpoint-table.js';

export interface LoadPublisherOptions {
  instanceId: string;
  intervalMs: number;
  /** Rewrite an unchanged signal this often (so `updated_at` says the router still looks). */
  refreshMs: number;
  /** The lease the signals live under (the router's registration lease). */
  leaseId: () => string | undefined;
  clock?: Clock | undefined;
  logger?: Logger | undefined;
}

interface Published {
  body: string;
  at: number;
  requests: number;
}

/**
 * The signal of one model now (its own route and its adapters' routes, which share its replicas); `rps`
 * from the requests counted since the previous look.
 */
export function signalOf(
  routes: readonly ModelRoute[],
  router: string,
  now: number,
  rps: number,
): LoadSignal {
  let inflight = 0;
  let held = 0;
  let waiting = 0;
  let kvSum = 0;
  let kvN = 0;
  let last = 0;
  const seen = new Set<string>();
  for (const route of routes) {
    held += route.holds.size;
    last = Math.max(last, route.lastRequestAt);
    for (const r of route.replicas) {
      inflight += r.outstanding;
      // An adapter route's replica objects are its own, but the engine's load is the base's: count it once.
      if (r.loadAt > 0 && !seen.has(r.target.origin)) {
        seen.add(r.target.origin);
        waiting += r.waiting;
        kvSum += r.kvUsage;
        kvN++;
      }
    }
  }
  return {
    model_uid: routes[0]?.modelUid ?? '',
    router,
    inflight,
    held,
    engine_waiting: waiting,
    ...(kvN > 0 ? { kv_cache_usage: Math.min(1, Math.max(0, kvSum / kvN)) } : {}),
    rps: Math.round(rps * 100) / 100,
    ...(last > 0 ? { last_request_at: new Date(last).toISOString() } : {}),
    updated_at: new Date(now).toISOString(),
  };
}

export class LoadPublisher {
  private readonly published = new Map<string, Published>();
  private readonly waking = new Set<string>();
  private timer: TimerHandle | undefined;
  private stopped = false;
  private readonly clock: Clock;

  constructor(
    private readonly store: Store,
    private readonly routes: () => Iterable<ModelRoute>,
    private readonly opts: LoadPublisherOptions,
  ) {
    this.clock = opts.clock ?? systemClock;
  }

  start(): void {
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) this.clock.clearTimeout(this.timer);
    // The lease takes the signals with it when the router's registration is revoked.
  }

  /** A request was held for an idle model: ask for a wake (once until a replica is ready). */
  wake(route: ModelRoute): void {
    const uid = route.modelUid;
    if (this.waking.has(uid)) return;
    this.waking.add(uid);
    const req: WakeRequest = {
      model_uid: uid,
      router: this.opts.instanceId,
      requested_at: new Date(this.clock.now()).toISOString(),
    };
    this.store.put(keys.wake(uid), encode(WakeRequest, req), { ifAbsent: true }).catch((err: unknown) => {
      this.waking.delete(uid);
      this.opts.logger?.warn({ model: uid, err: errorMessage(err) }, 'wake request not written');
    });
    // A signal with the held count right away, so the autoscaler sees the load as well as the wake.
    void this.publish();
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = this.clock.setTimeout(() => {
      void this.publish().finally(() => this.schedule());
    }, this.opts.intervalMs);
  }

  /** One look at every managed model (tests call it directly). */
  async publish(): Promise<void> {
    const lease = this.opts.leaseId();
    if (lease === undefined) return;
    const now = this.clock.now();
    const seen = new Set<string>();
    const writes: Promise<unknown>[] = [];
    const byModel = new Map<string, ModelRoute[]>();
    for (const route of this.routes()) {
      if (!route.managed) continue;
      const list = byModel.get(route.modelUid);
      if (list) list.push(route);
      else byModel.set(route.modelUid, [route]);
    }
    for (const [uid, routes] of byModel) {
      seen.add(uid);
      if (routes.some((r) => r.replicas.length > 0)) this.waking.delete(uid);
      const requests = routes.reduce((n, r) => n + r.requests, 0);
      const prev = this.published.get(uid);
      const dt = prev ? Math.max(1, now - prev.at) / 1000 : 1;
      const rps = prev ? Math.max(0, requests - prev.requests) / dt : 0;
      const signal = signalOf(routes, this.opts.instanceId, now, rps);
      const { updated_at: _t, ...shape } = signal;
      const body = JSON.stringify(shape);
      if (prev && prev.body === body && now - prev.at < this.opts.refreshMs) continue;
      this.published.set(uid, { body, at: now, requests });
      writes.push(
        this.store
          .put(keys.load(uid, this.opts.instanceId), encode(LoadSignal, signal), { lease })
          .catch((err: unknown) => {
            this.published.delete(uid);
            this.opts.logger?.debug({ model: uid, err: errorMessage(err) }, 'load signal not written');
          }),
      );
    }
    for (const uid of [...this.published.keys()]) {
      if (seen.has(uid)) continue;
      this.published.delete(uid);
      writes.push(this.store.delete(keys.load(uid, this.opts.instanceId)).catch(() => undefined));
    }
    await Promise.all(writes);
  }
}
