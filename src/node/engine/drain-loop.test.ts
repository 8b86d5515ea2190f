import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../core/clock.js';
import { drainInFlight, type DrainOutcome } from './drain-loop.js';
import type { InFlight } from './in-flight.js';

/** Runs a drain under the fake clock: `reads` gives what the engine reports at each poll, by time. */
async function run(
  reads: (t: number) => InFlight,
  opts: { settleMs?: number; graceMs?: number; alive?: () => boolean; abortAt?: number } = {},
): Promise<{ outcome: DrainOutcome; at: number; polls: number[] }> {
  const clock = new FakeClock(0);
  const ctl = new AbortController();
  const polls: number[] = [];
  const p = drainInFlight({
    clock,
    inFlight: () => {
      polls.push(clock.now());
      return Promise.resolve(reads(clock.now()));
    },
    alive: opts.alive ?? (() => true),
    settleMs: opts.settleMs ?? 1_000,
    graceMs: opts.graceMs ?? 10_000,
    intervalMs: 250,
    signal: ctl.signal,
  });
  let outcome: DrainOutcome | undefined;
  void p.then((o) => (outcome = o));
  for (let i = 0; i < 200 && outcome === undefined; i++) {
    if (opts.abortAt !== undefined && clock.now() >= opts.abortAt) ctl.abort(new Error('shutdown'));
    await clock.advance(50);
  }
  return { outcome: outcome!, at: clock.now(), polls };
}

const count = (requests: number): InFlight => ({ kind: 'count', requests });

describe('drainInFlight', () => {
  it('waits the settle time, then ends once the engine reports no request twice in a row', async () => {
    const r = await run((t) => count(t < 3_000 ? 2 : 0));
    expect(r.outcome).toBe('idle');
    expect(r.polls[0]).toBe(1_000);
    expect(r.at).toBeGreaterThanOrEqual(3_250);
    expect(r.at).toBeLessThan(3_700);
  });

  it('ends at the grace with requests still in flight', async () => {
    const r = await run(() => count(1), { graceMs: 4_000 });
    expect(r.outcome).toBe('grace');
    expect(r.at).toBeGreaterThanOrEqual(4_000);
    expect(r.at).toBeLessThan(4_200);
  });

  it('gives an engine whose metrics do not say the whole grace', async () => {
    const r = await run(() => ({ kind: 'unknown' }), { graceMs: 3_000 });
    expect(r.outcome).toBe('grace');
    expect(r.at).toBeGreaterThanOrEqual(3_000);
  });

  it('ends when the engine stops listening or its process exits', async () => {
    expect((await run(() => ({ kind: 'gone' }))).outcome).toBe('gone');
    expect((await run(() => count(1), { alive: () => false })).outcome).toBe('gone');
  });

  it('is cut short by its signal (agent shutdown, force-stop), even during the settle time', async () => {
    const r = await run(() => count(1), { abortAt: 500 });
    expect(r.outcome).toBe('aborted');
    expect(r.at).toBeLessThan(700);
    expect(r.polls).toEqual([]);
  });

  it('never settles longer than the grace (grace 0 stops at once)', async () => {
    const r = await run(() => count(1), { graceMs: 0 });
    expect(r.outcome).toBe('grace');
    expect(r.at).toBeLessThanOrEqual(50);
  });
});
