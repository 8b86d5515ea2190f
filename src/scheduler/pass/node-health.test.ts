import { describe, expect, it } from 'vitest';
import { nodeAvailability } from './node-health.js';

const live = (...ids: string[]) => new Set(ids);
const missing = (entries: Record<string, number>) => new Map(Object.entries(entries));

describe('nodeAvailability', () => {
  it('holds an absent node within the grace period and says when it ends', () => {
    const a = nodeAvailability({
      live: live('n2', 'n3'),
      missingSince: missing({ n1: 1000 }),
      now: 1500,
      graceMs: 1000,
    });
    expect([...a.held]).toEqual(['n1']);
    expect(a.lost.size).toBe(0);
    expect(a.nextExpiryAt).toBe(2000);
  });

  it('loses an absent node past the grace period', () => {
    const a = nodeAvailability({
      live: live('n2', 'n3'),
      missingSince: missing({ n1: 1000 }),
      now: 2000,
      graceMs: 1000,
    });
    expect([...a.lost]).toEqual(['n1']);
    expect(a.massVanish).toBe(false);
  });

  it('holds everything when more than half of the known nodes are absent', () => {
    const a = nodeAvailability({
      live: live('n3'),
      missingSince: missing({ n1: 0, n2: 0 }),
      now: 1e9,
      graceMs: 1000,
    });
    expect(a.massVanish).toBe(true);
    expect([...a.held].sort()).toEqual(['n1', 'n2']);
    expect(a.lost.size).toBe(0);
  });

  it('exactly half absent is not a mass vanish', () => {
    const a = nodeAvailability({
      live: live('n3', 'n4'),
      missingSince: missing({ n1: 0, n2: 0 }),
      now: 5000,
      graceMs: 1000,
    });
    expect(a.massVanish).toBe(false);
    expect(a.lost.size).toBe(2);
  });

  it('a draining absent node loses its replicas even during a mass vanish', () => {
    const a = nodeAvailability({
      live: live(),
      missingSince: missing({ n1: 0, n2: 0 }),
      draining: new Set(['n2']),
      now: 10,
      graceMs: 1000,
    });
    expect(a.massVanish).toBe(true);
    expect([...a.lost]).toEqual(['n2']);
    expect([...a.held]).toEqual(['n1']);
  });

  it('ignores entries for nodes that are live again', () => {
    const a = nodeAvailability({ live: live('n1'), missingSince: missing({ n1: 0 }), now: 1e9, graceMs: 1 });
    expect(a.lost.size + a.held.size).toBe(0);
  });
});
