import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../core/clock.js';
import {
  emptyNodeGrace,
  nodeGraceStep,
  noteNodeBack,
  noteNodeGone,
  type NodeGraceState,
} from './node-grace.js';

const GRACE = 50_000;

/**
 * A script of events on a fake clock: each row moves time, optionally changes which nodes are live /
 * referenced / draining or reports a node gone or back, runs one step and states what it must decide.
 */
interface Row {
  at: number;
  live: string[];
  referenced?: string[];
  draining?: string[];
  gone?: string;
  back?: string;
  held: string[];
  lost: string[];
  newlyLost?: string[];
  newlyMissing?: string[];
  massVanish?: boolean;
  nextExpiryIn?: number;
}

async function play(rows: Row[]): Promise<void> {
  const clock = new FakeClock();
  const t0 = clock.now();
  let state: NodeGraceState = emptyNodeGrace();
  let referenced = ['a', 'b', 'c'];
  for (const [i, r] of rows.entries()) {
    await clock.advance(t0 + r.at - clock.now());
    if (r.referenced) referenced = r.referenced;
    if (r.gone) state = noteNodeGone(state, r.gone, clock.now());
    if (r.back) state = noteNodeBack(state, r.back);
    const step = nodeGraceStep(state, {
      now: clock.now(),
      graceMs: GRACE,
      live: new Set(r.live),
      referenced: new Set(referenced),
      draining: new Set(r.draining ?? []),
    });
    state = step.state;
    const where = `row ${i} (t=${r.at})`;
    expect([...step.held].sort(), where).toEqual(r.held);
    expect([...step.lost].sort(), where).toEqual(r.lost);
    expect(step.newlyLost, where).toEqual(r.newlyLost ?? []);
    if (r.newlyMissing) expect(step.newlyMissing, where).toEqual(r.newlyMissing);
    expect(step.massVanish, where).toBe(r.massVanish ?? false);
    if (r.nextExpiryIn !== undefined) expect(step.nextExpiryAt, where).toBe(clock.now() + r.nextExpiryIn);
  }
}

describe('nodeGraceStep (node-grace bookkeeping, fake clock)', () => {
  it('an absent node is held for the grace period, then lost once (announced once)', async () => {
    await play([
      { at: 0, live: ['a', 'b', 'c'], held: [], lost: [] },
      { at: 1000, live: ['a', 'b'], gone: 'c', held: ['c'], lost: [], nextExpiryIn: GRACE },
      { at: GRACE, live: ['a', 'b'], held: ['c'], lost: [], nextExpiryIn: 1000 },
      { at: GRACE + 1000, live: ['a', 'b'], held: [], lost: ['c'], newlyLost: ['c'] },
      { at: GRACE + 5000, live: ['a', 'b'], held: [], lost: ['c'] },
    ]);
  });

  it('a node back within the grace period is forgotten; vanishing again starts a new grace period', async () => {
    await play([
      { at: 0, live: ['a', 'b'], gone: 'c', held: ['c'], lost: [] },
      { at: 10_000, live: ['a', 'b', 'c'], back: 'c', held: [], lost: [] },
      { at: 40_000, live: ['a', 'b'], gone: 'c', held: ['c'], lost: [], nextExpiryIn: GRACE },
      { at: 40_000 + GRACE - 1, live: ['a', 'b'], held: ['c'], lost: [] },
      { at: 40_000 + GRACE, live: ['a', 'b'], held: [], lost: ['c'], newlyLost: ['c'] },
    ]);
  });

  it('a referenced node absent without a vanish event (scheduler restarted) is noticed by the step', async () => {
    await play([
      { at: 0, live: ['a', 'b'], held: ['c'], lost: [], newlyMissing: ['c'] },
      { at: 1, live: ['a', 'b'], held: ['c'], lost: [], newlyMissing: [] },
      { at: GRACE, live: ['a', 'b'], held: [], lost: ['c'], newlyLost: ['c'] },
    ]);
  });

  it('more than half of the nodes gone at once: all held, even past the grace period', async () => {
    await play([
      { at: 0, live: ['a', 'c'], gone: 'b', held: ['b'], lost: [], massVanish: false },
      { at: 0, live: ['a'], gone: 'c', held: ['b', 'c'], lost: [], massVanish: true },
      { at: GRACE * 3, live: ['a'], held: ['b', 'c'], lost: [], massVanish: true },
      { at: GRACE * 3 + 1, live: ['a', 'b'], back: 'b', held: [], lost: ['c'], newlyLost: ['c'] },
    ]);
  });

  it('an absent node the operator drains is lost at once', async () => {
    await play([
      { at: 0, live: ['a', 'b'], gone: 'c', draining: ['c'], held: [], lost: ['c'], newlyLost: ['c'] },
    ]);
  });

  it('a lost node no plan refers to any more is forgotten (a later absence is news again)', async () => {
    await play([
      { at: 0, live: ['a', 'b'], gone: 'c', held: ['c'], lost: [] },
      { at: GRACE, live: ['a', 'b'], held: [], lost: ['c'], newlyLost: ['c'] },
      { at: GRACE + 1, live: ['a', 'b'], referenced: ['a', 'b'], held: [], lost: ['c'] },
      {
        at: GRACE + 2,
        live: ['a', 'b'],
        referenced: ['a', 'b', 'c'],
        held: ['c'],
        lost: [],
        newlyMissing: ['c'],
      },
    ]);
  });
});
