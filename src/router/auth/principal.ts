import type { Role } from '../../core/domain/common.js';
import type { RateLimit } from '../../core/token-bucket.js';

/** Who a request acts as. */
export interface Principal {
  /** Stable id for rate limiting: `key:<id>`, `token:<name>` or `anonymous`. */
  readonly id: string;
  readonly name: string;
  readonly kind: 'api_key' | 'static_token' | 'session' | 'anonymous';
  readonly role?: Role | undefined;
  /** This principal's own limit (overrides the router default). */
  readonly rateLimit?: RateLimit | undefined;
}

export const ANONYMOUS: Principal = { id: 'anonymous', name: 'anonymous', kind: 'anonymous' };

/** Normalises `{ rps, burst? }`: burst defaults to one second's worth (at least 1). */
export function toRateLimit(input: { rps: number; burst?: number | undefined } | number): RateLimit {
  const rps = typeof input === 'number' ? input : input.rps;
  const burst = typeof input === 'number' ? undefined : input.burst;
  return { rps, burst: burst ?? Math.max(1, Math.ceil(rps)) };
}
