import type { TimerHandle } from '../../core/clock.js';
import { errorMessage } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { assertEngineConfig } from '../../engines/engine-config-check.js';
import type { DesiredReplica } from './desired.js';
import {
  describeExit,
  drainInFlight,
  type EngineProcess,
  type ExitInfo,
  probeOnce,
  readInFlight,
  type ReadinessSpec,
  waitUntilReady,
  watchReadiness,
  withLogTail,
} from '../engine/index.js';
import { ModelFilesError } from '../errors.js';
import { listeningTcpPorts } from '../proc/index.js';
import { launchEngine } from './engine-launch.js';
import {
  initialState,
  transition,
  type Cut,
  type LifecycleEffect,
  type LifecycleEvent,
  type LifecycleState,
} from './lifecycle.js';
import type { ReplicaRecord } from './node-state.js';
import { toEndpoint, toRecord, toView, type ReplicaFacts } from './replica-snapshot.js';
import type { ReplicaEnv, ReplicaView } from './replica-types.js';
import { SerialQueue } from './serial-queue.js';

/**
 * How the engines say their listen address was taken: Node and Python (`EADDRINUSE`, `[Errno 98] Address
 * already in use`), llama.cpp's server (`couldn't bind HTTP server socket`).
 */
const BIND_FAILED = /EADDRINUSE|address already in use|couldn't bind|could not bind/i;

/**
 * Supervises one replica on this node. The decisions are the pure lifecycle core's (lifecycle.ts: files ->
 * launch -> readiness -> ready, restarts with backoff, restart on a changed launch, graceful retirement,
 * force-stop, shutdown); this class only interprets its effects (spawn, probe, publish, signal, timers)
 * and feeds what happened back as events. Every transition runs under one queue; the long waits
 * (download, probes) run outside it and are cancelled through an AbortSignal when the state moves on. A
 * drain runs inside it (nothing else may change a leaving replica) and is cut short through `hurry()`.
 */
export class ReplicaController {
  private state: LifecycleState;
  private desired: DesiredReplica;
  private proc: EngineProcess | undefined;
  private lastLogPath: string | undefined;
  /** The adopted engine had been ready under the previous agent (so it is not still loading weights). */
  private readonly adoptedWasReady: boolean;
  private attempt: AbortController | undefined;
  private timer: TimerHandle | undefined;
  private draining: AbortController | undefined;
  /** Set when the replica's drain was cut short: why, and the SIGKILL delay of its stop. */
  private cut: Cut | undefined;
  private dirty = false;
  private readonly lock = new SerialQueue();
  /** Set while the replica is being removed; the reconciler waits for it before planning it again. */
  removing: Promise<void> | undefined;

  constructor(
    private readonly env: ReplicaEnv,
    desired: DesiredReplica,
    restore?: ReplicaRecord,
  ) {
    this.desired = desired;
    this.state = initialState(
      desired.planVersion,
      restore && {
        restarts: restore.restarts,
        ...(restore.held
          ? { held: { planVersion: restore.held.plan_version, reason: restore.held.reason } }
          : {}),
        ...(restore.started_at ? { startedAt: Date.parse(restore.started_at) } : {}),
      },
    );
    this.adoptedWasReady = restore?.ready_at !== undefined;
  }

  get key(): string {
    return this.desired.key;
  }

  /** Starts supervising: adopts `adopted` when given, else launches (or stays held). */
  start(adopted?: EngineProcess): Promise<void> {
    return this.lock.run(async () => {
      if (adopted && !this.state.disposed) {
        this.proc = adopted;
        this.watchExit(adopted);
      }
      await this.apply({ type: 'start', adopted: adopted !== undefined, wasReady: this.adoptedWasReady });
    });
  }

  /** True when `d` differs from what this controller was last given (a new plan version or launch). */
  wants(d: DesiredReplica): boolean {
    return d.planVersion !== this.desired.planVersion || d.fingerprint !== this.desired.fingerprint;
  }

  /** A new plan for this replica: restart when the launch changed, else just record the plan version. */
  update(desired: DesiredReplica): Promise<void> {
    return this.lock.run(async () => {
      if (this.state.disposed) return;
      const launchChanged = desired.fingerprint !== this.desired.fingerprint;
      this.desired = desired;
      await this.apply({ type: 'plan', planVersion: desired.planVersion, launchChanged });
    });
  }

  /**
   * Removed from the plan (rollout, scale-down, drain migration, stop or delete): retired gracefully. A
   * serving engine is published `draining` (routers stop picking it), gets `graceMs` to finish its
   * in-flight requests (read from its own metrics), then SIGTERM and SIGKILL after the stop grace. The
   * endpoint is deleted at the end (if this node still holds it). `hurry()` cuts the drain short.
   */
  remove(reason = 'removed from the placement plan', graceMs = this.desired.drainGraceMs): Promise<void> {
    this.removing ??= this.lock.run(() =>
      this.apply({ type: 'remove', reason, graceMs, ...(this.cut ? { cut: this.cut } : {}) }),
    );
    return this.removing;
  }

  /**
   * Ends a drain now (agent shutdown, operator force-stop): the engine is stopped at once, with SIGKILL
   * after `killGraceMs`. No effect when the replica is not being removed.
   */
  hurry(killGraceMs: number, why: string): void {
    if (!this.removing || this.cut) return;
    this.cut = { killGraceMs, why };
    this.draining?.abort(new Error(why));
  }

  /** Operator force-stop: kill the engine and keep it down until the plan changes. */
  forceStop(reason = 'force-stopped by operator'): Promise<void> {
    if (this.removing) {
      // Leaving already: force-stop keeps its meaning (stop now), it just ends the drain.
      this.hurry(this.env.timing.forceStopGraceMs, reason);
      return this.removing;
    }
    return this.lock.run(() => this.apply({ type: 'force-stop', reason }));
  }

  /** Agent shutdown: stop the engine and delete the endpoint, or leave the engine running for adoption. */
  shutdown(keepEngines: boolean): Promise<void> {
    return this.lock.run(() => this.apply({ type: 'shutdown', keepEngines }));
  }

  /** Writes the endpoint again if an earlier write failed (called on resync). */
  republishIfDirty(): Promise<void> {
    return this.lock.run(async () => {
      if (this.dirty && !this.state.disposed) await this.publish(true);
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
    const s = this.state;
    return {
      desired: this.desired,
      phase: s.phase,
      proc: this.proc,
      appliedPlanVersion: s.appliedPlanVersion,
      runningPlanVersion: s.runningPlanVersion,
      restarts: s.restarts,
      lastError: s.lastError,
      startedAt: s.startedAt,
      readyAt: s.readyAt,
      nextRestartAt: s.nextRestartAt,
      held: s.held,
      lastLogPath: this.lastLogPath,
    };
  }

  /** Plan version the replica should run (latest plan) minus the one its ready process serves. */
  planVersionLag(): number {
    if (this.state.held) return 0;
    return this.desired.planVersion - (this.state.runningPlanVersion ?? 0);
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

  // ---- the interpreter (called under the lock) ----

  /** One transition of the core, then its effects in order. */
  private async apply(ev: LifecycleEvent): Promise<void> {
    const { state, effects } = transition(this.state, ev, {
      now: this.env.clock.now(),
      timing: this.env.timing,
      where: `${this.env.address}:${this.desired.assignment.port}`,
      port: this.desired.assignment.port,
    });
    this.state = state;
    for (const fx of effects) await this.run(fx, ev);
  }

  private async run(fx: LifecycleEffect, cause: LifecycleEvent): Promise<void> {
    switch (fx.type) {
      case 'publish':
        return this.publish(fx.takeOver);
      case 'attempt':
        return this.beginAttempt(fx.mode, fx.wasReady);
      case 'cancel-attempt':
        this.attempt?.abort(new Error('replica state changed'));
        this.attempt = undefined;
        return;
      case 'set-timer':
        this.timer = this.env.clock.setTimeout(() => {
          this.timer = undefined;
          void this.lock.run(() => this.apply({ type: 'restart-due' }));
        }, fx.ms);
        return;
      case 'clear-timer':
        if (this.timer) this.env.clock.clearTimeout(this.timer);
        this.timer = undefined;
        return;
      case 'stop':
        await this.stopProcess(fx.graceMs);
        return this.apply({ type: 'stopped' });
      case 'drain':
        return this.drain(fx.graceMs);
      case 'remove-endpoint':
        await this.env.writer.remove(this.desired.modelUid, this.desired.replicaId).catch((err: unknown) => {
          if (cause.type !== 'shutdown')
            this.log().warn({ err: errorMessage(err) }, 'could not delete endpoint');
        });
        return;
      case 'detach':
        this.proc?.detach();
        return;
      case 'event':
        this.env.event(this.desired, this.state.appliedPlanVersion, fx.event);
        return;
      case 'count-restart':
        this.env.onRestart(this.desired.modelUid);
        return;
      case 'changed':
        this.env.onChange();
        return;
      case 'report-ports':
        this.env.onPortTaken?.();
        return;
      case 'log': {
        const fields = {
          pid: this.proc?.pid,
          ...(this.state.lastError && fx.level === 'warn' ? { err: this.state.lastError } : {}),
        };
        if (fx.level === 'warn') this.log().warn(fields, fx.message);
        else this.log().info(fields, fx.message);
        return;
      }
    }
  }

  private log(): Logger {
    return this.env.logger.child({ model_uid: this.desired.modelUid, replica_id: this.desired.replicaId });
  }

  private async stopProcess(graceMs: number): Promise<void> {
    const p = this.proc;
    if (!p) return;
    p.expectedExit = true;
    await p.terminate(graceMs);
    this.proc = undefined;
    this.env.onChange();
  }

  /** Waits for the engine's in-flight requests within the grace, then feeds `drained`. */
  private async drain(graceMs: number): Promise<void> {
    const p = this.proc;
    const t = this.env.timing;
    const started = this.env.clock.now();
    const ctl = new AbortController();
    this.draining = ctl;
    if (this.cut) ctl.abort(new Error(this.cut.why));
    const names = (await this.env.loadAdapter(this.desired.spec.engine_type).catch(() => undefined))
      ?.metricNames;
    const port = this.desired.assignment.port;
    const outcome = await drainInFlight({
      clock: this.env.clock,
      alive: () => p?.running === true,
      // An adapter without metric names (test fakes) gets the settle time only.
      inFlight: names
        ? async () => {
            // A `draining` write that failed is retried here: the resync's retry waits behind this drain.
            if (this.dirty) await this.publish(false);
            return this.env.inFlight
              ? this.env.inFlight(port, names, t.probeTimeoutMs)
              : readInFlight(port, names, t.probeTimeoutMs, this.env.fetch);
          }
        : () => Promise.resolve({ kind: 'count', requests: 0 }),
      settleMs: t.drainSettleMs,
      graceMs,
      intervalMs: t.drainPollMs,
      signal: ctl.signal,
    });
    this.draining = undefined;
    const seconds = (this.env.clock.now() - started) / 1000;
    await this.apply({ type: 'drained', outcome, seconds, graceMs, ...(this.cut ? { cut: this.cut } : {}) });
  }

  private watchExit(p: EngineProcess): void {
    void p.exited.then((info) => this.lock.run(() => this.onExit(p, info)));
  }

  private async onExit(p: EngineProcess, info: ExitInfo): Promise<void> {
    if (p !== this.proc || p.expectedExit) return;
    this.proc = undefined;
    const what = p.adopted ? 'exited (adopted engine: exit status unknown)' : describeExit(info);
    const detail = withLogTail(`engine ${what}`, p.logPath);
    // An engine that dies while starting because another process won its port (two launches racing for
    // it) is not a crash: the port is reported and the scheduler gives the replica another one. Its own
    // bind error counts too, for a holder already gone again (the retry then finds the port free).
    if (
      !p.adopted &&
      this.state.phase === 'starting' &&
      (BIND_FAILED.test(detail) || (await this.portInUse()))
    ) {
      await this.apply({
        type: 'port-taken',
        pid: p.pid,
        detail: `engine ${what}: ${this.portTakenDetail()}`,
      });
      return;
    }
    await this.apply({ type: 'exited', pid: p.pid, what, detail });
  }

  private portInUse(): Promise<boolean> {
    const port = this.desired.assignment.port;
    const check = this.env.portInUse ?? ((n: number) => listeningTcpPorts().then((ps) => ps.includes(n)));
    return check(port).catch(() => false);
  }

  private portTakenDetail(): string {
    return (
      `port ${this.desired.assignment.port} on ${this.env.engineHost} is in use by a process Nebula did ` +
      'not start; waiting for the scheduler to assign another port'
    );
  }

  private beginAttempt(mode: 'launch' | 'adopt', wasReady: boolean): void {
    this.attempt?.abort(new Error('replica state changed'));
    const ctl = new AbortController();
    this.attempt = ctl;
    void this.runAttempt(ctl.signal, mode, wasReady).catch((err: unknown) =>
      this.log().error({ err: errorMessage(err) }, 'replica attempt crashed'),
    );
  }

  /** Feeds an event of the attempt `signal` belongs to, unless the state has moved on since. */
  private feed(signal: AbortSignal, ev: LifecycleEvent, proc?: EngineProcess): Promise<void> {
    return this.lock.run(async () => {
      if (signal.aborted || (proc && this.proc !== proc)) return;
      await this.apply(ev);
    });
  }

  /** Runs outside the lock: download, launch, wait for readiness, then watch health. */
  private async runAttempt(signal: AbortSignal, mode: 'launch' | 'adopt', wasReady: boolean): Promise<void> {
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
        await this.feed(signal, { type: 'downloading' });
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
          if (signal.aborted || this.state.disposed) return undefined;
          if (await this.portInUse()) {
            await this.apply({ type: 'port-taken', detail: this.portTakenDetail() });
            return undefined;
          }
          const p = await (this.env.launch ?? launchEngine)({
            dataDir: this.env.dataDir,
            replica: d,
            restarts: this.state.restarts,
            launch,
            filesEnv: files.env,
            keepLogs: t.keepLogs,
          });
          this.proc = p;
          this.lastLogPath = p.logPath;
          this.watchExit(p);
          // The state file must know the pid before anything else can go wrong (agent kill -9): the
          // transition's first effect is `changed`.
          await this.apply({ type: 'launched', pid: p.pid });
          return p;
        });
      } else {
        proc = this.proc;
      }
      if (!proc) return;
      await this.superviseReadiness(signal, proc, adapter.readiness, mode === 'adopt' && wasReady);
    } catch (err) {
      if (signal.aborted) return;
      const error = errorMessage(err);
      await this.feed(signal, { type: 'attempt-failed', error, download: err instanceof ModelFilesError });
    }
  }

  /** Waits for readiness, then watches it; the core decides what each outcome means. */
  private async superviseReadiness(
    signal: AbortSignal,
    proc: EngineProcess,
    readiness: ReadinessSpec,
    wasReady: boolean,
  ): Promise<void> {
    const t = this.env.timing;
    const loop = {
      probe: () =>
        this.env.probe
          ? this.env.probe(this.desired.assignment.port, readiness, t.probeTimeoutMs)
          : probeOnce(this.desired.assignment.port, readiness, t.probeTimeoutMs, this.env.fetch),
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
      const detail = withLogTail(reason, proc.logPath);
      await this.feed(signal, { type: 'failed', reason, detail }, proc);
      return;
    }
    if (started === 'gone') return;
    await this.feed(signal, { type: 'ready' }, proc);
    const lost = `readiness lost: ${t.healthFailureThreshold} consecutive probes of ${readiness.path} failed`;
    const health = await watchReadiness({
      ...loop,
      intervalMs: t.healthIntervalMs,
      threshold: t.healthFailureThreshold,
      restartAfterMs: t.unhealthyRestartMs,
      onUnready: () => this.feed(signal, { type: 'unready', reason: lost }, proc),
      onRecovered: () => this.feed(signal, { type: 'recovered' }, proc),
    });
    if (health.result === 'unhealthy') {
      const why =
        t.unhealthyRestartMs > 0
          ? `${lost}, and no answer for ${Math.round(t.unhealthyRestartMs / 1000)} s since`
          : lost;
      await this.feed(signal, { type: 'failed', reason: why, detail: withLogTail(why, proc.logPath) }, proc);
    }
  }

  private async publish(takeOver: boolean): Promise<void> {
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
