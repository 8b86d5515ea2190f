import type { RoutingPolicy } from '../../core/domain/model.js';

/** What a balancer sees of one replica: identity and load, nothing about how to reach it. */
export interface Candidate {
  /** Stable replica id (`model_uid/replica_id` for managed replicas, the URL for static upstreams). */
  readonly id: string;
  /** Requests in flight from this router to the replica (live). */
  readonly outstanding: number;
  /** Requests queued inside the engine (`vllm:num_requests_waiting`, scraped; 0 when unknown). */
  readonly waiting: number;
  /** KV-cache usage 0..1 (`vllm:kv_cache_usage_perc`, scraped; 0 when unknown). */
  readonly kvUsage: number;
}

/** The parts of a request that balancers may use. */
export interface PickRequest {
  /** Sticky-session key (`X-Session-Id` header or the body's `user`). */
  readonly sessionKey?: string | undefined;
  /** Chain hashes of the prompt's leading blocks, shortest prefix first (see prefix-hash.ts). */
  readonly prefixHashes?: readonly number[] | undefined;
  /** Replicas that must not be chosen (already tried for this request, or ejected after errors). */
  readonly exclude?: ReadonlySet<string> | undefined;
}

/**
 * A routing policy. Balancers do no I/O: they keep small in-memory state (a counter, a hash ring, an LRU
 * table) and choose among the candidates they are given, so they can be tested exhaustively.
 */
export interface Balancer {
  readonly policy: RoutingPolicy;
  /** Chooses a candidate not in `req.exclude`, or undefined when none is eligible. */
  pick<C extends Candidate>(candidates: readonly C[], req: PickRequest): C | undefined;
}

/** True when the candidate may be chosen. */
export function eligible(c: Candidate, req: PickRequest): boolean {
  return req.exclude === undefined || !req.exclude.has(c.id);
}

/** Load as the router sees it: live in-flight requests plus the engine's own queue. */
export function loadOf(c: Candidate): number {
  return c.outstanding + c.waiting;
}
