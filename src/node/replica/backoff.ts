import { backoffDelay as exponentialDelay, type BackoffPolicy } from '../../core/backoff.js';

/**
 * Restart backoff for crashed engines, in the shape of Kubernetes' CrashLoopBackOff: the first restart
 * after a crash is immediate (a one-off crash costs only the engine's start time, not a fixed wait), then
 * `initialMs` doubling up to `maxMs` (the core backoff policy) from the second consecutive failure; forgiven
 * after `resetAfterMs` of healthy running. Pure: the controller keeps the state and the clock.
 */
export interface RestartBackoffPolicy extends BackoffPolicy {
  /** A replica that stayed ready this long before failing starts again from an immediate restart. */
  resetAfterMs: number;
}

/** 0, 10 s, 20 s, 40 s ... 5 min; reset after 10 min healthy. */
export const DEFAULT_BACKOFF: RestartBackoffPolicy = {
  initialMs: 10_000,
  maxMs: 300_000,
  resetAfterMs: 600_000,
};

export interface BackoffState {
  /** Consecutive failures counted towards the delay. */
  failures: number;
}

/** Delay before the restart that follows the `failures`-th consecutive failure (1-based): 0 for the first. */
export function backoffDelay(policy: BackoffPolicy, failures: number): number {
  return failures <= 1 ? 0 : exponentialDelay(policy, failures - 2);
}

/**
 * Records one failure and returns the delay before the next attempt. `healthySince` is when the replica
 * last became ready (undefined when it never did since the previous failure).
 */
export function nextBackoff(
  policy: RestartBackoffPolicy,
  state: BackoffState,
  now: number,
  healthySince: number | undefined,
): { state: BackoffState; delayMs: number } {
  const forgiven = healthySince !== undefined && now - healthySince >= policy.resetAfterMs;
  const failures = (forgiven ? 0 : state.failures) + 1;
  return { state: { failures }, delayMs: backoffDelay(policy, failures) };
}
