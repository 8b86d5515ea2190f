import type { Clock } from '../../core/clock.js';
import type { InFlight } from './in-flight.js';

/** How a drain ended: no work left, the grace period ran out, the engine went away, or it was cut short. */
export type DrainOutcome = 'idle' | 'grace' | 'gone' | 'aborted';

export interface DrainLoopOptions {
  clock: Clock;
  /** Reads the engine's in-flight requests (its own metrics). */
  inFlight: () => Promise<InFlight>;
  /** False once the engine process is gone. */
  alive: () => boolean;
  /** Time for every router to see the endpoint leave rotation before in-flight work is counted. */
  settleMs: number;
  /** The whole drain (settle included) never takes longer than this. */
  graceMs: number;
  intervalMs: number;
  /** Aborting ends the drain at once with 'aborted' (agent shutdown, force-stop). */
  signal: AbortSignal;
}

/**
 * Waits until a replica that left rotation has finished its in-flight requests: first `settleMs` so that
 * requests a router picked just before it saw `draining` reach the engine, then polls until the engine
 * reports none running or queued on two reads in a row (a request between two polls is not missed), all
 * bounded by `graceMs`. An engine whose metrics do not say is given the whole grace period.
 */
export async function drainInFlight(opts: DrainLoopOptions): Promise<DrainOutcome> {
  const deadline = opts.clock.now() + opts.graceMs;
  const left = () => deadline - opts.clock.now();
  if (!(await sleep(opts.clock, Math.min(opts.settleMs, opts.graceMs), opts.signal))) return 'aborted';
  let idleReads = 0;
  for (;;) {
    if (!opts.alive()) return 'gone';
    if (left() <= 0) return 'grace';
    const now = await opts.inFlight();
    if (opts.signal.aborted) return 'aborted';
    if (now.kind === 'gone') return 'gone';
    idleReads = now.kind === 'count' && now.requests === 0 ? idleReads + 1 : 0;
    if (idleReads >= 2) return 'idle';
    if (left() <= 0) return 'grace';
    if (!(await sleep(opts.clock, Math.min(opts.intervalMs, left()), opts.signal))) return 'aborted';
  }
}

async function sleep(clock: Clock, ms: number, signal: AbortSignal): Promise<boolean> {
  try {
    await clock.sleep(ms, signal);
    return true;
  } catch {
    return false;
  }
}
