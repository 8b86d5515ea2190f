import { LruMap } from './lru.js';
import type { Balancer, Candidate, PickRequest } from './types.js';
import { eligible, loadOf } from './types.js';

export interface PrefixAwareOptions {
  /** Prefix-hash entries remembered (each maps one block chain hash to the replica that last served it). */
  tableSize: number;
  /** A cached replica is skipped when its load exceeds the least loaded one by more than this many requests... */
  slackRequests: number;
  /** ...and by more than this fraction of that least load (so the slack grows with traffic). */
  slackRatio: number;
  /** A cached replica whose KV cache is at least this full is skipped (it would evict the prefix anyway). */
  kvHigh: number;
}

export const DEFAULT_PREFIX_AWARE: PrefixAwareOptions = {
  tableSize: 65_536,
  slackRequests: 4,
  slackRatio: 0.5,
  kvHigh: 0.97,
};

/** Added to the load of a replica whose KV cache is nearly full: chosen only when all are. */
const KV_FULL_PENALTY = 1e6;

/**
 * Prefix-aware + load: a request goes to the replica that most recently served its longest known prefix
 * (whose engine likely still holds those KV blocks), unless that replica is overloaded relative to the
 * others; otherwise, and for unseen prefixes, to the least loaded replica. The choice is then remembered
 * for every block of the prompt.
 */
export class PrefixAwareBalancer implements Balancer {
  readonly policy = 'prefix-aware' as const;
  private readonly table: LruMap<number, string>;
  private readonly opts: PrefixAwareOptions;
  private rotation = 0;

  constructor(opts: Partial<PrefixAwareOptions> = {}) {
    this.opts = { ...DEFAULT_PREFIX_AWARE, ...opts };
    this.table = new LruMap(this.opts.tableSize);
  }

  pick<C extends Candidate>(candidates: readonly C[], req: PickRequest): C | undefined {
    const n = candidates.length;
    if (n === 0) return undefined;
    this.rotation = (this.rotation + 1) % n;
    const hashes = req.prefixHashes;
    let chosen: C | undefined;
    if (hashes !== undefined && hashes.length > 0) chosen = this.cached(candidates, req, hashes);
    chosen ??= this.leastLoaded(candidates, req);
    if (chosen !== undefined && hashes !== undefined) for (const h of hashes) this.table.set(h, chosen.id);
    return chosen;
  }

  /** The replica holding the longest remembered prefix, if it is eligible and not overloaded. */
  private cached<C extends Candidate>(candidates: readonly C[], req: PickRequest, hashes: readonly number[]): C | undefined {
    let minLoad = Infinity;
    for (const c of candidates) if (eligible(c, req)) minLoad = Math.min(minLoad, loadOf(c));
    if (minLoad === Infinity) return undefined;
    const limit = minLoad + Math.max(this.opts.slackRequests, this.opts.slackRatio * minLoad);
    for (let i = hashes.length - 1; i >= 0; i--) {
      const id = this.table.get(hashes[i] ?? 0);
      if (id === undefined) continue;
      const c = candidates.find((x) => x.id === id);
      // The deepest remembered prefix decides; a shallower entry of another replica is older knowledge.
      if (c === undefined || !eligible(c, req)) continue;
      if (loadOf(c) > limit || c.kvUsage >= this.opts.kvHigh) return undefined;
      return c;
    }
    return undefined;
  }

  /** Least loaded eligible replica, avoiding those whose KV cache is nearly full while others have room. */
  private leastLoaded<C extends Candidate>(candidates: readonly C[], req: PickRequest): C | undefined {
    const n = candidates.length;
    let best: C | undefined;
    let bestScore = Infinity;
    for (let i = 0; i < n; i++) {
      const c = candidates[(this.rotation + i) % n];
      if (c === undefined || !eligible(c, req)) continue;
      const score = loadOf(c) + (c.kvUsage >= this.opts.kvHigh ? KV_FULL_PENALTY : 0);
      if (score < bestScore) {
        best = c;
        bestScore = score;
      }
    }
    return best;
  }

  /** Entries in the prefix table (for tests and metrics). */
  get tableEntries(): number {
    return this.table.size;
  }

  /** Forgets every prefix a replica served (it left, so its cache is gone). */
  forgetReplica(id: string): void {
    // Rare (a replica leaving); a full scan of the table is fine.
    const stale: number[] = [];
    this.table.forEach((v, k) => {
      if (v === id) stale.push(k);
    });
    for (const k of stale) this.table.delete(k);
  }
}
