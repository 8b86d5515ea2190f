import type { Clock, TimerHandle } from '../../core/clock.js';
import { errorMessage } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import type { Store } from '../../store/types.js';
import {
  desiredReplicas,
  drainGraceOf,
  replicaKey,
  type DesiredReplica,
  planAdoption,
  readStateFile,
  writeStateFile,
  type ReplicaRecord,
  ReplicaController,
  type ReplicaEnv,
  type ReplicaView,
} from '../replica/index.js';
import { EngineProcess } from '../engine/index.js';
import type { GpuReservation } from '../gpu/index.js';
import { findOrphanEngines } from '../orphans/index.js';
import { PlacementWatch } from './placement-watch.js';
import { isSameProcessAlive, signalSafe } from '../proc/index.js';

export interface ReconcilerOptions {
  nodeId: string;
  dataDir: string;
  stateFile: string;
  resyncMs: number;
  clock: Clock;
  logger: Logger;
  /** Observes each reconcile pass (metrics). */
  onReconciled?: (seconds: number) => void;
}

/**
 * Makes this node run what the placement plans assign to it: one ReplicaController per (model, replica),
 * created, updated or removed as plans change. On its first pass it adopts the engines a previous agent
 * left running (state file), stops those no longer planned, and kills orphans it has no record of.
 */
export class Reconciler {
  private readonly controllers = new Map<string, ReplicaController>();
  private readonly watch: PlacementWatch;
  private carry = new Map<string, ReplicaRecord>();
  private adopted = false;
  private running = false;
  private again = false;
  private stopped = false;
  private synced = false;
  private idle: Promise<void> = Promise.resolve();
  private republishTimer: TimerHandle | undefined;

  constructor(
    private readonly store: Store,
    private readonly env: Omit<ReplicaEnv, 'onChange'>,
    private readonly opts: ReconcilerOptions,
  ) {
    this.watch = new PlacementWatch(store, {
      clock: opts.clock,
      logger: opts.logger,
      resyncMs: opts.resyncMs,
      onChange: () => {
        this.synced = true;
        this.trigger();
      },
    });
  }

  async start(): Promise<void> {
    await this.watch.start();
    await this.waitIdle();
    this.scheduleRepublish();
  }

  /** Asks for a reconcile pass (coalesced: one runs at a time, and one more runs if asked meanwhile). */
  trigger(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = true;
    this.idle = (async () => {
      try {
        do {
          this.again = false;
          await this.pass();
        } while (this.again && !this.stopped);
      } catch (err) {
        this.opts.logger.error({ err: errorMessage(err) }, 'reconcile pass failed');
      } finally {
        this.running = false;
      }
    })();
  }

  /** Resolves when no reconcile pass is running. */
  async waitIdle(): Promise<void> {
    while (this.running) await this.idle;
  }

  private async pass(): Promise<void> {
    if (!this.synced) return;
    const started = process.hrtime.bigint();
    const desired = desiredReplicas(this.watch.plans.values(), this.opts.nodeId);
    if (!this.adopted) {
      this.adopted = true;
      await this.adopt(desired);
    }
    for (const [key, d] of desired) {
      const c = this.controllers.get(key);
      if (c?.removing) continue; // re-created once its removal is done (that triggers another pass)
      if (c) {
        // Not awaited: a restart waits for the old engine to stop, which must not hold up other replicas.
        if (c.wants(d)) void c.update(d);
        continue;
      }
      this.startController(d, this.carry.get(key));
      this.carry.delete(key);
    }
    for (const [key, c] of this.controllers) {
      if (desired.has(key) || c.removing) continue;
      // The grace of the plan that removed it; its own plan's when the whole plan is gone.
      const plan = this.watch.plans.get(c.modelUid);
      const grace = plan ? drainGraceOf(plan) : undefined;
      void c.remove(undefined, grace).finally(() => {
        if (this.controllers.get(key) === c) this.controllers.delete(key);
        this.persist();
        this.trigger();
      });
    }
    this.persist();
    this.opts.onReconciled?.(Number(process.hrtime.bigint() - started) / 1e9);
  }

  private startController(d: DesiredReplica, restore?: ReplicaRecord, adopted?: EngineProcess): void {
    const c = new ReplicaController({ ...this.env, onChange: () => this.persist() }, d, restore);
    this.controllers.set(d.key, c);
    void c.start(adopted);
  }

  /** First pass: adopt, stop or forget what the previous agent left, then kill unrecorded orphans. */
  private async adopt(desired: Map<string, DesiredReplica>): Promise<void> {
    const state = readStateFile(this.opts.stateFile);
    if (state.error)
      this.opts.logger.warn({ err: state.error }, 'node state file unreadable; starting fresh');
    const plan = planAdoption(state.records, desired, (pid, st) => isSameProcessAlive(pid, st));
    const grace = this.env.timing.stopGraceMs;
    await Promise.all(
      plan.kill.map(async (r) => {
        if (r.pid === undefined || r.start_time === undefined) return;
        this.opts.logger.info(
          { model_uid: r.model_uid, replica_id: r.replica_id, pid: r.pid },
          'stopping engine left by a previous agent',
        );
        await EngineProcess.adopt(r.pid, r.start_time, r.log_path ?? '', 100).terminate(grace);
      }),
    );
    for (const r of plan.carry) this.carry.set(replicaKey(r.model_uid, r.replica_id), r);
    const keep = new Set<number>();
    for (const r of plan.adopt) {
      const d = desired.get(replicaKey(r.model_uid, r.replica_id));
      if (!d || r.pid === undefined || r.start_time === undefined) continue;
      keep.add(r.pid);
      const proc = EngineProcess.adopt(r.pid, r.start_time, r.log_path ?? '', this.env.timing.adoptPollMs);
      this.startController(d, r, proc);
    }
    const orphans = findOrphanEngines(this.opts.dataDir, keep);
    for (const o of orphans) {
      this.opts.logger.warn(
        { pid: o.pid, replica: o.replica },
        'killing orphaned engine with no state record',
      );
      if (!signalSafe(-o.pgid, 'SIGKILL')) signalSafe(o.pid, 'SIGKILL');
    }
    // Wait until they are gone, so a relaunch does not find their ports still taken.
    for (let i = 0; i < 50 && orphans.some((o) => isSameProcessAlive(o.pid, o.startTime)); i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Writes the state file from the controllers (synchronously: it must be current if we are killed). */
  persist(): void {
    if (!this.adopted) return;
    const records = [...this.controllers.values()].map((c) => c.record());
    try {
      writeStateFile(this.opts.stateFile, this.opts.nodeId, records, new Date(this.opts.clock.now()));
    } catch (err) {
      this.opts.logger.error({ err: errorMessage(err) }, 'could not write the node state file');
    }
  }

  private scheduleRepublish(): void {
    if (this.stopped) return;
    this.republishTimer = this.opts.clock.setTimeout(() => {
      void Promise.all([...this.controllers.values()].map((c) => c.republishIfDirty())).finally(() =>
        this.scheduleRepublish(),
      );
    }, this.opts.resyncMs);
  }

  /** Operator force-stop of this node's replicas of a model (or one replica). Returns the replicas hit. */
  async forceStop(modelUid: string, replicaId?: number): Promise<number[]> {
    // A replica being drained is hit too: force-stop means stop now, so its drain is cut short.
    const hit = [...this.controllers.values()].filter(
      (c) => c.modelUid === modelUid && (replicaId === undefined || c.replicaId === replicaId),
    );
    await Promise.all(hit.map((c) => c.forceStop()));
    this.persist();
    return hit.map((c) => c.replicaId).sort((a, b) => a - b);
  }

  views(): ReplicaView[] {
    return [...this.controllers.values()]
      .map((c) => c.view())
      .sort((a, b) =>
        a.model_uid === b.model_uid ? a.replica_id - b.replica_id : a.model_uid < b.model_uid ? -1 : 1,
      );
  }

  controllersList(): ReplicaController[] {
    return [...this.controllers.values()];
  }

  /** GPU memory held by running engines, per GPU index. */
  reservations(): Map<number, GpuReservation> {
    const out = new Map<number, GpuReservation>();
    for (const c of this.controllers.values()) {
      const r = c.reservation();
      if (!r) continue;
      for (const i of r.gpuIndices) {
        const cur = out.get(i) ?? { bytes: 0, engines: 0 };
        out.set(i, { bytes: cur.bytes + r.bytes, engines: cur.engines + 1 });
      }
    }
    return out;
  }

  /** Ports of running engines. */
  ownPorts(): Set<number> {
    const out = new Set<number>();
    for (const c of this.controllers.values()) {
      const p = c.runningPort();
      if (p !== undefined) out.add(p);
    }
    return out;
  }

  /** Stops watching and, unless `keepEngines`, stops every engine and deletes its endpoint. */
  async stop(keepEngines: boolean): Promise<void> {
    this.stopped = true;
    if (this.republishTimer) this.opts.clock.clearTimeout(this.republishTimer);
    await this.watch.stop();
    await this.waitIdle();
    // Shutdown never waits for a drain (Ctrl-C of `nebula up` must end in bounded time): drains are cut.
    for (const c of this.controllers.values())
      c.hurry(this.env.timing.stopGraceMs, 'node agent shutting down');
    await Promise.all([...this.controllers.values()].map((c) => c.removing ?? c.shutdown(keepEngines)));
    if (!keepEngines) this.controllers.clear();
    this.persist();
  }
}
