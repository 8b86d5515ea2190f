import type { Clock, TimerHandle } from '../core/clock.js';
import type { Endpoint } from '../core/domain/index.js';
import { errorMessage } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { nextBackoff, type BackoffState } from './backoff.js';
import type { ModelFiles } from './cache/types.js';
import type { DesiredReplica } from './desired.js';
import type { EndpointWriter } from './endpoint-writer.js';
import type { EngineAdapterLoader, NebulaBin } from './engine-contract.js';
import { describeExit, EngineProcess, type ExitInfo } from './engine-process.js';
import { ModelFilesError } from './errors.js';
import { nextLogNumber, pruneReplicaLogs, replicaLogDir, replicaLogPath, tailFile } from './log-files.js';
import type { ReplicaRecord } from './node-state.js';
import { probeOnce, type ReadinessSpec } from './probe.js';
import {
  AGENT_MARKER_ENV,
  endpointStatusOf,
  REPLICA_MARKER_ENV,
  type ReplicaEvent,
  type ReplicaPhase,
  type ReplicaTiming,
  type ReplicaView,
} from './replica-types.js';
import { SerialQueue } from './serial-queue.js';

/** What a replica controller needs from the agent. */
export interface ReplicaEnv {
  nodeId: string;
  address: string;
  dataDir: string;
  engineHost: string;
  clock: Clock;
  logger: Logger;
  writer: EndpointWriter;
  modelFiles: ModelFiles;
  loadAdapter: EngineAdapterLoader;
  nebulaBin: NebulaBin;
  timing: ReplicaTiming;
  /** Smallest total memory of the given GPUs. */
  gpuMemoryTotal(indices: readonly number[]): number;
  /** Records a lifecycle event for this replica (fire and forget). */
  event(replica: DesiredReplica, planVersion: number, e: ReplicaEvent): void;
  /** Something the state file or metrics show changed. */
  onChange(): void;
  /** An engine was restarted after a failure. */
  onRestart(modelUid: string): void;
  fetch?: typeof fetch;
}

const LOG_LINES_IN_ERROR = 10;

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
        if (this.phase === 'ready') this.runningPlanVersion = desired.planVersion;
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
    const d = this.desired;
    const r: ReplicaRecord = {
      model_uid: d.modelUid,
      replica_id: d.replicaId,
      port: d.assignment.port,
      fingerprint: d.fingerprint,
      plan_version: this.appliedPlanVersion,
      restarts: this.restarts,
    };
    if (this.proc?.running) {
      r.pid = this.proc.pid;
      r.start_time = this.proc.startTime;
      r.log_path = this.proc.logPath;
    }
    if (this.startedAt !== undefined) r.started_at = new Date(this.startedAt).toISOString();
    if (this.readyAt !== undefined) r.ready_at = new Date(this.readyAt).toISOString();
    if (this.held) r.held = { plan_version: this.held.planVersion, reason: this.held.reason };
    return r;
  }

  view(): ReplicaView {
    const d = this.desired;
    const iso = (t: number | undefined) => (t === undefined ? undefined : new Date(t).toISOString());
    return {
      model_uid: d.modelUid,
      replica_id: d.replicaId,
      phase: this.phase,
      status: endpointStatusOf(this.phase),
      pid: this.proc?.running ? this.proc.pid : undefined,
      port: d.assignment.port,
      gpu_indices: d.assignment.gpu_indices,
      plan_version: this.appliedPlanVersion,
      running_plan_version: this.runningPlanVersion,
      restarts: this.restarts,
      adopted: this.proc?.adopted ?? false,
      last_error: this.lastError,
      started_at: iso(this.startedAt),
      ready_at: iso(this.readyAt),
      next_restart_at: iso(this.nextRestartAt),
      log_path: this.proc?.logPath ?? this.lastLogPath,
      held: this.held !== undefined,
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
        });
        proc = await this.lock.run(async () => {
          if (signal.aborted || this.disposed) return undefined;
          const dir = replicaLogDir(this.env.dataDir, d.modelUid, d.replicaId);
          const logPath = replicaLogPath(
            this.env.dataDir,
            d.modelUid,
            d.replicaId,
            nextLogNumber(dir, this.restarts),
          );
          const p = await EngineProcess.spawn({
            command: launch.command,
            argv: launch.argv,
            env: {
              ...stringEnv(process.env),
              ...files.env,
              ...launch.env,
              [AGENT_MARKER_ENV]: this.env.dataDir,
              [REPLICA_MARKER_ENV]: d.key,
            },
            logPath,
          });
          pruneReplicaLogs(dir, t.keepLogs);
          this.proc = p;
          this.lastLogPath = logPath;
          this.startedAt = this.env.clock.now();
          this.readyAt = undefined;
          this.phase = 'starting';
          this.watchExit(p);
          // The state file must know the pid before anything else can go wrong (agent kill -9).
          this.env.onChange();
          this.log().info({ pid: p.pid, port: d.assignment.port, log: logPath }, 'engine launched');
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
      await this.waitReady(signal, proc, adapter.readiness, mode === 'adopt' && this.adoptedWasReady);
      await this.watchHealth(signal, proc, adapter.readiness);
    } catch (err) {
      if (signal.aborted) return;
      await this.lock.run(() => this.failAttempt(signal, err));
    }
  }

  private async waitReady(
    signal: AbortSignal,
    proc: EngineProcess,
    readiness: ReadinessSpec,
    wasReady: boolean,
  ): Promise<void> {
    const t = this.env.timing;
    // An adopted engine that was already serving gets a short deadline: if it does not answer now it hung,
    // and waiting the full startup timeout (meant for weight loading) would keep it out of service.
    const limit = wasReady ? Math.min(t.startupTimeoutMs, t.adoptReadyTimeoutMs) : t.startupTimeoutMs;
    const deadline = this.env.clock.now() + limit;
    for (;;) {
      if (signal.aborted || !proc.running) return;
      if (await probeOnce(this.desired.assignment.port, readiness, t.probeTimeoutMs, this.env.fetch)) break;
      if (this.env.clock.now() > deadline) {
        const secs = Math.round(limit / 1000);
        await this.lock.run(() => this.failRunning(proc, signal, `engine not ready after ${secs} s`));
        return;
      }
      await this.env.clock.sleep(t.probeIntervalMs, signal);
    }
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
  }

  private async watchHealth(
    signal: AbortSignal,
    proc: EngineProcess,
    readiness: ReadinessSpec,
  ): Promise<void> {
    const t = this.env.timing;
    let failures = 0;
    for (;;) {
      await this.env.clock.sleep(t.healthIntervalMs, signal);
      if (signal.aborted || !proc.running || this.proc !== proc) return;
      if (await probeOnce(this.desired.assignment.port, readiness, t.probeTimeoutMs, this.env.fetch)) {
        failures = 0;
        continue;
      }
      failures += 1;
      if (failures >= t.healthFailureThreshold) {
        const reason = `readiness lost: ${failures} consecutive probes of ${readiness.path} failed`;
        await this.lock.run(() => this.failRunning(proc, signal, reason));
        return;
      }
    }
  }

  private async publish(takeOver = true): Promise<void> {
    const status = endpointStatusOf(this.phase);
    if (!status) return;
    const d = this.desired;
    const iso = (t: number | undefined) => (t === undefined ? undefined : new Date(t).toISOString());
    const ep: Endpoint = {
      model_uid: d.modelUid,
      replica_id: d.replicaId,
      node_id: this.env.nodeId,
      address: this.env.address,
      port: d.assignment.port,
      engine_type: d.spec.engine_type,
      served_model_name: d.spec.served_model_name ?? d.modelUid,
      status,
      plan_version: this.appliedPlanVersion,
      gpu_indices: d.assignment.gpu_indices,
      pid: this.proc?.running ? this.proc.pid : undefined,
      restarts: this.restarts,
      last_error: this.lastError?.slice(0, 4000),
      started_at: iso(this.startedAt),
      ready_at: this.phase === 'ready' ? iso(this.readyAt) : undefined,
      next_restart_at: this.phase === 'backoff' ? iso(this.nextRestartAt) : undefined,
      updated_at: new Date(this.env.clock.now()).toISOString(),
    };
    try {
      await this.env.writer.publish(ep, takeOver);
      this.dirty = false;
    } catch (err) {
      this.dirty = true;
      this.log().warn({ err: errorMessage(err) }, 'could not publish endpoint; will retry');
    }
  }
}

function withLogTail(reason: string, logPath: string): string {
  const tail = tailFile(logPath, LOG_LINES_IN_ERROR, 16 * 1024).trimEnd();
  return tail ? `${reason}; last log lines:\n${tail}` : reason;
}

function stringEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined) out[k] = v;
  return out;
}
