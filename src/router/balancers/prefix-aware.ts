import { LruMap } from './lru.js';
import type { Balancer, Candidate, PickRequest } from './types.js';
import { eligible, loadOf } from './types.js';

export interface PrefixAwareOptions {
  /** Prefix-hash entries remembered (each maps one block chain hash to the replicas that served it). */
  tableSize: number;
  /** A replica holding the prefix is passed over when its load exceeds the least loaded one by more than this... */
  slackRequests: number;
  /** ...and by more than this fraction of that least load (so the slack grows with traffic). */
  slackRatio: number;
  /** A replica whose KV cache is at least this full is passed over (it would evict the prefix anyway). */
  kvHigh: number;
  /** Replicas remembered per prefix: a hot prefix is copied to another replica when its holders are busy. */
  maxHolders: number;
  /** A holder that has not served the prefix for this long is forgotten (its engine has likely evicted it). */
  holderTtlMs: number;
  now: () => number;
}

export const DEFAULT_PREFIX_AWARE: PrefixAwareOptions = {
  tableSize: 65_536,
  // Engines batch: a few more requests on the replica holding the prefix cost far less than recomputing it
  // elsewhere, so only a large imbalance moves a prefix (as SGLang's cache-aware router does).
  slackRequests: 16,
  slackRatio: 1,
  kvHigh: 0.97,
  maxHolders: 4,
  holderTtlMs: 120_000,
  now: Date.now,
};

/** Added to the load of a replica whose KV cache is nearly full: chosen only when all are. */
const KV_FULL_PENALTY = 1e6;

/** Replicas that recently served one prefix block, most recent first. */
interface Holders {
  ids: string[];
  at: number[];
}

/**
 * Prefix-aware + load: a request goes to a replica that recently served its longest known prefix (whose
 * engine likely still holds those KV blocks), the least loaded of them, unless even that one is overloaded
 * relative to the others; then, and for unseen prefixes, to the least loaded replica, which becomes one more
 * holder of the prefix. So a hot prefix spreads over as many replicas as its traffic needs, while a cold one
 * stays on one, and a prefix never flaps between replicas (each keeps serving it warm).
 */
export class PrefixAwareBalancer implements Balancer {
  readonly policy = 'prefix-aware' as const;
  private readonly table: LruMap<number, Holders>;
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
    const now = this.opts.now();
    let chosen: C | undefined;
    if (hashes !== undefined && hashes.length > 0) chosen = this.cached(candidates, req, hashes, now);
    chosen ??= this.leastLoaded(candidates, req);
    if (chosen !== undefined && hashes !== undefined)
      for (const h of hashes) this.remember(h, chosen.id, now);
    return chosen;
  }

  /** The least loaded live holder of the longest remembered prefix, unless it is overloaded. */
  private cached<C extends Candidate>(
    candidates: readonly C[],
    req: PickRequest,
    hashes: readonly number[],
    now: number,
  ): C | undefined {
    let minLoad = Infinity;
    for (const c of candidates) if (eligible(c, req)) minLoad = Math.min(minLoad, loadOf(c));
    if (minLoad === Infinity) return undefined;
    const limit = minLoad + Math.max(this.opts.slackRequests, this.opts.slackRatio * minLoad);
    for (let i = hashes.length - 1; i >= 0; i--) {
      const holders = this.table.get(hashes[i] ?? 0);
      if (holders === undefined) continue;
      let best: C | undefined;
      let bestLoad = Infinity;
      let live = false;
      for (let k = 0; k < holders.ids.length; k++) {
        if (now - (holders.at[k] ?? 0) > this.opts.holderTtlMs) continue;
        const c = candidates.find((x) => x.id === holders.ids[k]);
        if (c === undefined || !eligible(c, req)) continue;
        live = true;
        if (c.kvUsage >= this.opts.kvHigh) continue;
        const load = loadOf(c);
        if (load < bestLoad) {
          best = c;
          bestLoad = load;
        }
      }
      // The deepest prefix with a live holder decides; shallower entries are older, coarser knowledge.
      if (!live) continue;
      return best !== undefined && bestLoad <= limit ? best : undefined;
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

  /** Makes `id` the most recent holder of the prefix block `h`. */
  private remember(h: number, id: string, now: number): void {
    const cur = this.table.get(h);
    if (cur !== undefined && cur.ids[0] === id) {
      cur.at[0] = now;
      this.table.set(h, cur);
      return;
    }
    const ids = [id];
    const at = [now];
    if (cur !== undefined) {
      for (let k = 0; k < cur.ids.length && ids.length < this.opts.maxHolders; k++) {
        if (cur.ids[k] === id || now - (cur.at[k] ?? 0) > this.opts.holderTtlMs) continue;
        ids.push(cur.ids[k] as string);
        at.push(cur.at[k] ?? 0);
      }
    }
    this.table.set(h, { ids, at });
  }

  /** Entries in the prefix table (for tests and metrics). */
  get tableEntries(): number {
    return this.table.size;
  }

  /** Forgets every prefix a replica served (it left, so its cache is gone). */
  forgetReplica(id: string): void {
    // Rare (a replica leaving); a full scan of the table is fine.
    const emptied: number[] = [];
    this.table.forEach((holders, k) => {
      const i = holders.ids.indexOf(id);
      if (i === -1) return;
      holders.ids.splice(i, 1);
      holders.at.splice(i, 1);
      if (holders.ids.length === 0) emptied.push(k);
    });
    for (const k of emptied) this.table.delete(k);
  }
}
