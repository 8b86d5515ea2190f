import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../core/clock.js';
import { waitUntilReady, watchReadiness } from './readiness-loops.js';

/** A probe that answers from a script (true = ready), then repeats its last answer. */
function scripted(answers: boolean[]) {
  let calls = 0;
  return {
    probe: async () => answers[Math.min(calls++, answers.length - 1)] ?? false,
    calls: () => calls,
  };
}

type WaitOptions = Parameters<typeof waitUntilReady>[0];
type WatchOptions = Parameters<typeof watchReadiness>[0];

/** What every case shares: a probe that never answers ready, a live process, no cancellation. */
function loopBase(clock: FakeClock) {
  return { probe: async () => false, clock, signal: new AbortController().signal, alive: () => true };
}

/** `waitUntilReady` options: probe every 500 ms for a minute, with the case's overrides. */
function waitOptions(clock: FakeClock, over: Partial<WaitOptions> = {}): WaitOptions {
  return { ...loopBase(clock), intervalMs: 500, timeoutMs: 60_000, ...over };
}

/** `watchReadiness` options: probe every second, unready after 3 failures, with the case's overrides. */
function watchOptions(clock: FakeClock, over: Partial<WatchOptions> = {}): WatchOptions {
  return { ...loopBase(clock), intervalMs: 1000, threshold: 3, ...over };
}

async function run<T>(clock: FakeClock, p: Promise<T>, stepMs = 100, maxSteps = 1000): Promise<T> {
  let done = false;
  let value: T | undefined;
  void p.then((v) => {
    done = true;
    value = v;
  });
  for (let i = 0; i < maxSteps && !done; i++) await clock.advance(stepMs);
  if (!done) throw new Error('loop did not finish');
  return value as T;
}

describe('waitUntilReady', () => {
  it('probes until the engine answers', async () => {
    const clock = new FakeClock();
    const s = scripted([false, false, true]);
    const r = await run(clock, waitUntilReady(waitOptions(clock, { probe: s.probe, timeoutMs: 10_000 })));
    expect(r).toBe('ready');
    expect(s.calls()).toBe(3);
  });

  it('times out', async () => {
    const clock = new FakeClock();
    const start = clock.now();
    const r = await run(clock, waitUntilReady(waitOptions(clock, { timeoutMs: 3_000 })));
    expect(r).toBe('timeout');
    expect(clock.now() - start).toBeGreaterThanOrEqual(3_000);
    expect(clock.now() - start).toBeLessThan(4_000);
  });

  it('stops when the process is gone or the wait is cancelled', async () => {
    const clock = new FakeClock();
    let alive = true;
    const p = waitUntilReady(waitOptions(clock, { alive: () => alive }));
    await clock.advance(1000);
    alive = false;
    expect(await run(clock, p)).toBe('gone');
    const ctl = new AbortController();
    const q = waitUntilReady(waitOptions(clock, { signal: ctl.signal }));
    await clock.advance(100);
    ctl.abort();
    expect(await run(clock, q)).toBe('gone');
  });
});

describe('watchReadiness', () => {
  it('needs `threshold` consecutive failures; a success resets the count', async () => {
    const clock = new FakeClock();
    const s = scripted([true, false, false, true, false, false, false]);
    const r = await run(clock, watchReadiness(watchOptions(clock, { probe: s.probe })));
    expect(r).toEqual({ result: 'unhealthy', failures: 3 });
    expect(s.calls()).toBe(7);
  });

  it('ends quietly when cancelled', async () => {
    const clock = new FakeClock();
    const ctl = new AbortController();
    const p = watchReadiness(watchOptions(clock, { probe: async () => true, signal: ctl.signal }));
    await clock.advance(5000);
    ctl.abort();
    expect(await run(clock, p)).toEqual({ result: 'gone' });
  });

  it('takes an engine out of rotation after `threshold` failures, back on one success, restart after a while', async () => {
    const clock = new FakeClock();
    // ready, 3 failures (unready), 1 success (recovered), then failures for good.
    const s = scripted([true, false, false, false, true, false]);
    const seen: string[] = [];
    const r = await run(
      clock,
      watchReadiness(
        watchOptions(clock, {
          probe: s.probe,
          restartAfterMs: 5000,
          onUnready: (n) => void seen.push(`unready:${n}@${s.calls()}`),
          onRecovered: () => void seen.push(`recovered@${s.calls()}`),
        }),
      ),
    );
    expect(seen).toEqual(['unready:3@4', 'recovered@5', 'unready:3@8']);
    // Unready at the 8th probe, restarted 5 s (5 probes) later.
    expect(r).toEqual({ result: 'unhealthy', failures: 8 });
    expect(s.calls()).toBe(13);
  });

  it('probes a frozen engine at the same rate: a probe that hangs to its timeout counts towards the period', async () => {
    const clock = new FakeClock();
    const start = clock.now();
    const at: number[] = [];
    let unreadyAt = 0;
    const r = await run(
      clock,
      watchReadiness(
        watchOptions(clock, {
          // Every probe hangs for its 1 s timeout, then fails.
          probe: async () => {
            at.push(clock.now() - start);
            await clock.sleep(1000);
            return false;
          },
          restartAfterMs: 10_000,
          onUnready: () => void (unreadyAt = clock.now() - start),
        }),
      ),
    );
    expect(at.slice(0, 4)).toEqual([1000, 2000, 3000, 4000]);
    // The third timed-out probe ends 4 s after the last good answer: out of rotation within 5 s.
    expect(unreadyAt).toBe(4000);
    expect(r.result).toBe('unhealthy');
  });
});
