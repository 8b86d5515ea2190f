/** Routing policies (DESIGN.md §4): pure, in-memory choosers of a replica. */
import type { RoutingPolicy } from '../../core/domain/model.js';
import { LeastOutstandingBalancer } from './least-outstanding.js';
import { PrefixAwareBalancer, type PrefixAwareOptions } from './prefix-aware.js';
import { RoundRobinBalancer } from './round-robin.js';
import { SessionAffinityBalancer } from './session-affinity.js';
import type { Balancer } from './types.js';

export type { Balancer, Candidate, PickRequest } from './types.js';
export { eligible, loadOf } from './types.js';
export { RoundRobinBalancer } from './round-robin.js';
export { LeastOutstandingBalancer, pickLeastLoaded } from './least-outstanding.js';
export { SessionAffinityBalancer } from './session-affinity.js';
export { PrefixAwareBalancer, DEFAULT_PREFIX_AWARE, type PrefixAwareOptions } from './prefix-aware.js';
export { HashRing } from './hash-ring.js';
export { LruMap } from './lru.js';
export {
  prefixHashes,
  promptPrefixText,
  DEFAULT_PREFIX_HASH,
  type PrefixHashOptions,
} from './prefix-hash.js';
export { fnv1a, hashString, mix32 } from '../../core/hash.js';

export const DEFAULT_POLICY: RoutingPolicy = 'least-outstanding';

/** A fresh balancer for one model's replicas. */
export function createBalancer(policy: RoutingPolicy, prefix?: Partial<PrefixAwareOptions>): Balancer {
  switch (policy) {
    case 'round-robin':
      return new RoundRobinBalancer();
    case 'least-outstanding':
      return new LeastOutstandingBalancer();
    case 'session-affinity':
      return new SessionAffinityBalancer();
    case 'prefix-aware':
      return new PrefixAwareBalancer(prefix);
  }
}
