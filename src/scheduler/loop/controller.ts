/**
 * The scheduler's control loop. Informers keep a cached view of the store and mark models dirty; while
 * this instance leads, a debounced single-flight pass plans the dirty models only (the ledger still
 * counts every plan), writes what changed with fenced txns in parallel, and records events behind them.
 * A burst of thousands of deployments is therefore planned in a few large batches, not one by one.
 */
import type { Clock, TimerHandle } from '../../core/clock.js';
import type { PlacementPlan } from '../../core/domain/placement.js';
import type { ModelRequest } from '../../core/domain/request.js';
import { errorMessage } from '../../core/errors.js';
import { keys } from '../../core/keys.js';
import type { Logger } from '../../core/logger.js';
import { runPool } from '../../core/pool.js';
import type { EventRecorder, NewModelEvent } from '../../store/events.js';
import type { Informer } from '../../store/informer.js';
import type { Typed } from '../../store/json.js';
import type { Store, TxnCompare } from '../../store/types.js';
import { ClusterView } from './cluster-view.js';
import { EventQueue } from './event-queue.js';
import type { SchedulerMetrics } from '../metrics.js';
import {
  computePass,
  emptyNodeGrace,
  nodeGraceStep,
  noteNodeBack,
  noteNodeGone,
  type NodeGraceState,
  executeOp,
  touchesPlan,
  touchesRequest,
  type WriteOp,
} from '../pass/index.js';
import { WriteOverlay } from './overlay.js';

export interface ControllerOptions {
  /** Absent node's replicas are re-placed after this long. */
  graceMs: number;
  /** Quiet time before a pass, to batch a burst of events (default 20 ms). */
  debounceMs?: number;
  /** Fenced txns in flight at once (default 64). */
  writeConcurrency?: number;
  /** Replan everything this often as a safety net (default 60 s; 0 disables). */
  fullResyncMs?: number;
  /** Relist interval of the informers (default theirs). */
  informerResyncMs?: number;
}

export interface ControllerDeps {
  store: Store;
  clock: Clock;
  logger: Logger;
  metrics: SchedulerMetrics;
  recorder: EventRecorder;
  /** The leader fence, or undefined when not the leader. */
  fence: () => TxnCompare | undefined;
  /** A fenced write failed: leadership may be gone, check it. */
  onWriteRefused: () => void;
}

export class SchedulerController {
  readonly view: ClusterView;
  private readonly planOverlay = new WriteOverlay<PlacementPlan>();
  private readonly requestOverlay = new WriteOverlay<ModelRequest>();
  private readonly ownPlanRevisions = new Map<string, number>();
  private readonly ownPlanDeletes = new Set<string>();
  private readonly dirtyUids = new Set<string>();
  private readonly dirtyNodes = new Set<string>();
  private dirtyCapacity = false;
  private dirtyAll = false;
  /** Absent nodes and since when, and the lost ones announced (see pass/node-grace.ts). */
  private grace: NodeGraceState = emptyNodeGrace();
  private readonly graceTimers = new Map<string, TimerHandle>();
  private readonly wakeTimers = new Map<string, TimerHandle>();
  private massVanishLogged = false;
  private active = false;
  private timer: TimerHandle | undefined;
  private resyncTimer: TimerHandle | undefined;
  private running: Promise<void> | undefined;
  private knownRevision = 0;
  private readonly events: EventQueue;
  /** Passes run so far (tests, benchmarks). */
  passes = 0;

  constructor(
    private readonly opts: ControllerOptions,
    private readonly deps: ControllerDeps,
  ) {
    this.events = new EventQueue(deps.recorder, { logger: deps.logger });
    this.view = new ClusterView({
      store: deps.store,
      clock: deps.clock,
      logger: deps.logger,
      resyncMs: opts.informerResyncMs,
      handlers: {
        model: (uid) => this.markUid(uid),
        node: (id) => {
          this.dirtyNodes.add(id);
          this.kick();
        },
        capacity: () => {
          this.dirtyCapacity = true;
          this.kick();
        },
        nodeGone: (id) => this.nodeGone(id),
        nodeBack: (id) => this.nodeBack(id),
        planEvent: (uid, rev) => this.planEvent(uid, rev),
      },
    });
  }

  /** Starts the informers; resolves once every prefix is listed. */
  async start(): Promise<void> {
    await this.view.start();
  }

  /** Leadership gained: replan everything once, then follow changes. */
  activate(): void {
    if (this.active) return;
    this.active = true;
    this.dirtyAll = true;
    const now = this.deps.clock.now();
    for (const id of this.grace.missingSince.keys()) this.armGrace(id, now);
    this.scheduleResync();
    this.kick();
  }

  /** Leadership lost: stop writing (in-flight writes fail on the fence anyway). */
  deactivate(): void {
    this.active = false;
    if (this.timer) this.deps.clock.clearTimeout(this.timer);
    if (this.resyncTimer) this.deps.clock.clearTimeout(this.resyncTimer);
    this.timer = undefined;
    this.resyncTimer = undefined;
    for (const t of this.graceTimers.values()) this.deps.clock.clearTimeout(t);
    this.graceTimers.clear();
    for (const t of this.wakeTimers.values()) this.deps.clock.clearTimeout(t);
    this.wakeTimers.clear();
  }

  async stop(): Promise<void> {
    this.deactivate();
    await this.running;
    await this.events.drain(2000);
    await this.view.stop();
  }

  /** Resolves when no pass is running or due (tests and benchmarks). */
  async idle(): Promise<void> {
    while (this.running || this.timer) {
      await (this.running ?? new Promise((r) => setTimeout(r, 5)));
    }
  }

  /** The plan of `uid` as this instance knows it (own writes included). */
  plan(uid: string): PlacementPlan | undefined {
    const key = keys.placement(uid);
    return this.planOverlay.resolve(key, this.view.placements.get(key))?.value;
  }

  private markUid(uid: string): void {
    this.dirtyUids.add(uid);
    this.kick();
  }

  private planEvent(uid: string, modRevision: number | undefined): void {
    if (
      modRevision === undefined
        ? this.ownPlanDeletes.delete(uid)
        : this.ownPlanRevisions.get(uid) === modRevision
    ) {
      return; // the echo of our own write
    }
    this.markUid(uid);
  }

  private nodeGone(id: string): void {
    const now = this.deps.clock.now();
    this.grace = noteNodeGone(this.grace, id, now);
    this.deps.logger.warn(
      { node: id, graceMs: this.opts.graceMs },
      'node status vanished; holding its replicas for the grace period',
    );
    if (this.active) this.armGrace(id, this.grace.missingSince.get(id) ?? now);
    this.dirtyCapacity = true;
    this.kick();
  }

  private nodeBack(id: string): void {
    if (this.grace.missingSince.has(id)) this.deps.logger.info({ node: id }, 'node is back');
    this.grace = noteNodeBack(this.grace, id);
    const t = this.graceTimers.get(id);
    if (t) this.deps.clock.clearTimeout(t);
    this.graceTimers.delete(id);
  }

  private armGrace(id: string, since: number): void {
    if (this.graceTimers.has(id)) return;
    const wait = Math.max(0, since + this.opts.graceMs - this.deps.clock.now()) + 10;
    this.graceTimers.set(
      id,
      this.deps.clock.setTimeout(() => {
        this.graceTimers.delete(id);
        this.dirtyNodes.add(id);
        this.kick();
      }, wait),
    );
  }

  private scheduleResync(): void {
    const every = this.opts.fullResyncMs ?? 60_000;
    if (every <= 0 || !this.active) return;
    this.resyncTimer = this.deps.clock.setTimeout(() => {
      this.dirtyAll = true;
      this.kick();
      this.scheduleResync();
    }, every);
  }

  private hasDirty(): boolean {
    return this.dirtyAll || this.dirtyCapacity || this.dirtyUids.size > 0 || this.dirtyNodes.size > 0;
  }

  private kick(): void {
    if (!this.active || this.timer || this.running) return;
    this.timer = this.deps.clock.setTimeout(() => {
      this.timer = undefined;
      this.running = this.pass()
        .catch((err: unknown) => {
          this.deps.logger.error({ err: errorMessage(err) }, 'reconcile pass failed; retrying');
          this.dirtyAll = true;
        })
        .finally(() => {
          this.running = undefined;
          if (this.hasDirty()) this.kick();
        });
    }, this.opts.debounceMs ?? 20);
  }

  private currentPlans(): Map<string, Typed<PlacementPlan>> {
    return withOverlay(this.view.placements, this.planOverlay, (p) => p.model_uid);
  }

  private currentRequests(): Map<string, Typed<ModelRequest>> {
    return withOverlay(this.view.requests, this.requestOverlay, (r) => r.request_id);
  }

  private async pass(): Promise<void> {
    if (!this.active || !this.view.synced) return;
    const endTimer = this.deps.metrics.reconcileDuration.startTimer();
    const started = performance.now();
    this.passes += 1;
    const { clock, metrics } = this.deps;
    const now = clock.now();
    this.planOverlay.prune(this.view.placements.stats.revision);
    this.requestOverlay.prune(this.view.requests.stats.revision);
    this.knownRevision = Math.max(this.knownRevision, this.view.revision());
    const plans = this.currentPlans();
    const requests = this.currentRequests();

    // Nodes: which absent ones keep their replicas, which lose them.
    const live = this.view.liveNodeIds();
    const referenced = new Set<string>();
    for (const t of plans.values()) for (const a of t.value.assignments) referenced.add(a.node_id);
    const step = nodeGraceStep(this.grace, {
      now,
      graceMs: this.opts.graceMs,
      live,
      referenced,
      draining: this.view.drainingNodeIds(),
    });
    this.grace = step.state;
    for (const id of step.newlyMissing) this.armGrace(id, now);
    const avail = step;
    if (avail.massVanish && !this.massVanishLogged) {
      this.deps.logger.error(
        { missing: [...avail.held], live: live.size },
        'more than half of the known nodes vanished together: holding their replicas (store or network problem?)',
      );
    }
    this.massVanishLogged = avail.massVanish;
    for (const id of step.newlyLost) {
      this.dirtyNodes.add(id);
      this.deps.logger.warn({ node: id }, 'node gone past the grace period: re-placing its replicas');
    }
    metrics.nodes.set({ state: 'live' }, live.size);
    metrics.nodes.set({ state: 'held' }, avail.held.size);
    metrics.nodes.set({ state: 'lost' }, avail.lost.size);

    // Which models to look at.
    const targets = new Set(this.dirtyUids);
    if (this.dirtyAll) {
      for (const uid of plans.keys()) targets.add(uid);
      for (const t of this.view.deployments.list()) targets.add(t.value.model_uid);
      for (const t of requests.values()) targets.add(t.value.spec.model_uid);
    }
    if (this.dirtyNodes.size > 0 || this.dirtyCapacity) {
      for (const [uid, t] of plans) {
        if (this.dirtyCapacity && t.value.unplaced) targets.add(uid);
        else if (t.value.assignments.some((a) => this.dirtyNodes.has(a.node_id))) targets.add(uid);
      }
    }
    this.dirtyUids.clear();
    this.dirtyNodes.clear();
    this.dirtyCapacity = false;
    this.dirtyAll = false;

    const out = computePass({
      now,
      knownRevision: this.knownRevision,
      targets,
      plans,
      requests,
      deploymentOf: (uid) => this.view.deployment(uid),
      specOf: (uid) => this.view.spec(uid),
      nodes: this.view.clusterNodes(),
      heldNodeIds: avail.held,
      cache: this.view.cache.list().map((t) => t.value),
      anyReady: (uid, ids) => this.view.anyReady(uid, ids),
      endpointsOf: (uid) => this.view.endpointsOf(uid),
      drainsOf: (uid) => this.view.drainsOf(uid),
    });
    for (const [uid, at] of out.wakeAt) this.wakeAt(uid, at);

    const planned = performance.now();
    const events: NewModelEvent[] = [];
    await runPool(out.ops, this.opts.writeConcurrency ?? 64, (op) => this.write(op, plans, events));
    // Events go out after the plans: a burst's plans do not wait behind (or compete with) their events.
    this.events.push(events);
    this.deps.logger.debug(
      {
        targets: targets.size,
        writes: out.ops.length,
        planMs: Math.round(planned - started),
        writeMs: Math.round(performance.now() - planned),
      },
      'reconcile pass',
    );

    let unplaced = 0;
    for (const t of plans.values()) unplaced += t.value.unplaced?.replicas ?? 0;
    metrics.unplaceable.set(unplaced);
    metrics.plans.set(plans.size);
    endTimer();
  }

  private async write(
    op: WriteOp,
    plans: Map<string, Typed<PlacementPlan>>,
    events: NewModelEvent[],
  ): Promise<void> {
    const fence = this.deps.fence();
    if (!fence || !this.active) return;
    let revision: number | undefined;
    try {
      revision = await executeOp(this.deps.store, fence, op);
    } catch (err) {
      this.deps.logger.warn({ err: errorMessage(err), model_uid: op.uid }, 'plan write failed; will retry');
      this.retryLater(op.uid, 1000);
      return;
    }
    if (revision === undefined) {
      this.deps.metrics.conflicts.inc();
      this.deps.onWriteRefused();
      this.retryLater(op.uid, 200);
      return;
    }
    this.knownRevision = Math.max(this.knownRevision, revision);
    const { metrics } = this.deps;
    if (touchesPlan(op)) {
      const key = keys.placement(op.uid);
      if (op.planPut) {
        const item: Typed<PlacementPlan> = {
          key,
          value: op.planPut,
          modRevision: revision,
          createRevision: op.prevPlan?.createRevision ?? revision,
          version: (op.prevPlan?.version ?? 0) + 1,
        };
        this.planOverlay.set(key, item, revision);
        this.ownPlanRevisions.set(op.uid, revision);
        plans.set(op.uid, item);
        metrics.plansWritten.inc({ op: 'put' });
      } else {
        this.planOverlay.set(key, undefined, revision);
        this.ownPlanRevisions.delete(op.uid);
        if (op.prevPlan) this.ownPlanDeletes.add(op.uid);
        plans.delete(op.uid);
        metrics.plansWritten.inc({ op: 'delete' });
      }
      if (op.counts.scheduled) metrics.placements.inc({ kind: 'scheduled' }, op.counts.scheduled);
      if (op.counts.rescheduled) metrics.placements.inc({ kind: 'rescheduled' }, op.counts.rescheduled);
      if (op.counts.removed) metrics.placements.inc({ kind: 'removed' }, op.counts.removed);
    }
    if (touchesRequest(op) && op.prevRequest) {
      const key = op.prevRequest.key;
      const item = op.requestPut
        ? {
            ...op.prevRequest,
            value: op.requestPut,
            modRevision: revision,
            version: op.prevRequest.version + 1,
          }
        : undefined;
      this.requestOverlay.set(key, item, revision);
    }
    events.push(...op.events);
  }

  /** Looks at `uid` again at `at` (a rollout's progress deadline); one timer per model, the latest wins. */
  private wakeAt(uid: string, at: number): void {
    const old = this.wakeTimers.get(uid);
    if (old) this.deps.clock.clearTimeout(old);
    const wait = Math.max(0, at - this.deps.clock.now());
    this.wakeTimers.set(
      uid,
      this.deps.clock.setTimeout(() => {
        this.wakeTimers.delete(uid);
        this.markUid(uid);
      }, wait),
    );
  }

  private retryLater(uid: string, ms: number): void {
    this.deps.clock.setTimeout(() => this.markUid(uid), ms);
  }
}

/**
 * An informer's objects by id (`idOf`; the id is also the last segment of their key), with our own writes
 * its watch has not delivered yet laid over them: written ones replace, deleted ones go.
 */
function withOverlay<T>(
  informer: Pick<Informer<T>, 'list' | 'get'>,
  overlay: WriteOverlay<T>,
  idOf: (value: T) => string,
): Map<string, Typed<T>> {
  const out = new Map<string, Typed<T>>();
  for (const t of informer.list()) out.set(idOf(t.value), t);
  for (const key of overlay.keys()) {
    const t = overlay.resolve(key, informer.get(key));
    const id = key.slice(key.lastIndexOf('/') + 1);
    if (t) out.set(id, t);
    else out.delete(id);
  }
  return out;
}
