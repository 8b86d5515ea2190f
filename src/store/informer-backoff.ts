/** Exponential backoff with full jitter: attempt 0 waits up to `initialMs`, doubling up to `maxMs`. */
export interface BackoffPolicy {
  initialMs: number;
  maxMs: number;
}

export const DEFAULT_INFORMER_BACKOFF: BackoffPolicy = { initialMs: 200, maxMs: 10_000 };

/** Delay before retry number `attempt` (0-based); `random` in [0, 1) is injectable for tests. */
export function backoffDelay(
  policy: BackoffPolicy,
  attempt: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(policy.maxMs, policy.initialMs * 2 ** Math.min(attempt, 30));
  // Half fixed, half jitter: never zero (no hot loop), and informers restarting together spread out.
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}
