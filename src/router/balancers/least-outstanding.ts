import type { Balancer, Candidate, PickRequest } from './types.js';
import { eligible, loadOf } from './types.js';

/**
 * Picks the eligible candidate with the least load (in-flight requests plus the engine's queue). Ties are
 * broken by a rotating start so equally idle replicas share the traffic instead of the first one taking all.
 */
export function pickLeastLoaded<C extends Candidate>(
  candidates: readonly C[],
  req: PickRequest,
  start: number,
): C | undefined {
  const n = candidates.length;
  let best: C | undefined;
  let bestLoad = Infinity;
  for (let i = 0; i < n; i++) {
    const c = candidates[(start + i) % n];
    if (c === undefined || !eligible(c, req)) continue;
    const load = loadOf(c);
    if (load < bestLoad) {
      best = c;
      bestLoad = load;
    }
  }
  return best;
}

/** Least outstanding requests (the default policy). */
export class LeastOutstandingBalancer implements Balancer {
  readonly policy = 'least-outstanding' as const;
  private rotation = 0;

  pick<C extends Candidate>(candidates: readonly C[], req: PickRequest): C | undefined {
    const n = candidates.length;
    if (n === 0) return undefined;
    this.rotation = (this.rotation + 1) % n;
    return pickLeastLoaded(candidates, req, this.rotation);
  }
}
