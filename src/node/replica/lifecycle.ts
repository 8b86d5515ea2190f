import { nextBackoff, type BackoffState } from './backoff.js';
import type { ReplicaEvent, ReplicaPhase, ReplicaTiming } from './replica-types.js';

/**
 * The lifecycle of one replica as a pure transition function: (state, event) -> (next state, effects).
 * It decides; the ReplicaController interprets the effects (launch, probe, publish, signal, timers) and
 * feeds what happened back as events. Nothing here reads a clock or touches a process: `now` and the
 * timings come in the context, so every transition is a table test (replica/lifecycle.test.ts).
 */

/** Why a stop was asked for, which decides where the replica goes once its engine is gone. */
export type AfterStop =
  /** Failed probes: restart after the backoff. */
  | { then: 'backoff' }
  /** The plan changed the launch: start the new one at once. */
  | { then: 'relaunch'; planVersion: number }
  /** Force-stopped (or held when the agent restarted): stay down until the plan changes. */
  | { then: 'held'; announce: boolean }
  /** Left the plan: delete the endpoint; `drained` says how the drain ended, for the event. */
  | { then: 'gone'; reason: string; drained: string }
  /** Agent shutdown. */
  | { then: 'shutdown' };

export interface LifecycleState {
  phase: ReplicaPhase;
  /** An engine process runs for this replica (spawned or adopted). */
  running: boolean;
  /** The plan version the replica should run (the latest plan naming it). */
  planVersion: number;
  /** The plan version it applies (the endpoint's plan_version). */
  appliedPlanVersion: number;
  /** The plan version its ready process serves. */
  runningPlanVersion: number | undefined;
  restarts: number;
  backoff: BackoffState;
  /** The next restart after a backoff counts as a restart (a failed download does not). */
  countRestart: boolean;
  lastError: string | undefined;
  startedAt: number | undefined;
  readyAt: number | undefined;
  nextRestartAt: number | undefined;
  held: { planVersion: number; reason: string } | undefined;
  /** Set while an engine is being stopped: what follows. */
  afterStop: AfterStop | undefined;
  /** Removed or shut down: no further launch, ever. */
  disposed: boolean;
}

/** What happened, as the controller saw it. */
export type LifecycleEvent =
  /** Supervision begins; `adopted` when a previous agent's engine runs (it had been ready: `wasReady`). */
  | { type: 'start'; adopted: boolean; wasReady: boolean }
  /** The attempt began fetching model files. */
  | { type: 'downloading' }
  /** The engine process was spawned. */
  | { type: 'launched'; pid: number }
  /** Files or launch failed before an engine ran (`download`: the files). */
  | { type: 'attempt-failed'; error: string; download: boolean }
  | { type: 'ready' }
  /** A ready engine failed `threshold` probes in a row: out of rotation. */
  | { type: 'unready'; reason: string }
  | { type: 'recovered' }
  /** A running engine must be replaced: not ready by the startup deadline, or unready for too long. */
  | { type: 'failed'; reason: string; detail: string }
  /** The engine exited on its own. `what`: "exited with code 1". */
  | { type: 'exited'; pid: number; what: string; detail: string }
  /**
   * The replica's port is held by a process Nebula did not start: seen before the launch (no `pid`), or
   * after the engine (`pid`) exited while starting. Not the engine's failure: the node reports the port at
   * once so the scheduler gives the replica another; meanwhile it retries on the backoff (the other
   * process may leave), without counting a restart.
   */
  | { type: 'port-taken'; detail: string; pid?: number }
  /** The backoff timer fired. */
  | { type: 'restart-due' }
  /** The latest plan for this replica; `launchChanged` when its launch fingerprint differs. */
  | { type: 'plan'; planVersion: number; launchChanged: boolean }
  /** Left the plan for a planned reason; a serving engine drains for `graceMs` first (unless `cut`). */
  | { type: 'remove'; reason: string; graceMs: number; cut?: Cut }
  /** The drain ended. */
  | {
      type: 'drained';
      outcome: 'idle' | 'grace' | 'gone' | 'aborted';
      seconds: number;
      graceMs: number;
      cut?: Cut;
    }
  /** Operator force-stop: stop now and stay down until the plan changes. */
  | { type: 'force-stop'; reason: string }
  | { type: 'shutdown'; keepEngines: boolean }
  /** The engine is gone after a stop effect. */
  | { type: 'stopped' };

/** A drain cut short (agent shutdown, force-stop): why, and the SIGTERM-to-SIGKILL delay to use. */
export interface Cut {
  why: string;
  killGraceMs: number;
}

/** What the controller must do, in order. */
export type LifecycleEffect =
  | { type: 'publish'; takeOver: boolean }
  /** Starts an attempt: files -> spawn -> readiness (`launch`), or readiness of the adopted engine. */
  | { type: 'attempt'; mode: 'launch' | 'adopt'; wasReady: boolean }
  | { type: 'cancel-attempt' }
  | { type: 'set-timer'; ms: number }
  | { type: 'clear-timer' }
  /** SIGTERM to the engine's group, SIGKILL after `graceMs`; then feed `stopped`. */
  | { type: 'stop'; graceMs: number }
  /** Wait for in-flight requests (settle, then the engine's metrics) up to `graceMs`; then feed `drained`. */
  | { type: 'drain'; graceMs: number }
  | { type: 'remove-endpoint' }
  /** Leave the engine running for the next agent. */
  | { type: 'detach' }
  | { type: 'event'; event: ReplicaEvent }
  /** A restart after a failure (the node's restart counter). */
  | { type: 'count-restart' }
  /** Something the state file or metrics show changed. */
  | { type: 'changed' }
  /** Publish the node's status now (its ports in use changed): the scheduler moves the replica's port. */
  | { type: 'report-ports' }
  | { type: 'log'; level: 'info' | 'warn'; message: string };

export interface LifecycleContext {
  now: number;
  timing: Pick<ReplicaTiming, 'backoff' | 'stopGraceMs' | 'forceStopGraceMs' | 'unhealthyRestartMs'>;
  /** `address:port` of the engine, for messages. */
  where: string;
  port: number;
}

export interface Transition {
  state: LifecycleState;
  effects: LifecycleEffect[];
}

/** The state of a replica first given to this node (or restored from the state file). */
export function initialState(
  planVersion: number,
  restore?: { restarts: number; held?: { planVersion: number; reason: string }; startedAt?: number },
): LifecycleState {
  return {
    phase: 'idle',
    running: false,
    planVersion,
    appliedPlanVersion: planVersion,
    runningPlanVersion: undefined,
    restarts: restore?.restarts ?? 0,
    backoff: { failures: 0 },
    countRestart: false,
    lastError: undefined,
    startedAt: restore?.startedAt,
    readyAt: undefined,
    nextRestartAt: undefined,
    held: restore?.held,
    afterStop: undefined,
    disposed: false,
  };
}

const serving = (p: ReplicaPhase) => p === 'ready' || p === 'unready';

/** The one transition function. Events that do not apply in a state change nothing. */
export function transition(s: LifecycleState, ev: LifecycleEvent, ctx: LifecycleContext): Transition {
  const fx: LifecycleEffect[] = [];
  const st: LifecycleState = { ...s };
  const out = (): Transition => ({ state: st, effects: fx });

  /** Stops the running engine; `after` decides what follows once it is gone. */
  const stop = (phase: ReplicaPhase, graceMs: number, after: AfterStop, publish: boolean | 'no-takeover') => {
    st.phase = phase;
    st.afterStop = after;
    if (publish) fx.push({ type: 'publish', takeOver: publish === true });
    fx.push({ type: 'stop', graceMs });
  };
  const scheduleRestart = (counts: boolean) => {
    const { state, delayMs } = nextBackoff(ctx.timing.backoff, st.backoff, ctx.now, st.readyAt);
    st.backoff = state;
    st.readyAt = undefined;
    st.runningPlanVersion = undefined;
    st.countRestart = counts;
    st.phase = 'backoff';
    st.nextRestartAt = ctx.now + delayMs;
    fx.push({ type: 'publish', takeOver: true }, { type: 'changed' }, { type: 'set-timer', ms: delayMs });
  };
  const resetForNewLaunch = (planVersion: number) => {
    st.appliedPlanVersion = planVersion;
    st.runningPlanVersion = undefined;
    st.restarts = 0;
    st.backoff = { failures: 0 };
    st.lastError = undefined;
    st.readyAt = undefined;
    st.nextRestartAt = undefined;
  };
  const enterHeld = (announce: boolean, changed = true) => {
    const reason = st.held?.reason ?? 'held';
    st.phase = 'held';
    st.lastError = reason;
    st.readyAt = undefined;
    st.runningPlanVersion = undefined;
    st.nextRestartAt = undefined;
    fx.push({ type: 'publish', takeOver: true });
    if (announce) fx.push({ type: 'event', event: { type: 'stopped', level: 'warning', message: reason } });
    if (changed) fx.push({ type: 'changed' });
  };
  const gone = (message: string) => {
    st.phase = 'idle';
    st.running = false;
    fx.push(
      { type: 'remove-endpoint' },
      { type: 'event', event: { type: 'stopped', message } },
      { type: 'changed' },
    );
  };
  const launch = () => fx.push({ type: 'attempt', mode: 'launch', wasReady: false });
  /** A serving change (ready, out of rotation, back): logged, announced, published at once. */
  const servingChanged = (level: 'info' | 'warn', log: string, event: ReplicaEvent) =>
    fx.push(
      { type: 'log', level, message: log },
      { type: 'event', event },
      { type: 'publish', takeOver: true },
      { type: 'changed' },
    );

  switch (ev.type) {
    case 'start': {
      if (st.disposed) return out();
      if (st.held && st.planVersion <= st.held.planVersion) {
        if (ev.adopted) {
          st.running = true;
          stop('stopping', ctx.timing.forceStopGraceMs, { then: 'held', announce: false }, false);
        } else {
          // Held at start: the state file already says so; only the endpoint is written.
          enterHeld(false, false);
        }
        return out();
      }
      st.held = undefined;
      if (ev.adopted) {
        st.running = true;
        st.phase = 'starting';
        fx.push(
          { type: 'log', level: 'info', message: 'adopted running engine' },
          { type: 'publish', takeOver: true },
          { type: 'changed' },
          { type: 'attempt', mode: 'adopt', wasReady: ev.wasReady },
        );
      } else launch();
      return out();
    }

    case 'downloading':
      if (st.disposed || st.running) return out();
      st.phase = 'downloading';
      fx.push({ type: 'publish', takeOver: true });
      return out();

    case 'launched':
      if (st.disposed) return out();
      st.running = true;
      st.startedAt = ctx.now;
      st.readyAt = undefined;
      st.phase = 'starting';
      fx.push(
        { type: 'changed' },
        { type: 'log', level: 'info', message: 'engine launched' },
        {
          type: 'event',
          event: { type: 'starting', message: `engine started (pid ${ev.pid}, port ${ctx.port})` },
        },
        { type: 'publish', takeOver: true },
      );
      return out();

    case 'attempt-failed':
      if (st.disposed || st.running) return out();
      st.lastError = ev.error;
      fx.push(
        {
          type: 'log',
          level: 'warn',
          message: ev.download ? 'model files unavailable' : 'engine launch failed',
        },
        {
          type: 'event',
          event: { type: ev.download ? 'download_failed' : 'failed', level: 'error', message: ev.error },
        },
      );
      scheduleRestart(false);
      return out();

    case 'ready':
      if (st.disposed || !st.running || st.phase !== 'starting') return out();
      st.phase = 'ready';
      st.readyAt = ctx.now;
      st.runningPlanVersion = st.appliedPlanVersion;
      st.lastError = undefined;
      st.nextRestartAt = undefined;
      servingChanged('info', 'engine ready', { type: 'ready', message: `engine ready on ${ctx.where}` });
      return out();

    case 'unready':
      if (st.disposed || st.phase !== 'ready') return out();
      st.phase = 'unready';
      st.nextRestartAt = ctx.now + ctx.timing.unhealthyRestartMs;
      st.lastError = `${ev.reason}; out of rotation, restarted at ${new Date(st.nextRestartAt).toISOString()} unless it answers again`;
      servingChanged('warn', 'engine stopped answering its readiness probe; out of rotation', {
        type: 'failed',
        level: 'warning',
        message: st.lastError,
      });
      return out();

    case 'recovered':
      if (st.disposed || st.phase !== 'unready') return out();
      st.phase = 'ready';
      st.lastError = undefined;
      st.nextRestartAt = undefined;
      servingChanged('info', 'engine answers its readiness probe again', {
        type: 'ready',
        message: `engine answers again on ${ctx.where}`,
      });
      return out();

    case 'failed':
      if (st.disposed || !st.running || st.afterStop) return out();
      st.lastError = ev.detail;
      fx.push(
        { type: 'cancel-attempt' },
        { type: 'log', level: 'warn', message: 'engine failed; restarting' },
        { type: 'event', event: { type: 'failed', level: 'error', message: ev.reason } },
      );
      // The phase stays as it was (the endpoint already says failed or starting) until the restart is planned.
      stop(st.phase, ctx.timing.stopGraceMs, { then: 'backoff' }, false);
      return out();

    case 'exited':
      if (!st.running) return out();
      st.running = false;
      // An exit during a stop or drain is what was asked for (or makes the drain end): no restart.
      if (st.disposed || st.afterStop || st.phase === 'draining') return out();
      st.lastError = ev.detail;
      fx.push(
        { type: 'cancel-attempt' },
        { type: 'log', level: 'warn', message: 'engine exited unexpectedly' },
        {
          type: 'event',
          event: { type: 'crashed', level: 'error', message: `engine (pid ${ev.pid}) ${ev.what}` },
        },
      );
      scheduleRestart(true);
      return out();

    case 'port-taken': {
      if (st.disposed || st.afterStop || st.running !== (ev.pid !== undefined)) return out();
      st.running = false;
      st.lastError = ev.detail;
      // Still `starting` (not `backoff`, which shows as failed): nothing is wrong with the model or engine.
      st.phase = 'starting';
      const next = nextBackoff(ctx.timing.backoff, st.backoff, ctx.now, undefined);
      // The scheduler normally moves the port within a heartbeat; the retry is the fallback, never immediate.
      const delayMs = Math.max(next.delayMs, ctx.timing.backoff.initialMs);
      st.backoff = next.state;
      st.countRestart = false;
      st.readyAt = undefined;
      st.runningPlanVersion = undefined;
      st.nextRestartAt = ctx.now + delayMs;
      if (ev.pid !== undefined) fx.push({ type: 'cancel-attempt' });
      fx.push(
        { type: 'log', level: 'warn', message: 'engine port in use by another process' },
        { type: 'event', event: { type: 'starting', level: 'warning', message: ev.detail } },
        { type: 'publish', takeOver: true },
        { type: 'changed' },
        { type: 'report-ports' },
        { type: 'set-timer', ms: delayMs },
      );
      return out();
    }

    case 'restart-due': {
      if (st.disposed) return out();
      // A port wait is `starting` without an engine (the only such state); a failure's wait is `backoff`.
      const portWait = st.phase === 'starting' && !st.running && st.nextRestartAt !== undefined;
      if (st.phase !== 'backoff' && !portWait) return out();
      if (st.countRestart) {
        st.restarts += 1;
        fx.push(
          { type: 'count-restart' },
          {
            type: 'event',
            event: { type: 'restarted', message: `restarting engine (restart ${st.restarts})` },
          },
        );
      }
      st.nextRestartAt = undefined;
      launch();
      return out();
    }

    case 'plan': {
      if (st.disposed) return out();
      st.planVersion = ev.planVersion;
      if (st.held) {
        if (ev.planVersion > st.held.planVersion) {
          st.held = undefined;
          resetForNewLaunch(ev.planVersion);
          launch();
          fx.push({ type: 'changed' });
        }
        return out();
      }
      if (ev.launchChanged) {
        fx.push({ type: 'cancel-attempt' }, { type: 'clear-timer' });
        if (st.running) {
          stop('stopping', ctx.timing.stopGraceMs, { then: 'relaunch', planVersion: ev.planVersion }, true);
        } else relaunch(ev.planVersion);
      } else if (ev.planVersion !== st.appliedPlanVersion) {
        st.appliedPlanVersion = ev.planVersion;
        if (serving(st.phase)) st.runningPlanVersion = ev.planVersion;
        fx.push({ type: 'publish', takeOver: true }, { type: 'changed' });
      }
      return out();
    }

    case 'remove':
      if (st.disposed) return out();
      st.disposed = true;
      fx.push({ type: 'cancel-attempt' }, { type: 'clear-timer' });
      if (st.running && serving(st.phase) && !ev.cut) {
        // Retiring is a protocol (DESIGN §11): out of rotation, in-flight work finishes, then the stop.
        st.phase = 'draining';
        st.lastError = undefined;
        // Where it goes once drained; `drained` then asks for the stop.
        st.afterStop = { then: 'gone', reason: ev.reason, drained: '' };
        fx.push(
          { type: 'publish', takeOver: false },
          { type: 'changed' },
          { type: 'log', level: 'info', message: 'draining engine' },
          { type: 'drain', graceMs: ev.graceMs },
        );
      } else if (st.running) {
        const drained = ev.cut && serving(st.phase) ? ` (drain cut short: ${ev.cut.why})` : '';
        stop(
          'stopping',
          ev.cut?.killGraceMs ?? ctx.timing.stopGraceMs,
          { then: 'gone', reason: ev.reason, drained },
          'no-takeover',
        );
      } else gone(`engine stopped: ${ev.reason}`);
      return out();

    case 'drained': {
      if (st.phase !== 'draining' || st.afterStop?.then !== 'gone') return out();
      const reason = st.afterStop.reason;
      const drained =
        ev.outcome === 'idle'
          ? ` after draining (${ev.seconds.toFixed(1)} s, no request left)`
          : ev.outcome === 'grace'
            ? ` after its drain grace of ${Math.round(ev.graceMs / 1000)} s ran out with requests in flight`
            : ev.outcome === 'gone'
              ? ' (it exited while draining)'
              : ` (drain cut short: ${ev.cut?.why ?? 'cancelled'})`;
      fx.push({ type: 'log', level: 'info', message: 'drain ended' });
      if (st.running) {
        stop(
          'stopping',
          ev.cut?.killGraceMs ?? ctx.timing.stopGraceMs,
          { then: 'gone', reason, drained },
          'no-takeover',
        );
      } else {
        st.afterStop = undefined;
        gone(`engine stopped${drained}: ${reason}`);
      }
      return out();
    }

    case 'force-stop':
      if (st.disposed) return out();
      fx.push({ type: 'cancel-attempt' }, { type: 'clear-timer' });
      st.held = { planVersion: st.planVersion, reason: ev.reason };
      if (st.running) stop('stopping', ctx.timing.forceStopGraceMs, { then: 'held', announce: true }, true);
      else enterHeld(true);
      return out();

    case 'shutdown':
      if (st.disposed) return out();
      st.disposed = true;
      fx.push({ type: 'cancel-attempt' }, { type: 'clear-timer' });
      if (ev.keepEngines) {
        fx.push({ type: 'detach' });
        return out();
      }
      if (st.running) stop('stopping', ctx.timing.stopGraceMs, { then: 'shutdown' }, 'no-takeover');
      else {
        st.phase = 'idle';
        fx.push(
          { type: 'remove-endpoint' },
          { type: 'event', event: { type: 'stopped', message: 'engine stopped: node agent shutting down' } },
        );
      }
      return out();

    case 'stopped': {
      const after = st.afterStop;
      st.running = false;
      st.afterStop = undefined;
      fx.push({ type: 'changed' });
      if (!after) return out();
      switch (after.then) {
        case 'backoff':
          if (!st.disposed) scheduleRestart(true);
          break;
        case 'relaunch':
          if (!st.disposed) relaunch(after.planVersion);
          break;
        case 'held':
          enterHeld(after.announce);
          break;
        case 'gone':
          gone(`engine stopped${after.drained}: ${after.reason}`);
          break;
        case 'shutdown':
          st.phase = 'idle';
          fx.push(
            { type: 'remove-endpoint' },
            {
              type: 'event',
              event: { type: 'stopped', message: 'engine stopped: node agent shutting down' },
            },
          );
          break;
      }
      return out();
    }
  }

  function relaunch(planVersion: number): void {
    resetForNewLaunch(planVersion);
    fx.push({
      type: 'event',
      event: { type: 'restarted', message: `plan version ${planVersion} changed the launch; restarting` },
    });
    launch();
  }
}
