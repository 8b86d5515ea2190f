/**
 * The one backoff policy: exponential delays from `initialMs` doubling up to `maxMs`, optionally jittered.
 * Pure; callers count attempts and keep the clock. Users: the node's engine restarts (which add an immediate
 * first restart and a reset after healthy running, see node/backoff.ts), the store informer's re-list after
 * a lost connection (jittered) and the model cache's download retries.
 */
export interface BackoffPolicy {
  /** Delay before the first retry; doubles with each further one. */
  initialMs: number;
  /** Upper bound of one delay. */
  maxMs: number;
  /**
   * `half`: each delay is half fixed and half random (never zero, so no hot loop, and clients that failed
   * together spread out). Absent or `none`: the exact exponential delay.
   */
  jitter?: 'none' | 'half' | undefined;
}

/**
 * Delay before retry number `attempt` (0-based: 0 waits `initialMs`), capped at `maxMs`; `random` in
 * [0, 1) is injectable for tests and used only with jitter.
 */
export function backoffDelay(
  policy: BackoffPolicy,
  attempt: number,
  random: () => number = Math.random,
): number {
  // Cap the exponent so that large attempt counts do not reach Infinity (0 x Infinity is NaN) before the min().
  const ceiling = Math.min(policy.maxMs, policy.initialMs * 2 ** Math.min(Math.max(0, attempt), 40));
  if (policy.jitter !== 'half') return ceiling;
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}
