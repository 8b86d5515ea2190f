import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../core/clock.js';
import {
  initialState,
  transition,
  type LifecycleEffect,
  type LifecycleEvent,
  type LifecycleState,
} from './lifecycle.js';

const timing = {
  backoff: { initialMs: 10_000, maxMs: 40_000, resetAfterMs: 600_000 },
  stopGraceMs: 10_000,
  forceStopGraceMs: 2_000,
  unhealthyRestartMs: 10_000,
};

/** Drives the pure core under a fake clock: each step is one event at the clock's time. */
class Run {
  readonly clock = new FakeClock(0);
  state: LifecycleState;
  effects: LifecycleEffect[] = [];

  constructor(state = initialState(1)) {
    this.state = state;
  }

  on(ev: LifecycleEvent): this {
    const t = transition(this.state, ev, {
      now: this.clock.now(),
      timing,
      where: '10.0.0.1:9000',
      port: 9000,
    });
    this.state = t.state;
    this.effects = t.effects;
    return this;
  }

  async after(ms: number): Promise<this> {
    await this.clock.advance(ms);
    return this;
  }

  /** The effects' types, in order. */
  get fx(): string[] {
    return this.effects.filter((e) => e.type !== 'log').map((e) => e.type);
  }

  effect<T extends LifecycleEffect['type']>(type: T): Extract<LifecycleEffect, { type: T }> | undefined {
    return this.effects.find((e) => e.type === type) as Extract<LifecycleEffect, { type: T }> | undefined;
  }

  events(): string[] {
    return this.effects.flatMap((e) => (e.type === 'event' ? [`${e.event.type}: ${e.event.message}`] : []));
  }

  /** Launch -> ready. */
  ready(pid = 100): this {
    return this.on({ type: 'start', adopted: false, wasReady: false })
      .on({ type: 'downloading' })
      .on({ type: 'launched', pid })
      .on({ type: 'ready' });
  }
}

const exited = (pid = 100): LifecycleEvent => ({
  type: 'exited',
  pid,
  what: 'exited with code 1',
  detail: 'engine exited with code 1; last log lines: boom',
});

describe('replica lifecycle: launch', () => {
  it('start -> downloading -> starting -> ready, each publishing its endpoint', () => {
    const r = new Run().on({ type: 'start', adopted: false, wasReady: false });
    expect(r.state.phase).toBe('idle');
    expect(r.effects).toEqual([{ type: 'attempt', mode: 'launch', wasReady: false }]);
    r.on({ type: 'downloading' });
    expect([r.state.phase, r.fx]).toEqual(['downloading', ['publish']]);
    r.on({ type: 'launched', pid: 100 });
    // The state file learns the pid first (changed), before anything else can go wrong.
    expect([r.state.phase, r.fx]).toEqual(['starting', ['changed', 'event', 'publish']]);
    expect(r.state.running).toBe(true);
    r.on({ type: 'ready' });
    expect([r.state.phase, r.fx]).toEqual(['ready', ['event', 'publish', 'changed']]);
    expect(r.state).toMatchObject({ readyAt: 0, runningPlanVersion: 1, lastError: undefined });
    expect(r.events()).toEqual(['ready: engine ready on 10.0.0.1:9000']);
  });

  it('ignores probe results that no longer apply (ready twice, recovered while ready, ready before launch)', () => {
    const r = new Run().ready();
    for (const ev of [{ type: 'ready' }, { type: 'recovered' }] as LifecycleEvent[]) {
      const before = r.state;
      r.on(ev);
      expect(r.state).toEqual(before);
      expect(r.effects).toEqual([]);
    }
    expect(new Run().on({ type: 'ready' }).effects).toEqual([]);
  });
});

describe('replica lifecycle: a port taken by another process', () => {
  const taken = (pid?: number): LifecycleEvent => ({
    type: 'port-taken',
    detail: 'port 9000 on 127.0.0.1 is in use by a process Nebula did not start',
    ...(pid !== undefined ? { pid } : {}),
  });

  it('seen before the launch: stays starting (not failed), reports the ports and retries later, uncounted', async () => {
    const r = new Run().on({ type: 'start', adopted: false, wasReady: false }).on({ type: 'downloading' });
    r.on(taken());
    expect([r.state.phase, r.state.running]).toEqual(['starting', false]);
    expect(r.fx).toEqual(['event', 'publish', 'changed', 'report-ports', 'set-timer']);
    expect(r.state.lastError).toContain('in use by a process Nebula did not start');
    expect(r.events()[0]).toMatch(/^starting: port 9000/);
    // Never an immediate retry: the scheduler is expected to move the port first.
    const ms = r.effect('set-timer')!.ms;
    expect(ms).toBe(10_000);
    await r.after(ms);
    r.on({ type: 'restart-due' });
    expect(r.fx).toEqual(['attempt']);
    expect(r.state.restarts).toBe(0);
  });

  it('seen after the engine exited while starting: no crash event, no restart counted', () => {
    const r = new Run()
      .on({ type: 'start', adopted: false, wasReady: false })
      .on({ type: 'launched', pid: 7 });
    r.on(taken(7));
    expect([r.state.phase, r.state.running]).toEqual(['starting', false]);
    expect(r.fx).toEqual(['cancel-attempt', 'event', 'publish', 'changed', 'report-ports', 'set-timer']);
    expect(r.events().join()).not.toContain('crashed');
    // A report that does not match the state (no engine, or stopped on purpose) changes nothing.
    expect(new Run().on({ type: 'launched', pid: 7 }).on(taken()).effects).toEqual([]);
    expect(new Run().on(taken(7)).effects).toEqual([]);
  });

  it('a new port from the scheduler relaunches at once, cancelling the retry', () => {
    const r = new Run().on({ type: 'start', adopted: false, wasReady: false }).on(taken());
    r.on({ type: 'plan', planVersion: 2, launchChanged: true });
    expect(r.fx).toEqual(['cancel-attempt', 'clear-timer', 'event', 'attempt']);
    expect(r.state).toMatchObject({ appliedPlanVersion: 2, lastError: undefined, nextRestartAt: undefined });
    // The old timer cannot fire a second launch.
    expect(new Run(r.state).on({ type: 'restart-due' }).effects).toEqual([]);
  });
});

describe('replica lifecycle: crash loop and backoff', () => {
  it('restarts at once after the first crash, then 10 s doubling to the cap, counting restarts', async () => {
    const r = new Run().ready();
    const delays: number[] = [];
    for (let i = 0; i < 5; i++) {
      r.on(exited());
      expect(r.state.phase).toBe('backoff');
      expect(r.state.running).toBe(false);
      expect(r.fx).toEqual(['cancel-attempt', 'event', 'publish', 'changed', 'set-timer']);
      expect(r.state.lastError).toContain('last log lines');
      const ms = r.effect('set-timer')!.ms;
      delays.push(ms);
      expect(r.state.nextRestartAt).toBe(r.clock.now() + ms);
      await r.after(ms);
      r.on({ type: 'restart-due' });
      expect(r.fx).toEqual(['count-restart', 'event', 'attempt']);
      expect(r.state.restarts).toBe(i + 1);
      r.on({ type: 'launched', pid: 101 + i });
    }
    expect(delays).toEqual([0, 10_000, 20_000, 40_000, 40_000]);
    expect(r.events().at(-1)).toBe('starting: engine started (pid 105, port 9000)');
  });

  it('forgives the crash count after resetAfterMs of healthy running', async () => {
    const r = new Run().ready();
    r.on(exited());
    r.on({ type: 'restart-due' }).on({ type: 'launched', pid: 2 }).on(exited(2));
    expect(r.effect('set-timer')!.ms).toBe(10_000);
    await r.after(10_000);
    r.on({ type: 'restart-due' }).on({ type: 'launched', pid: 3 }).on({ type: 'ready' });
    await r.after(600_000);
    r.on(exited(3));
    expect(r.effect('set-timer')!.ms).toBe(0);
  });

  it('a failed download backs off without counting a restart', () => {
    const r = new Run().on({ type: 'start', adopted: false, wasReady: false }).on({ type: 'downloading' });
    r.on({ type: 'attempt-failed', error: 'HF 404', download: true });
    expect(r.state).toMatchObject({ phase: 'backoff', lastError: 'HF 404', countRestart: false });
    expect(r.events()).toEqual(['download_failed: HF 404']);
    r.on({ type: 'restart-due' });
    expect(r.fx).toEqual(['attempt']);
    expect(r.state.restarts).toBe(0);
  });

  it('a ready engine that stops answering leaves rotation, comes back on one answer, or is replaced', () => {
    const r = new Run().ready();
    r.on({ type: 'unready', reason: 'readiness lost' });
    expect(r.state).toMatchObject({ phase: 'unready', nextRestartAt: 10_000 });
    expect(r.fx).toEqual(['event', 'publish', 'changed']);
    r.on({ type: 'recovered' });
    expect(r.state).toMatchObject({ phase: 'ready', lastError: undefined, nextRestartAt: undefined });
    r.on({ type: 'unready', reason: 'readiness lost' });
    r.on({ type: 'failed', reason: 'no answer', detail: 'no answer; log' });
    expect(r.fx).toEqual(['cancel-attempt', 'event', 'stop']);
    expect(r.effect('stop')).toEqual({ type: 'stop', graceMs: 10_000 });
    // A crash report while it is being stopped is not a second failure.
    r.on(exited());
    expect(r.effects).toEqual([]);
    r.on({ type: 'stopped' });
    expect(r.state).toMatchObject({ phase: 'backoff', countRestart: true, lastError: 'no answer; log' });
  });

  it('an engine not ready by the startup deadline is stopped and restarted', () => {
    const r = new Run()
      .on({ type: 'start', adopted: false, wasReady: false })
      .on({ type: 'launched', pid: 1 });
    r.on({ type: 'failed', reason: 'engine not ready after 1800 s', detail: 'x' });
    expect(r.fx).toEqual(['cancel-attempt', 'event', 'stop']);
    r.on({ type: 'stopped' });
    expect(r.state.phase).toBe('backoff');
  });
});

describe('replica lifecycle: held (operator force-stop)', () => {
  it('force-stop kills at once and stays down until a newer plan', async () => {
    const r = new Run().ready();
    r.on({ type: 'force-stop', reason: 'force-stopped by operator' });
    expect(r.state.phase).toBe('stopping');
    expect(r.fx).toEqual(['cancel-attempt', 'clear-timer', 'publish', 'stop']);
    expect(r.effect('stop')!.graceMs).toBe(2_000);
    r.on({ type: 'stopped' });
    expect(r.state).toMatchObject({ phase: 'held', lastError: 'force-stopped by operator', running: false });
    expect(r.events()).toEqual(['stopped: force-stopped by operator']);
    await r.after(3_600_000);
    for (const ev of [
      { type: 'restart-due' },
      { type: 'plan', planVersion: 1, launchChanged: false },
    ] as LifecycleEvent[]) {
      r.on(ev);
      expect(r.fx).toEqual([]);
    }
    r.on({ type: 'plan', planVersion: 2, launchChanged: false });
    expect(r.fx).toEqual(['attempt', 'changed']);
    expect(r.state).toMatchObject({ held: undefined, appliedPlanVersion: 2, restarts: 0 });
  });

  it('a replica held under the previous agent stays held; an engine it left running is stopped', () => {
    const held = { planVersion: 3, reason: 'force-stopped by operator' };
    const cold = new Run(initialState(3, { restarts: 2, held })).on({
      type: 'start',
      adopted: false,
      wasReady: false,
    });
    expect(cold.state.phase).toBe('held');
    expect(cold.fx).toEqual(['publish']);
    const warm = new Run(initialState(3, { restarts: 2, held })).on({
      type: 'start',
      adopted: true,
      wasReady: true,
    });
    expect(warm.effect('stop')!.graceMs).toBe(2_000);
    warm.on({ type: 'stopped' });
    expect(warm.state.phase).toBe('held');
    // A newer plan than the one it was held under starts it.
    const fresh = new Run(initialState(4, { restarts: 0, held })).on({
      type: 'start',
      adopted: false,
      wasReady: false,
    });
    expect(fresh.fx).toEqual(['attempt']);
  });
});

describe('replica lifecycle: adoption after an agent restart', () => {
  it('adopts a running engine without launching a twin, with the short deadline when it had been ready', () => {
    const r = new Run(initialState(5, { restarts: 1, startedAt: 0 })).on({
      type: 'start',
      adopted: true,
      wasReady: true,
    });
    expect(r.state).toMatchObject({ phase: 'starting', running: true, restarts: 1 });
    expect(r.fx).toEqual(['publish', 'changed', 'attempt']);
    expect(r.effect('attempt')).toEqual({ type: 'attempt', mode: 'adopt', wasReady: true });
    r.on({ type: 'ready' });
    expect(r.state.phase).toBe('ready');
    // An adopted engine that dies is restarted like any other (its exit status is unknown).
    r.on({ type: 'exited', pid: 1, what: 'exited (adopted engine: exit status unknown)', detail: 'x' });
    expect(r.state.phase).toBe('backoff');
  });
});

describe('replica lifecycle: plan changes', () => {
  it('a new plan version with the same launch only moves plan_version (no restart)', () => {
    const r = new Run().ready();
    r.on({ type: 'plan', planVersion: 2, launchChanged: false });
    expect(r.fx).toEqual(['publish', 'changed']);
    expect(r.state).toMatchObject({ phase: 'ready', appliedPlanVersion: 2, runningPlanVersion: 2 });
  });

  it('a changed launch stops the engine, then launches the new one with a fresh restart count', () => {
    const r = new Run().ready();
    r.on(exited()).on({ type: 'restart-due' }).on({ type: 'launched', pid: 2 }).on({ type: 'ready' });
    r.on({ type: 'plan', planVersion: 2, launchChanged: true });
    expect(r.state.phase).toBe('stopping');
    expect(r.fx).toEqual(['cancel-attempt', 'clear-timer', 'publish', 'stop']);
    r.on({ type: 'stopped' });
    expect(r.fx).toEqual(['changed', 'event', 'attempt']);
    expect(r.state).toMatchObject({ restarts: 0, appliedPlanVersion: 2, runningPlanVersion: undefined });
  });
});

describe('replica lifecycle: graceful retirement', () => {
  it('draining: out of rotation, in-flight work finishes before the grace, then SIGTERM and the endpoint goes', async () => {
    const r = new Run().ready();
    r.on({ type: 'remove', reason: 'removed from the placement plan', graceMs: 30_000 });
    expect(r.state).toMatchObject({ phase: 'draining', disposed: true, running: true });
    // Published without taking the key over: after a migration it may belong to the replacement's node.
    expect(r.effects.filter((e) => e.type !== 'log')).toEqual([
      { type: 'cancel-attempt' },
      { type: 'clear-timer' },
      { type: 'publish', takeOver: false },
      { type: 'changed' },
      { type: 'drain', graceMs: 30_000 },
    ]);
    // Probe results and timers of the old attempt change nothing now.
    for (const ev of [{ type: 'unready', reason: 'x' }, { type: 'restart-due' }] as LifecycleEvent[]) {
      r.on(ev);
      expect(r.fx).toEqual([]);
    }
    await r.after(4_200);
    r.on({ type: 'drained', outcome: 'idle', seconds: 4.2, graceMs: 30_000 });
    expect(r.state.phase).toBe('stopping');
    expect(r.effects.filter((e) => e.type !== 'log')).toEqual([
      { type: 'publish', takeOver: false },
      { type: 'stop', graceMs: 10_000 },
    ]);
    r.on({ type: 'stopped' });
    expect(r.state.phase).toBe('idle');
    expect(r.fx).toEqual(['changed', 'remove-endpoint', 'event', 'changed']);
    expect(r.events()).toEqual([
      'stopped: engine stopped after draining (4.2 s, no request left): removed from the placement plan',
    ]);
  });

  it('grace expiring: SIGTERM with requests in flight, SIGKILL after the stop grace', () => {
    const r = new Run().ready().on({ type: 'remove', reason: 'scale-down', graceMs: 5_000 });
    r.on({ type: 'drained', outcome: 'grace', seconds: 5, graceMs: 5_000 });
    expect(r.effect('stop')).toEqual({ type: 'stop', graceMs: 10_000 });
    r.on({ type: 'stopped' });
    expect(r.events()[0]).toBe(
      'stopped: engine stopped after its drain grace of 5 s ran out with requests in flight: scale-down',
    );
  });

  it('an engine that exits while draining is not restarted', () => {
    const r = new Run().ready().on({ type: 'remove', reason: 'stop', graceMs: 30_000 });
    r.on(exited());
    expect(r.fx).toEqual([]);
    r.on({ type: 'drained', outcome: 'gone', seconds: 1, graceMs: 30_000 });
    expect(r.fx).toEqual(['remove-endpoint', 'event', 'changed']);
    expect(r.state.phase).toBe('idle');
  });

  it('a replica not serving yet (starting) is stopped at once; one with no engine is just removed', () => {
    const starting = new Run()
      .on({ type: 'start', adopted: false, wasReady: false })
      .on({ type: 'launched', pid: 1 });
    starting.on({ type: 'remove', reason: 'scale-down', graceMs: 30_000 });
    expect(starting.state.phase).toBe('stopping');
    expect(starting.effect('drain')).toBeUndefined();
    expect(starting.effect('stop')!.graceMs).toBe(10_000);
    const backoff = new Run().ready().on(exited());
    backoff.on({ type: 'remove', reason: 'scale-down', graceMs: 30_000 });
    expect(backoff.fx).toEqual(['cancel-attempt', 'clear-timer', 'remove-endpoint', 'event', 'changed']);
  });

  it('a drain cut short (force-stop, agent shutdown) stops at once with its own SIGKILL delay', () => {
    const r = new Run().ready().on({ type: 'remove', reason: 'stop', graceMs: 30_000 });
    const cut = { why: 'force-stopped by operator', killGraceMs: 2_000 };
    r.on({ type: 'drained', outcome: 'aborted', seconds: 0.4, graceMs: 30_000, cut });
    expect(r.effect('stop')).toEqual({ type: 'stop', graceMs: 2_000 });
    r.on({ type: 'stopped' });
    expect(r.events()[0]).toBe('stopped: engine stopped (drain cut short: force-stopped by operator): stop');
    // Cut before the drain even began: no drain at all.
    const early = new Run().ready().on({ type: 'remove', reason: 'stop', graceMs: 30_000, cut });
    expect(early.effect('drain')).toBeUndefined();
    expect(early.effect('stop')).toEqual({ type: 'stop', graceMs: 2_000 });
  });

  it('force-stop and shutdown of a removed replica change nothing in the core (the drain is cut instead)', () => {
    const r = new Run().ready().on({ type: 'remove', reason: 'stop', graceMs: 30_000 });
    for (const ev of [
      { type: 'force-stop', reason: 'x' },
      { type: 'shutdown', keepEngines: false },
      { type: 'plan', planVersion: 9, launchChanged: true },
      { type: 'remove', reason: 'again', graceMs: 1 },
    ] as LifecycleEvent[]) {
      r.on(ev);
      expect(r.effects).toEqual([]);
      expect(r.state.phase).toBe('draining');
    }
  });
});

describe('replica lifecycle: agent shutdown', () => {
  it('keeps engines for the next agent, or stops them without a drain', () => {
    const keep = new Run().ready().on({ type: 'shutdown', keepEngines: true });
    expect(keep.fx).toEqual(['cancel-attempt', 'clear-timer', 'detach']);
    expect(keep.state.disposed).toBe(true);
    const stop = new Run().ready().on({ type: 'shutdown', keepEngines: false });
    expect(stop.effect('drain')).toBeUndefined();
    expect(stop.effect('stop')!.graceMs).toBe(10_000);
    stop.on({ type: 'stopped' });
    expect(stop.events()).toEqual(['stopped: engine stopped: node agent shutting down']);
    expect(stop.state.phase).toBe('idle');
  });
});

describe('replica lifecycle: surge (two revisions side by side on one node)', () => {
  it('the new revision starts and becomes ready while the old one serves; then the old one drains', () => {
    // Replica 0 runs revision 1; the rollout adds replica 1 (revision 2) beside it on the same node.
    const old = new Run(initialState(4)).ready(100);
    const surge = new Run(initialState(5));
    // The plan moving to revision 2 gives replica 0 a new plan version but the same launch: no restart.
    old.on({ type: 'plan', planVersion: 5, launchChanged: false });
    expect(old.effect('stop')).toBeUndefined();
    expect(old.state.phase).toBe('ready');
    surge.ready(200);
    expect([old.state.phase, surge.state.phase]).toEqual(['ready', 'ready']);
    // Once the new one is ready the scheduler removes the old assignment: it drains, the new one serves on.
    old.on({ type: 'remove', reason: 'rolled out to revision 2', graceMs: 30_000 });
    expect(old.state.phase).toBe('draining');
    expect(surge.state.phase).toBe('ready');
    old.on({ type: 'drained', outcome: 'idle', seconds: 2, graceMs: 30_000 }).on({ type: 'stopped' });
    expect(old.state.phase).toBe('idle');
    expect(surge.state).toMatchObject({ phase: 'ready', running: true });
  });
});
