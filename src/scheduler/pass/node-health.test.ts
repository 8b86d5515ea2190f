import { describe, expect, it } from 'vitest';
import { nodeAvailability } from './node-health.js';

interface Case {
  name: string;
  live: string[];
  /** Absent nodes: when each was last seen. */
  missingSince: Record<string, number>;
  draining?: string[];
  now: number;
  graceMs: number;
  /** What the case checks (fields left out are not asserted). */
  held?: string[];
  lost?: string[];
  massVanish?: boolean;
  nextExpiryAt?: number;
}

const cases: Case[] = [
  {
    name: 'holds an absent node within the grace period and says when it ends',
    live: ['n2', 'n3'],
    missingSince: { n1: 1000 },
    now: 1500,
    graceMs: 1000,
    held: ['n1'],
    lost: [],
    nextExpiryAt: 2000,
  },
  {
    name: 'loses an absent node past the grace period',
    live: ['n2', 'n3'],
    missingSince: { n1: 1000 },
    now: 2000,
    graceMs: 1000,
    lost: ['n1'],
    massVanish: false,
  },
  {
    name: 'holds everything when more than half of the known nodes are absent',
    live: ['n3'],
    missingSince: { n1: 0, n2: 0 },
    now: 1e9,
    graceMs: 1000,
    massVanish: true,
    held: ['n1', 'n2'],
    lost: [],
  },
  {
    name: 'exactly half absent is not a mass vanish',
    live: ['n3', 'n4'],
    missingSince: { n1: 0, n2: 0 },
    now: 5000,
    graceMs: 1000,
    massVanish: false,
    lost: ['n1', 'n2'],
  },
  {
    name: 'a draining absent node loses its replicas even during a mass vanish',
    live: [],
    missingSince: { n1: 0, n2: 0 },
    draining: ['n2'],
    now: 10,
    graceMs: 1000,
    massVanish: true,
    lost: ['n2'],
    held: ['n1'],
  },
  {
    name: 'ignores entries for nodes that are live again',
    live: ['n1'],
    missingSince: { n1: 0 },
    now: 1e9,
    graceMs: 1,
    held: [],
    lost: [],
  },
];

describe('nodeAvailability', () => {
  it.each(cases)('$name', (c) => {
    const a = nodeAvailability({
      live: new Set(c.live),
      missingSince: new Map(Object.entries(c.missingSince)),
      ...(c.draining ? { draining: new Set(c.draining) } : {}),
      now: c.now,
      graceMs: c.graceMs,
    });
    if (c.held) expect([...a.held].sort()).toEqual(c.held);
    if (c.lost) expect([...a.lost].sort()).toEqual(c.lost);
    if (c.massVanish !== undefined) expect(a.massVanish).toBe(c.massVanish);
    if (c.nextExpiryAt !== undefined) expect(a.nextExpiryAt).toBe(c.nextExpiryAt);
  });
});
