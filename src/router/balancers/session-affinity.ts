import { HashRing } from './hash-ring.js';
import { LeastOutstandingBalancer } from './least-outstanding.js';
import type { Balancer, Candidate, PickRequest } from './types.js';

/**
 * Session affinity: requests with the same session key go to the same replica, chosen by consistent hashing
 * over the replica ids, so a replica leaving moves only its own sessions. Requests without a key, or whose
 * replica is excluded, fall back to the next replica on the ring (or least-outstanding without a key).
 */
export class SessionAffinityBalancer implements Balancer {
  readonly policy = 'session-affinity' as const;
  private ring: HashRing | undefined;
  private ringFor: readonly Candidate[] | undefined;
  private readonly fallback = new LeastOutstandingBalancer();

  constructor(private readonly virtualNodes = 100) {}

  pick<C extends Candidate>(candidates: readonly C[], req: PickRequest): C | undefined {
    if (req.sessionKey === undefined || req.sessionKey === '') return this.fallback.pick(candidates, req);
    const ring = this.ringOf(candidates);
    const exclude = req.exclude;
    const id = ring.lookup(req.sessionKey, exclude === undefined ? undefined : (rid) => !exclude.has(rid));
    if (id === undefined) return undefined;
    for (const c of candidates) if (c.id === id) return c;
    return undefined;
  }

  /** The ring is rebuilt only when the replica set changes (the table hands out a new array then). */
  private ringOf(candidates: readonly Candidate[]): HashRing {
    if (this.ring !== undefined && this.ringFor === candidates) return this.ring;
    const ids = candidates.map((c) => c.id);
    if (this.ring === undefined || !sameMembers(this.ring.members, ids))
      this.ring = new HashRing(ids, this.virtualNodes);
    this.ringFor = candidates;
    return this.ring;
  }
}

function sameMembers(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const set = new Set(a);
  return b.every((x) => set.has(x));
}
