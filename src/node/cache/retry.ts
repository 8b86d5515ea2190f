import { backoffDelay } from '../../core/backoff.js';

/** Retry policy of file downloads: attempts without progress, the core exponential backoff. Pure. */
export interface RetryPolicy {
  /** Failed attempts in a row (without receiving a byte) before giving up (default 3). */
  maxAttempts: number;
  /** Delay before the second attempt; doubles each time (default 1 s). */
  baseDelayMs: number;
  /** Upper bound of one delay (default 30 s). */
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { maxAttempts: 3, baseDelayMs: 1000, maxDelayMs: 30_000 };

/** Delay after the `failures`-th consecutive failure (1-based): base, 2 x base, 4 x base... capped. */
export function retryDelay(policy: RetryPolicy, failures: number): number {
  return backoffDelay({ initialMs: policy.baseDelayMs, maxMs: policy.maxDelayMs }, failures - 1);
}
