/**
 * The one polling helper of the test suites (integration tests and src unit tests alike): tests wait
 * for a condition instead of asserting after a fixed sleep.
 */

/** How long to poll, how often, and what the condition is (named in the timeout's message). */
export interface WaitForOptions {
  /** Give up after this long (default 30 s). */
  timeoutMs?: number;
  /** Pause between checks (default 100 ms). */
  intervalMs?: number;
  /** What is awaited, for the message: "timed out waiting for <what>" (a function is asked at the timeout). */
  what?: string | (() => string);
}

/**
 * Polls `check` until it returns a truthy value (which it resolves to) or the time is up. A check that
 * throws counts as "not yet"; the last error is quoted when the wait times out.
 */
export async function waitFor<T>(
  check: () => T | undefined | false | null | Promise<T | undefined | false | null>,
  opts: WaitForOptions = {},
): Promise<T> {
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  let lastErr: unknown;
  for (;;) {
    try {
      const v = await check();
      if (v) return v;
    } catch (err) {
      lastErr = err;
    }
    if (Date.now() > deadline) {
      const why = lastErr instanceof Error ? ` (last error: ${lastErr.message})` : '';
      const what = typeof opts.what === 'function' ? opts.what() : (opts.what ?? 'condition');
      throw new Error(`timed out waiting for ${what}${why}`);
    }
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 100));
  }
}
