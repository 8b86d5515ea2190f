import type { Balancer, Candidate, PickRequest } from './types.js';
import { eligible } from './types.js';

/** Round-robin: each pick takes the next eligible candidate after the previous one. */
export class RoundRobinBalancer implements Balancer {
  readonly policy = 'round-robin' as const;
  private next = 0;

  pick<C extends Candidate>(candidates: readonly C[], req: PickRequest): C | undefined {
    const n = candidates.length;
    for (let i = 0; i < n; i++) {
      const idx = (this.next + i) % n;
      const c = candidates[idx];
      if (c !== undefined && eligible(c, req)) {
        this.next = (idx + 1) % n;
        return c;
      }
    }
    return undefined;
  }
}
