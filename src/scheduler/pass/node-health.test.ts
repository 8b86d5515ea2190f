import { describe, expect, it } from 'vitest';
import { nodeAvailability } from './node-health.js';

/** A case's nodes: the live ones, the absent ones with when each was last seen, the draining ones. */
interface Nodes {
  live: string[];
  missingSince: Record<string, number>;
  draining?: string[];
  now: number;
  graceMs: number;
}

/** What a case checks (fields left out are not asserted). */
interface Expected {
  held?: string[];
  lost?: string[];
  massVanish?: boolean;
  nextExpiryAt?: number;
}

describe('nodeAvailability', () => {
  it.each<[string, Nodes, Expected]>([
    [
      'holds an absent node within the grace period and says when it ends',
      { live: ['n2', 'n3'], missingSince: { n1: 1000 }, now: 1500, graceMs: 1000 },
      { held: ['n1'], lost: [], nextExpiryAt: 2000 },
    ],
    [
      'loses an absent node past the grace period',
      { live: ['n2', 'n3'], missingSince: { n1: 1000 }, now: 2000, graceMs: 1000 },
      { lost: ['n1'], massVanish: false },
    ],
    [
      'holds everything when more than half of the known nodes are absent',
      { live: ['n3'], missingSince: { n1: 0, n2: 0 }, now: 1e9, graceMs: 1000 },
      { massVanish: true, held: ['n1', 'n2'], lost: [] },
    ],
    [
      'exactly half absent is not a mass vanish',
      { live: ['n3', 'n4'], missingSince: { n1: 0, n2: 0 }, now: 5000, graceMs: 1000 },
      { massVanish: false, lost: ['n1', 'n2'] },
    ],
    [
      'a draining absent node loses its replicas even during a mass vanish',
      { live: [], missingSince: { n1: 0, n2: 0 }, draining: ['n2'], now: 10, graceMs: 1000 },
      { massVanish: true, lost: ['n2'], held: ['n1'] },
    ],
    [
      'ignores entries for nodes that are live again',
      { live: ['n1'], missingSince: { n1: 0 }, now: 1e9, graceMs: 1 },
      { held: [], lost: [] },
    ],
  ])('%s', (_name, n, want) => {
    const a = nodeAvailability({
      live: new Set(n.live),
      missingSince: new Map(Object.entries(n.missingSince)),
      ...(n.draining ? { draining: new Set(n.draining) } : {}),
      now: n.now,
      graceMs: n.graceMs,
    });
    if (want.held) expect([...a.held].sort()).toEqual(want.held);
    if (want.lost) expect([...a.lost].sort()).toEqual(want.lost);
    if (want.massVanish !== undefined) expect(a.massVanish).toBe(want.massVanish);
    if (want.nextExpiryAt !== undefined) expect(a.nextExpiryAt).toBe(want.nextExpiryAt);
  });
});
