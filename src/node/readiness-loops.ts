import type { Clock } from '../core/clock.js';

/** Probes an engine once: true when it answered ready. */
export type Probe = () => Promise<boolean>;

export interface ReadinessLoopOptions {
  probe: Probe;
  clock: Clock;
  signal: AbortSignal;
  /** False once the engine process is gone (its exit is handled elsewhere). */
  alive: () => boolean;
}

/**
 * Probes every `intervalMs` until the engine is ready, its process is gone or cancelled, or `timeoutMs`
 * has passed. Cancellation ends the loop with 'gone' (never throws for it).
 */
export async function waitUntilReady(
  opts: ReadinessLoopOptions & { intervalMs: number; timeoutMs: number },
): Promise<'ready' | 'timeout' | 'gone'> {
  const deadline = opts.clock.now() + opts.timeoutMs;
  for (;;) {
    if (opts.signal.aborted || !opts.alive()) return 'gone';
    if (await opts.probe()) return opts.signal.aborted ? 'gone' : 'ready';
    if (opts.clock.now() >= deadline) return 'timeout';
    if (!(await sleep(opts.clock, opts.intervalMs, opts.signal))) return 'gone';
  }
}

/**
 * Once ready, probes every `intervalMs`; resolves 'unhealthy' after `threshold` consecutive failures
 * (one success resets the count), or 'gone' when the process ends or the loop is cancelled.
 */
export async function watchReadiness(
  opts: ReadinessLoopOptions & { intervalMs: number; threshold: number },
): Promise<{ result: 'unhealthy'; failures: number } | { result: 'gone' }> {
  let failures = 0;
  for (;;) {
    if (!(await sleep(opts.clock, opts.intervalMs, opts.signal))) return { result: 'gone' };
    if (!opts.alive()) return { result: 'gone' };
    if (await opts.probe()) {
      failures = 0;
      continue;
    }
    if (opts.signal.aborted) return { result: 'gone' };
    failures += 1;
    if (failures >= opts.threshold) return { result: 'unhealthy', failures };
  }
}

/** Sleeps; false when cancelled. */
async function sleep(clock: Clock, ms: number, signal: AbortSignal): Promise<boolean> {
  try {
    await clock.sleep(ms, signal);
    return !signal.aborted;
  } catch {
    return false;
  }
}
