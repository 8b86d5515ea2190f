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

/** The signal of one route now; `rps` from the requests counted since the previous look. */
export function signalOf(route: ModelRoute, router: string, now: number, rps: number): LoadSignal {
  let inflight = 0;
  let waiting = 0;
  let kvSum = 0;
  let kvN = 0;
  for (const r of route.replicas) {
    inflight += r.outstanding;
    if (r.loadAt > 0) {
      waiting += r.waiting;
      kvSum += r.kvUsage;
      kvN++;
    }
  }
  return {
    model_uid: route.model,
    router,
    inflight,
    held: route.holds.size,
    engine_waiting: waiting,
    ...(kvN > 0 ? { kv_cache_usage: Math.min(1, Math.max(0, kvSum / kvN)) } : {}),
    rps: Math.round(rps * 100) / 100,
    ...(route.lastRequestAt > 0 ? { last_request_at: new Date(route.lastRequestAt).toISOString() } : {}),
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
    if (this.waking.has(route.model)) return;
    this.waking.add(route.model);
    const req: WakeRequest = {
      model_uid: route.model,
      router: this.opts.instanceId,
      requested_at: new Date(this.clock.now()).toISOString(),
    };
    this.store
      .put(keys.wake(route.model), encode(WakeRequest, req), { ifAbsent: true })
      .catch((err: unknown) => {
        this.waking.delete(route.model);
        this.opts.logger?.warn({ model: route.model, err: errorMessage(err) }, 'wake request not written');
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
    for (const route of this.routes()) {
      if (!route.managed) continue;
      seen.add(route.model);
      if (route.replicas.length > 0) this.waking.delete(route.model);
      const prev = this.published.get(route.model);
      const dt = prev ? Math.max(1, now - prev.at) / 1000 : 1;
      const rps = prev ? Math.max(0, route.requests - prev.requests) / dt : 0;
      const signal = signalOf(route, this.opts.instanceId, now, rps);
      const { updated_at: _t, ...shape } = signal;
      const body = JSON.stringify(shape);
      if (prev && prev.body === body && now - prev.at < this.opts.refreshMs) continue;
      this.published.set(route.model, { body, at: now, requests: route.requests });
      writes.push(
        this.store
          .put(keys.load(route.model, this.opts.instanceId), encode(LoadSignal, signal), { lease })
          .catch((err: unknown) => {
            this.published.delete(route.model);
            this.opts.logger?.debug(
              { model: route.model, err: errorMessage(err) },
              'load signal not written',
            );
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
