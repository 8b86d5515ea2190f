import type { Clock } from '../../core/clock.js';

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
 * Once ready, probes every `intervalMs` (a probe that times out counts towards the period, so a frozen
 * engine is probed at the same rate as a live one). After `threshold` consecutive failures the engine is
 * out of rotation (`onUnready`); one success brings it back (`onRecovered`). Resolves 'unhealthy' when it
 * has stayed unready for `restartAfterMs` (0: at once), or 'gone' when the process ends or the loop is
 * cancelled.
 */
export async function watchReadiness(
  opts: ReadinessLoopOptions & {
    intervalMs: number;
    threshold: number;
    restartAfterMs?: number;
    onUnready?: (failures: number) => Promise<void> | void;
    onRecovered?: () => Promise<void> | void;
  },
): Promise<{ result: 'unhealthy'; failures: number } | { result: 'gone' }> {
  let failures = 0;
  let unreadySince: number | undefined;
  let wait = opts.intervalMs;
  for (;;) {
    if (!(await sleep(opts.clock, wait, opts.signal))) return { result: 'gone' };
    if (!opts.alive()) return { result: 'gone' };
    const started = opts.clock.now();
    const ok = await opts.probe();
    wait = Math.max(0, opts.intervalMs - (opts.clock.now() - started));
    if (opts.signal.aborted || !opts.alive()) return { result: 'gone' };
    if (ok) {
      failures = 0;
      if (unreadySince !== undefined) {
        unreadySince = undefined;
        await opts.onRecovered?.();
      }
      continue;
    }
    failures += 1;
    if (failures < opts.threshold) continue;
    const now = opts.clock.now();
    if (unreadySince === undefined) {
      unreadySince = now;
      if ((opts.restartAfterMs ?? 0) > 0) await opts.onUnready?.(failures);
    }
    if (now - unreadySince >= (opts.restartAfterMs ?? 0)) return { result: 'unhealthy', failures };
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
