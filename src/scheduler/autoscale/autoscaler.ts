/**
 * The autoscaler loop: leader-elected on its own lease name (`autoscaler`), beside the scheduler. Every
 * `intervalMs` it reads, for each running deployment with an `autoscaling` policy, the routers' load
 * signals (`/load/{uid}/{router}`), the ready endpoints, whether the plan could place everything, and any
 * wake request (`/wake/{uid}`); asks the pure core (`decide.ts`) for the count; and writes only
 * `deployments.replicas`, fenced by leadership and by the deployment's mod revision. Decisions that change
 * something are events with their inputs; the last decision is kept at `/autoscaler/{uid}` (bounded rate).
 */
import type { z } from 'zod';
import type { Clock, TimerHandle } from '../../core/clock.js';
import { systemClock } from '../../core/clock.js';
import {
  AutoscaleStatus,
  LoadSignal,
  ModelDeployment,
  WakeRequest,
  type AutoscaleDecision,
  type Endpoint,
  type PlacementPlan,
} from '../../core/domain/index.js';
import { errorMessage } from '../../core/errors.js';
import { keys, kindFilter, prefixes } from '../../core/keys.js';
import type { Logger } from '../../core/logger.js';
import type { EventRecorder } from '../../store/events.js';
import { Informer, type InformerHandlers } from '../../store/informer.js';
import { encode, type Typed } from '../../store/json.js';
import type { Store, TxnCompare } from '../../store/types.js';
import { decideReplicas, type AutoscaleMemory } from './decide.js';

/** What the autoscaler reads besides its own informers (the scheduler's cached view). */
export interface AutoscalerView {
  deployments: { list(): Typed<ModelDeployment>[]; get(key: string): Typed<ModelDeployment> | undefined };
  endpoints: { list(): Typed<Endpoint>[] };
  placements: { get(key: string): Typed<PlacementPlan> | undefined };
}

export interface AutoscalerMetrics {
  desired(uid: string, n: number): void;
  actual(uid: string, n: number): void;
  decision(uid: string, reason: string): void;
  wake(uid: string, seconds: number): void;
  forget(uid: string): void;
}

export interface AutoscalerOptions {
  intervalMs: number;
  /** Least time between two writes of a model's `/autoscaler/{uid}` record when nothing changed. */
  statusEveryMs: number;
}

export interface AutoscalerDeps {
  store: Store;
  view: AutoscalerView;
  recorder: EventRecorder;
  fence: () => TxnCompare | undefined;
  clock?: Clock | undefined;
  logger?: Logger | undefined;
  metrics?: AutoscalerMetrics | undefined;
}

interface ModelMemory {
  core?: AutoscaleMemory;
  statusWrittenAt: number;
  lastChange?: AutoscaleDecision;
  idleSince?: string;
  wake?: { requestedAt: number; requestedIso: string };
  lastWake?: AutoscaleStatus['last_wake'];
}

/** How soon a load change is decided on. */
const LOAD_REACTION_MS = 200;

export class Autoscaler {
  readonly loads: Informer<LoadSignal>;
  readonly wakes: Informer<WakeRequest>;
  private readonly memory = new Map<string, ModelMemory>();
  private readonly clock: Clock;
  private timer: TimerHandle | undefined;
  private active = false;
  private running: Promise<void> | undefined;
  private dueAt = 0;
  private again = false;

  constructor(
    private readonly opts: AutoscalerOptions,
    private readonly deps: AutoscalerDeps,
  ) {
    this.clock = deps.clock ?? systemClock;
    // One informer per record kind, each keeping only its own keys.
    const watch = <T>(
      kind: 'load' | 'wake',
      prefix: string,
      schema: z.ZodType<T>,
      handlers: InformerHandlers<T>,
    ): Informer<T> =>
      new Informer<T>({
        store: deps.store,
        clock: deps.clock,
        logger: deps.logger,
        prefix,
        schema,
        keyFilter: kindFilter(kind),
        name: `autoscaler:${kind}`,
        ...handlers,
      });
    this.loads = watch('load', prefixes.load, LoadSignal, {
      // New load is decided on at once (routers publish at most every couple of seconds), not on the next tick.
      onAdd: () => this.soon(LOAD_REACTION_MS),
      onUpdate: () => this.soon(LOAD_REACTION_MS),
    });
    // A wake should not wait for the next tick.
    this.wakes = watch('wake', prefixes.wake, WakeRequest, { onAdd: () => this.soon(0) });
  }

  async start(): Promise<void> {
    this.loads.start();
    this.wakes.start();
    await Promise.all([this.loads.ready(), this.wakes.ready()]);
  }

  /** Starts deciding (this instance leads). */
  activate(): void {
    if (this.active) return;
    this.active = true;
    this.schedule(0);
  }

  /** Stops deciding (leadership lost); forgets its windows, a new leader starts them afresh. */
  deactivate(): void {
    this.active = false;
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.memory.clear();
  }

  async stop(): Promise<void> {
    this.deactivate();
    await this.running;
    await Promise.all([this.loads.stop(), this.wakes.stop()]);
  }

  /** Runs a pass soon (a wake request arrived). */
  kick(): void {
    this.soon(0);
  }

  /**
   * A pass within `ms`: sooner than the one planned, never two at once (asked during a pass, it runs right
   * after), and never postponing one already due.
   */
  private soon(ms: number): void {
    if (!this.active) return;
    if (this.running) {
      this.again = true;
      return;
    }
    if (this.timer && this.dueAt <= this.clock.now() + ms) return;
    this.schedule(ms);
  }

  private schedule(ms: number): void {
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.dueAt = this.clock.now() + ms;
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      if (!this.active) return;
      this.running = this.pass()
        .catch((err: unknown) => this.deps.logger?.warn({ err: errorMessage(err) }, 'autoscaler pass failed'))
        .finally(() => {
          this.running = undefined;
          const again = this.again;
          this.again = false;
          if (this.active && !this.timer) this.schedule(again ? 0 : this.opts.intervalMs);
        });
    }, ms);
  }

  /** One decision for every autoscaled model (tests call it directly). */
  async pass(): Promise<void> {
    const now = this.clock.now();
    const ready = new Map<string, number>();
    for (const e of this.deps.view.endpoints.list())
      if (e.value.status === 'ready') ready.set(e.value.model_uid, (ready.get(e.value.model_uid) ?? 0) + 1);
    const signals = new Map<string, LoadSignal[]>();
    for (const l of this.loads.list()) {
      const list = signals.get(l.value.model_uid) ?? [];
      list.push(l.value);
      signals.set(l.value.model_uid, list);
    }
    const seen = new Set<string>();
    for (const d of this.deps.view.deployments.list()) {
      const dep = d.value;
      if (!dep.autoscaling || dep.desired_state !== 'running') continue;
      seen.add(dep.model_uid);
      await this.decide(d, ready.get(dep.model_uid) ?? 0, signals.get(dep.model_uid) ?? [], now).catch(
        (err: unknown) =>
          this.deps.logger?.warn(
            { model: dep.model_uid, err: errorMessage(err) },
            'autoscale decision failed',
          ),
      );
    }
    for (const uid of [...this.memory.keys()])
      if (!seen.has(uid)) {
        this.memory.delete(uid);
        this.deps.metrics?.forget(uid);
      }
  }

  private async decide(
    d: Typed<ModelDeployment>,
    ready: number,
    signals: LoadSignal[],
    now: number,
  ): Promise<void> {
    const dep = d.value;
    const policy = dep.autoscaling;
    if (!policy) return;
    const uid = dep.model_uid;
    const mem: ModelMemory = this.memory.get(uid) ?? { statusWrittenAt: 0 };
    this.memory.set(uid, mem);
    const wake = this.wakes.get(keys.wake(uid));
    const plan = this.deps.view.placements.get(keys.placement(uid))?.value;
    // A plan that could not place everything caps the count at what it did place.
    const placeable = plan?.unplaced ? plan.assignments.length : undefined;
    const r = decideReplicas({
      policy,
      current: dep.replicas,
      ready,
      signals,
      wakeRequested: wake !== undefined,
      placeable,
      now,
      memory: mem.core,
    });
    mem.core = r.memory;
    const at = new Date(now).toISOString();
    const decision: AutoscaleDecision = { at, ...r.decision };
    this.deps.metrics?.desired(uid, r.desired);
    this.deps.metrics?.actual(uid, ready);
    this.deps.metrics?.decision(uid, decision.reason);

    if (wake && !mem.wake)
      mem.wake = {
        requestedAt: Date.parse(wake.value.requested_at) || now,
        requestedIso: wake.value.requested_at,
      };
    if (mem.wake && ready > 0) await this.woken(uid, mem, now);

    let changed = false;
    if (r.change) changed = await this.write(d, r.desired, decision);
    else if (policy.dry_run && r.desired !== dep.replicas && mem.lastChange?.desired !== r.desired) {
      mem.lastChange = decision;
      await this.event(
        uid,
        `dry run: would scale ${dep.replicas} -> ${r.desired} (${decision.reason}): ${decision.message}`,
        decision,
      );
    }
    if (changed) {
      mem.lastChange = decision;
      if (r.desired === 0) mem.idleSince = at;
      else if (dep.replicas === 0) delete mem.idleSince;
    }
    if (changed || now - mem.statusWrittenAt >= this.opts.statusEveryMs) {
      mem.statusWrittenAt = now;
      const status: AutoscaleStatus = {
        model_uid: uid,
        last_decision: decision,
        ...(mem.lastChange ? { last_change: mem.lastChange } : {}),
        ...(mem.idleSince ? { idle_since: mem.idleSince } : {}),
        ...(mem.lastWake ? { last_wake: mem.lastWake } : {}),
      };
      const fence = this.deps.fence();
      if (!fence) return;
      await this.deps.store.txn({
        compare: [fence],
        success: [{ op: 'put', key: keys.autoscaler(uid), value: encode(AutoscaleStatus, status) }],
      });
    }
  }

  /** Writes the new count, fenced by leadership and by the deployment we read. */
  private async write(
    d: Typed<ModelDeployment>,
    desired: number,
    decision: AutoscaleDecision,
  ): Promise<boolean> {
    const fence = this.deps.fence();
    if (!fence) return false;
    const dep = d.value;
    const next: ModelDeployment = {
      ...dep,
      replicas: desired,
      generation: dep.generation + 1,
      updated_at: decision.at,
    };
    const res = await this.deps.store.txn({
      compare: [fence, { key: d.key, modRevision: d.modRevision }],
      success: [{ op: 'put', key: d.key, value: encode(ModelDeployment, next) }],
    });
    if (!res.succeeded) return false;
    const verb = desired === 0 ? 'idle' : `${dep.replicas} -> ${desired}`;
    await this.event(dep.model_uid, `autoscaled ${verb} (${decision.reason}): ${decision.message}`, decision);
    return true;
  }

  private async woken(uid: string, mem: ModelMemory, now: number): Promise<void> {
    const w = mem.wake;
    if (!w) return;
    delete mem.wake;
    const latencyMs = Math.max(0, now - w.requestedAt);
    mem.lastWake = {
      requested_at: w.requestedIso,
      ready_at: new Date(now).toISOString(),
      latency_ms: latencyMs,
    };
    this.deps.metrics?.wake(uid, latencyMs / 1000);
    const fence = this.deps.fence();
    if (fence)
      await this.deps.store.txn({ compare: [fence], success: [{ op: 'delete', key: keys.wake(uid) }] });
    await this.deps.recorder
      .record({
        model_uid: uid,
        type: 'woken',
        source: 'scheduler',
        message: `woken in ${(latencyMs / 1000).toFixed(1)} s`,
      })
      .catch(() => undefined);
  }

  private async event(uid: string, message: string, d: AutoscaleDecision): Promise<void> {
    const i = d.inputs;
    const inputs = `inputs: in flight ${i.inflight}, held ${i.held}, queue ${i.queue}, ready ${i.ready}, ${i.rps.toFixed(1)} req/s${
      i.kv_cache_usage === undefined ? '' : `, KV ${(i.kv_cache_usage * 100).toFixed(0)} %`
    }`;
    await this.deps.recorder
      .record({
        model_uid: uid,
        type: 'autoscaled',
        source: 'scheduler',
        message: `${message}; ${inputs}`.slice(0, 1000),
      })
      .catch((err: unknown) =>
        this.deps.logger?.debug({ err: errorMessage(err) }, 'autoscale event not written'),
      );
  }
}
