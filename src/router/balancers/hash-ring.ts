import { hashString } from '../../core/hash.js';

/**
 * Consistent-hash ring with virtual nodes: a key maps to the first point clockwise from its hash. When a
 * member leaves, only the keys that mapped to its points move; everyone else keeps their member.
 */
export class HashRing {
  private readonly points: Uint32Array;
  private readonly owners: string[];
  readonly members: readonly string[];

  constructor(members: readonly string[], virtualNodes = 100) {
    this.members = [...members];
    const pts: { h: number; id: string }[] = [];
    for (const id of members) {
      for (let v = 0; v < virtualNodes; v++) pts.push({ h: hashString(`${id}#${v}`), id });
    }
    // Ties (two ids hashing to one point) are ordered by id so the ring does not depend on member order.
    pts.sort((a, b) => a.h - b.h || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    this.points = Uint32Array.from(pts.map((p) => p.h));
    this.owners = pts.map((p) => p.id);
  }

  get size(): number {
    return this.points.length;
  }

  /** Index of the first point at or after `hash` (wrapping to 0). */
  private firstIndex(hash: number): number {
    let lo = 0;
    let hi = this.points.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.points[mid] ?? 0) < hash) lo = mid + 1;
      else hi = mid;
    }
    return lo === this.points.length ? 0 : lo;
  }

  /**
   * Owner of `key`: the first member clockwise that `accept` takes (all by default). Walking on past refused
   * members keeps a key's fallback stable too.
   */
  lookup(key: string, accept?: (id: string) => boolean): string | undefined {
    const n = this.points.length;
    if (n === 0) return undefined;
    const start = this.firstIndex(hashString(key));
    for (let i = 0; i < n; i++) {
      const id = this.owners[(start + i) % n];
      if (id !== undefined && (accept === undefined || accept(id))) return id;
    }
    return undefined;
  }
}
