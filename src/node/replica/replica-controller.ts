import type { TimerHandle } from '../../core/clock.js';
import { errorMessage } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { assertEngineConfig } from '../../engines/engine-config-check.js';
import { nextBackoff, type BackoffState } from './backoff.js';
import type { DesiredReplica } from './desired.js';
import {
  describeExit,
  type EngineProcess,
  type ExitInfo,
  withLogTail,
  probeOnce,
  type ReadinessSpec,
  waitUntilReady,
  watchReadiness,
} from '../engine/index.js';
import { ModelFilesError } from '../errors.js';
import { launchEngine } from './engine-launch.js';
import type { ReplicaRecord } from './node-state.js';
import { toEndpoint, toRecord, toView, type ReplicaFacts } from './replica-snapshot.js';
import type { ReplicaEnv, ReplicaEvent, ReplicaPhase, ReplicaView } from './replica-types.js';
import { SerialQueue } from './serial-queue.js';

/**
 * Supervises one replica on this node: files -> launch -> readiness -> ready, restarts with backoff after
 * crashes or lost readiness, restarts on a changed launch, stops when removed or force-stopped. Every state
 * change runs under one queue; the long waits (download, probes) run outside it and are cancelled through
 * an AbortSignal when the state moves on.
 */
export class ReplicaController {
  private phase: ReplicaPhase = 'idle';
  private desired: DesiredReplica;
  private appliedPlanVersion: number;
  private runningPlanVersion: number | undefined;
  private proc: EngineProcess | undefined;
  private restarts = 0;
  private backoff: BackoffState = { failures: 0 };
  private lastError: string | undefined;
  private startedAt: number | undefined;
  private readyAt: number | undefined;
  private nextRestartAt: number | undefined;
  private held: { planVersion: number; reason: string } | undefined;
  private attempt: AbortController | undefined;
  private timer: TimerHandle | undefined;
  private countRestart = false;
  private dirty = false;
  private disposed = false;
  private readonly lock = new SerialQueue();
  /** Set while the replica is being removed; the reconciler waits for it before planning it again. */
  removing: Promise<void> | undefined;

  constructor(
    private readonly env: ReplicaEnv,
    desired: DesiredReplica,
    restore?: ReplicaRecord,
  ) {
    this.desired = desired;
    this.appliedPlanVersion = desired.planVersion;
    if (restore) {
      this.restarts = restore.restarts;
      if (restore.held) this.held = { planVersion: restore.held.plan_version, reason: restore.held.reason };
      if (restore.started_at) this.startedAt = Date.parse(restore.started_at);
      this.adoptedWasReady = restore.ready_at !== undefined;
    }
  }

  get key(): string {
    return this.desired.key;
  }

  /** Starts supervising: adopts `adopted` when given, else launches (or stays held). */
  start(adopted?: EngineProcess): Promise<void> {
    return this.lock.run(async () => {
      if (this.disposed) return;
      if (this.held && this.desired.planVersion <= this.held.planVersion) {
        if (adopted) await adopted.terminate(this.env.timing.forceStopGraceMs);
        this.phase = 'held';
        this.lastError = this.held.reason;
        await this.publish();
        return;
      }
      this.held = undefined;
      if (adopted) {
        this.proc = adopted;
        this.watchExit(adopted);
        this.phase = 'starting';
        this.log().info({ pid: adopted.pid }, 'adopted running engine');
        await this.publish();
        this.env.onChange();
        this.beginAttempt('adopt');
      } else {
        this.beginAttempt('launch');
      }
    });
  }

  /** True when `d` differs from what this controller was last given (a new plan version or launch). */
  wants(d: DesiredReplica): boolean {
    return d.planVersion !== this.desired.planVersion || d.fingerprint !== this.desired.fingerprint;
  }

  /** A new plan for this replica: restart when the launch changed, else just record the plan version. */
  update(desired: DesiredReplica): Promise<void> {
    return this.lock.run(async () => {
      if (this.disposed) return;
      const prev = this.desired;
      this.desired = desired;
      if (this.held) {
        if (desired.planVersion > this.held.planVersion) {
          this.held = undefined;
          this.resetForNewLaunch(desired);
          this.beginAttempt('launch');
          this.env.onChange();
        }
        return;
      }
      if (desired.fingerprint !== prev.fingerprint) {
        this.cancelAttempt();
        this.clearTimer();
        if (this.proc) {
          this.phase = 'stopping';
          await this.publish();
          await this.stopProcess(this.env.timing.stopGraceMs);
        }
        this.resetForNewLaunch(desired);
        this.event({
          type: 'restarted',
          message: `plan version ${desired.planVersion} changed the launch; restarting`,
        });
        this.beginAttempt('launch');
      } else if (desired.planVersion !== this.appliedPlanVersion) {
        this.appliedPlanVersion = desired.planVersion;
        if (this.phase === 'ready' || this.phase === 'unready') this.runningPlanVersion = desired.planVersion;
        await this.publish();
        this.env.onChange();
      }
    });
  }

  /** Removed from the plan: stop the engine and delete the endpoint (if this node still holds it). */
  remove(reason = 'removed from the placement plan'): Promise<void> {
    this.removing ??= this.lock.run(async () => {
      if (this.disposed) return;
      this.disposed = true;
      this.cancelAttempt();
      this.clearTimer();
      if (this.proc) {
        this.phase = 'stopping';
        await this.publish(false);
        await this.stopProcess(this.env.timing.stopGraceMs);
      }
      this.phase = 'idle';
      await this.env.writer
        .remove(this.desired.modelUid, this.desired.replicaId)
        .catch((err: unknown) => this.log().warn({ err: errorMessage(err) }, 'could not delete endpoint'));
      this.event({ type: 'stopped', message: `engine stopped: ${reason}` });
      this.env.onChange();
    });
    return this.removing;
  }

  /** Operator force-stop: kill the engine and keep it down until the plan changes. */
  forceStop(reason = 'force-stopped by operator'): Promise<void> {
    return this.lock.run(async () => {
      if (this.disposed) return;
      this.cancelAttempt();
      this.clearTimer();
      this.held = { planVersion: this.desired.planVersion, reason };
      if (this.proc) {
        this.phase = 'stopping';
        await this.publish();
        await this.stopProcess(this.env.timing.forceStopGraceMs);
      }
      this.phase = 'held';
      this.lastError = reason;
      this.readyAt = undefined;
      this.runningPlanVersion = undefined;
      this.nextRestartAt = undefined;
      await this.publish();
      this.event({ type: 'stopped', level: 'warning', message: reason });
      this.env.onChange();
    });
  }

  /** Agent shutdown: stop the engine and delete the endpoint, or leave the engine running for adoption. */
  shutdown(keepEngines: boolean): Promise<void> {
    return this.lock.run(async () => {
      if (this.disposed) return;
      this.disposed = true;
      this.cancelAttempt();
      this.clearTimer();
      if (keepEngines) {
        this.proc?.detach();
        return;
      }
      if (this.proc) {
        this.phase = 'stopping';
        await this.publish(false);
        await this.stopProcess(this.env.timing.stopGraceMs);
      }
      this.phase = 'idle';
      await this.env.writer.remove(this.desired.modelUid, this.desired.replicaId).catch(() => undefined);
      this.event({ type: 'stopped', message: 'engine stopped: node agent shutting down' });
    });
  }

  /** Writes the endpoint again if an earlier write failed (called on resync). */
  republishIfDirty(): Promise<void> {
    return this.lock.run(async () => {
      if (this.dirty && !this.disposed) await this.publish();
    });
  }

  /** Record for the state file. */
  record(): ReplicaRecord {
    return toRecord(this.facts());
  }

  view(): ReplicaView {
    return toView(this.facts());
  }

  private facts(): ReplicaFacts {
    return {
      desired: this.desired,
      phase: this.phase,
      proc: this.proc,
      appliedPlanVersion: this.appliedPlanVersion,
      runningPlanVersion: this.runningPlanVersion,
      restarts: this.restarts,
      lastError: this.lastError,
      startedAt: this.startedAt,
      readyAt: this.readyAt,
      nextRestartAt: this.nextRestartAt,
      held: this.held,
      lastLogPath: this.lastLogPath,
    };
  }

  /** Plan version the replica should run (latest plan) minus the one its ready process serves. */
  planVersionLag(): number {
    if (this.held) return 0;
    return this.desired.planVersion - (this.runningPlanVersion ?? 0);
  }

  /** GPU memory this replica holds while its engine runs. */
  reservation(): { gpuIndices: number[]; bytes: number } | undefined {
    if (!this.proc?.running) return undefined;
    return {
      gpuIndices: this.desired.assignment.gpu_indices,
      bytes: this.desired.assignment.gpu_memory_bytes,
    };
  }

  get modelUid(): string {
    return this.desired.modelUid;
  }

  get replicaId(): number {
    return this.desired.replicaId;
  }

  /** Port of a running engine (excluded from the node's foreign-ports report). */
  runningPort(): number | undefined {
    return this.proc?.running ? this.desired.assignment.port : undefined;
  }

  // ---- internals (called under the lock unless said otherwise) ----

  private lastLogPath: string | undefined;
  /** The adopted engine had been ready under the previous agent (so it is not still loading weights). */
  private adoptedWasReady = false;

  private log(): Logger {
    return this.env.logger.child({ model_uid: this.desired.modelUid, replica_id: this.desired.replicaId });
  }

  private event(e: ReplicaEvent): void {
    this.env.event(this.desired, this.appliedPlanVersion, e);
  }

  private resetForNewLaunch(desired: DesiredReplica): void {
    this.appliedPlanVersion = desired.planVersion;
    this.runningPlanVersion = undefined;
    this.restarts = 0;
    this.backoff = { failures: 0 };
    this.lastError = undefined;
    this.readyAt = undefined;
    this.nextRestartAt = undefined;
  }

  private cancelAttempt(): void {
    this.attempt?.abort(new Error('replica state changed'));
    this.attempt = undefined;
  }

  private clearTimer(): void {
    if (this.timer) this.env.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }

  private async stopProcess(graceMs: number): Promise<void> {
    const p = this.proc;
    if (!p) return;
    p.expectedExit = true;
    await p.terminate(graceMs);
    this.proc = undefined;
    this.env.onChange();
  }

  private watchExit(p: EngineProcess): void {
    void p.exited.then((info) => this.lock.run(() => this.onExit(p, info)));
  }

  private async onExit(p: EngineProcess, info: ExitInfo): Promise<void> {
    if (p !== this.proc || p.expectedExit || this.disposed) return;
    this.proc = undefined;
    this.cancelAttempt();
    const what = p.adopted ? 'exited (adopted engine: exit status unknown)' : describeExit(info);
    this.lastError = withLogTail(`engine ${what}`, p.logPath);
    this.log().warn({ pid: p.pid, exit: info }, 'engine exited unexpectedly');
    this.event({ type: 'crashed', level: 'error', message: `engine (pid ${p.pid}) ${what}` });
    await this.scheduleRestart(true);
  }

  /** Stops a running engine that failed its probes and schedules the restart. */
  private async failRunning(p: EngineProcess, signal: AbortSignal, reason: string): Promise<void> {
    if (signal.aborted || this.proc !== p || this.disposed) return;
    this.cancelAttempt();
    this.lastError = withLogTail(reason, p.logPath);
    this.log().warn({ pid: p.pid, reason }, 'engine failed; restarting');
    this.event({ type: 'failed', level: 'error', message: reason });
    await this.stopProcess(this.env.timing.stopGraceMs);
    await this.scheduleRestart(true);
  }

  /** Download or launch failed before an engine ran. */
  private async failAttempt(signal: AbortSignal, err: unknown): Promise<void> {
    if (signal.aborted || this.disposed) return;
    this.attempt = undefined;
    this.lastError = errorMessage(err);
    const download = err instanceof ModelFilesError;
    this.log().warn({ err: this.lastError }, download ? 'model files unavailable' : 'engine launch failed');
    this.event({ type: download ? 'download_failed' : 'failed', level: 'error', message: this.lastError });
    await this.scheduleRestart(false);
  }

  private async scheduleRestart(countsAsRestart: boolean): Promise<void> {
    const now = this.env.clock.now();
    const { state, delayMs } = nextBackoff(this.env.timing.backoff, this.backoff, now, this.readyAt);
    this.backoff = state;
    this.readyAt = undefined;
    this.runningPlanVersion = undefined;
    this.countRestart = countsAsRestart;
    this.phase = 'backoff';
    this.nextRestartAt = now + delayMs;
    await this.publish();
    this.env.onChange();
    this.timer = this.env.clock.setTimeout(() => void this.lock.run(() => this.restartNow()), delayMs);
  }

  private restartNow(): void {
    this.timer = undefined;
    if (this.disposed || this.phase !== 'backoff') return;
    if (this.countRestart) {
      this.restarts += 1;
      this.env.onRestart(this.desired.modelUid);
      this.event({ type: 'restarted', message: `restarting engine (restart ${this.restarts})` });
    }
    this.nextRestartAt = undefined;
    this.beginAttempt('launch');
  }

  private beginAttempt(mode: 'launch' | 'adopt'): void {
    this.cancelAttempt();
    const ctl = new AbortController();
    this.attempt = ctl;
    void this.runAttempt(ctl.signal, mode).catch((err: unknown) =>
      this.log().error({ err: errorMessage(err) }, 'replica attempt crashed'),
    );
  }

  /** Runs outside the lock: download, launch, wait for readiness, then watch health. */
  private async runAttempt(signal: AbortSignal, mode: 'launch' | 'adopt'): Promise<void> {
    const d = this.desired;
    const t = this.env.timing;
    try {
      const adapter = await this.env.loadAdapter(d.spec.engine_type);
      let proc: EngineProcess | undefined;
      if (mode === 'launch') {
        // Defence in depth: the server checked engine_config against the engine's contract, but a spec can
        // reach the store another way (restore, an old server); nothing refused by the contract is spawned.
        assertEngineConfig(d.spec.engine_type, d.spec.engine_config);
        // Before any download: a node without the engine cannot run this replica, however long it waits.
        const executable = await this.env.engineExecutable(d.spec.engine_type);
        await this.lock.run(async () => {
          if (signal.aborted) return;
          this.phase = 'downloading';
          await this.publish();
        });
        if (signal.aborted) return;
        const files = await this.env.modelFiles.ensure({
          spec: d.spec,
          modelUid: d.modelUid,
          replicaId: d.replicaId,
          signal,
        });
        if (signal.aborted) return;
        const launch = adapter.buildLaunch({
          spec: d.spec,
          assignment: d.assignment,
          host: this.env.engineHost,
          modelPath: files.modelPath,
          cacheDir: this.env.modelFiles.cacheDir,
          gpuMemoryTotalBytes: this.env.gpuMemoryTotal(d.assignment.gpu_indices) || undefined,
          nebulaBin: this.env.nebulaBin,
          env: files.env,
          ...(files.adapters ? { adapters: files.adapters } : {}),
          ...(executable !== undefined ? { executable } : {}),
        });
        proc = await this.lock.run(async () => {
          if (signal.aborted || this.disposed) return undefined;
          const p = await launchEngine({
            dataDir: this.env.dataDir,
            replica: d,
            restarts: this.restarts,
            launch,
            filesEnv: files.env,
            keepLogs: t.keepLogs,
          });
          this.proc = p;
          this.lastLogPath = p.logPath;
          this.startedAt = this.env.clock.now();
          this.readyAt = undefined;
          this.phase = 'starting';
          this.watchExit(p);
          // The state file must know the pid before anything else can go wrong (agent kill -9).
          this.env.onChange();
          this.log().info({ pid: p.pid, port: d.assignment.port, log: p.logPath }, 'engine launched');
          this.event({
            type: 'starting',
            message: `engine started (pid ${p.pid}, port ${d.assignment.port})`,
          });
          await this.publish();
          return p;
        });
      } else {
        proc = this.proc;
      }
      if (!proc) return;
      await this.superviseReadiness(
        signal,
        proc,
        adapter.readiness,
        mode === 'adopt' && this.adoptedWasReady,
      );
    } catch (err) {
      if (signal.aborted) return;
      await this.lock.run(() => this.failAttempt(signal, err));
    }
  }

  /** Waits for readiness (then marks ready), then watches it; failures stop the engine and back off. */
  private async superviseReadiness(
    signal: AbortSignal,
    proc: EngineProcess,
    readiness: ReadinessSpec,
    wasReady: boolean,
  ): Promise<void> {
    const t = this.env.timing;
    const loop = {
      probe: () => probeOnce(this.desired.assignment.port, readiness, t.probeTimeoutMs, this.env.fetch),
      clock: this.env.clock,
      signal,
      alive: () => proc.running && this.proc === proc,
    };
    // An adopted engine that was already serving gets a short deadline: if it does not answer now it hung,
    // and waiting the full startup timeout (meant for weight loading) would keep it out of service.
    const limit = wasReady ? Math.min(t.startupTimeoutMs, t.adoptReadyTimeoutMs) : t.startupTimeoutMs;
    const started = await waitUntilReady({ ...loop, intervalMs: t.probeIntervalMs, timeoutMs: limit });
    if (started === 'timeout') {
      const reason = `engine not ready after ${Math.round(limit / 1000)} s`;
      await this.lock.run(() => this.failRunning(proc, signal, reason));
      return;
    }
    if (started === 'gone') return;
    await this.lock.run(async () => {
      if (signal.aborted || this.proc !== proc || this.disposed) return;
      this.phase = 'ready';
      this.readyAt = this.env.clock.now();
      this.runningPlanVersion = this.appliedPlanVersion;
      this.lastError = undefined;
      this.nextRestartAt = undefined;
      this.log().info({ pid: proc.pid }, 'engine ready');
      this.event({
        type: 'ready',
        message: `engine ready on ${this.env.address}:${this.desired.assignment.port}`,
      });
      await this.publish();
      this.env.onChange();
    });
    const lost = `readiness lost: ${t.healthFailureThreshold} consecutive probes of ${readiness.path} failed`;
    const health = await watchReadiness({
      ...loop,
      intervalMs: t.healthIntervalMs,
      threshold: t.healthFailureThreshold,
      restartAfterMs: t.unhealthyRestartMs,
      onUnready: () => this.lock.run(() => this.markUnready(proc, signal, lost)),
      onRecovered: () => this.lock.run(() => this.markRecovered(proc, signal)),
    });
    if (health.result === 'unhealthy') {
      const reason =
        t.unhealthyRestartMs > 0
          ? `${lost}, and no answer for ${Math.round(t.unhealthyRestartMs / 1000)} s since`
          : lost;
      await this.lock.run(() => this.failRunning(proc, signal, reason));
    }
  }

  /** A ready engine stopped answering: out of rotation at once (the router drops non-ready endpoints). */
  private async markUnready(p: EngineProcess, signal: AbortSignal, lost: string): Promise<void> {
    if (signal.aborted || this.proc !== p || this.disposed || this.phase !== 'ready') return;
    const now = this.env.clock.now();
    this.phase = 'unready';
    this.nextRestartAt = now + this.env.timing.unhealthyRestartMs;
    this.lastError = `${lost}; out of rotation, restarted at ${new Date(this.nextRestartAt).toISOString()} unless it answers again`;
    this.log().warn({ pid: p.pid }, 'engine stopped answering its readiness probe; out of rotation');
    this.event({ type: 'failed', level: 'warning', message: this.lastError });
    await this.publish();
    this.env.onChange();
  }

  /** The engine answers again before its restart: back in rotation. */
  private async markRecovered(p: EngineProcess, signal: AbortSignal): Promise<void> {
    if (signal.aborted || this.proc !== p || this.disposed || this.phase !== 'unready') return;
    this.phase = 'ready';
    this.lastError = undefined;
    this.nextRestartAt = undefined;
    this.log().info({ pid: p.pid }, 'engine answers its readiness probe again');
    this.event({
      type: 'ready',
      message: `engine answers again on ${this.env.address}:${this.desired.assignment.port}`,
    });
    await this.publish();
    this.env.onChange();
  }

  private async publish(takeOver = true): Promise<void> {
    const ep = toEndpoint(this.facts(), this.env.nodeId, this.env.address, this.env.clock.now());
    if (!ep) return;
    try {
      await this.env.writer.publish(ep, takeOver);
      this.dirty = false;
    } catch (err) {
      this.dirty = true;
      this.log().warn({ err: errorMessage(err) }, 'could not publish endpoint; will retry');
    }
  }
}
