/**
 * A steady client load through the router for the day-two suites and the rollout benchmark: workers send
 * chat completions back to back (alternating streamed and plain) and tally every outcome. A failure is any
 * non-200 answer, a stream without `[DONE]`, or a transport error: planned changes must produce none.
 */

import { waitFor } from './wait-for.js';

/** What a load run saw. */
export interface LoadTally {
  ok: number;
  failed: number;
  /** The first few failures, verbatim (a test prints them when it fails). */
  errors: string[];
  /** Latency of every successful request, in milliseconds (whole body read). */
  latenciesMs: number[];
  /** When each successful request finished (`performance.now()`), index for index with `latenciesMs`. */
  doneAtMs: number[];
  /** When each failure happened (`performance.now()`). */
  failedAtMs: number[];
  /** Wall time from start to stop, in seconds. */
  seconds: number;
}

/** One request (streaming or not) for `model` through the router at `url`; returns the failure, if any. */
export async function routerRequest(
  url: string,
  model: string,
  stream: boolean,
): Promise<string | undefined> {
  try {
    const res = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        model,
        messages: [{ role: 'user', content: 'hi' }],
        max_tokens: 8,
        stream,
      }),
    });
    const text = await res.text();
    if (res.status !== 200) return `HTTP ${res.status}: ${text.slice(0, 200)}`;
    if (stream && !text.includes('[DONE]')) return `stream cut: ${text.slice(-200)}`;
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

/** Starts `workers` request loops for `model`; `stop()` ends them after their current request. */
export function routerLoad(
  url: string,
  model: string,
  workers: number,
): { stop: () => Promise<LoadTally>; served: (more: number) => Promise<void> } {
  const tally: LoadTally = {
    ok: 0,
    failed: 0,
    errors: [],
    latenciesMs: [],
    doneAtMs: [],
    failedAtMs: [],
    seconds: 0,
  };
  const started = performance.now();
  let running = true;
  const loops = Array.from({ length: workers }, async (_, i) => {
    for (let n = 0; running; n++) {
      const t0 = performance.now();
      const err = await routerRequest(url, model, (i + n) % 2 === 0);
      if (err === undefined) {
        tally.ok += 1;
        const now = performance.now();
        tally.latenciesMs.push(now - t0);
        tally.doneAtMs.push(now);
      } else {
        tally.failed += 1;
        tally.failedAtMs.push(performance.now());
        if (tally.errors.length < 10) tally.errors.push(err);
      }
    }
  });
  return {
    stop: async () => {
      running = false;
      await Promise.all(loops);
      tally.seconds = (performance.now() - started) / 1000;
      return tally;
    },
    /** Resolves once `more` further requests have been answered (the load is really flowing). */
    served: async (more: number) => {
      const target = tally.ok + tally.failed + more;
      await waitFor(() => (tally.ok + tally.failed >= target ? true : undefined), {
        what: `${more} more requests through the router`,
        timeoutMs: 30_000,
        intervalMs: 20,
      });
    },
  };
}

/** The `p` quantile (0..1) of `values` (nearest rank); 0 for none. */
export function quantile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1));
  return sorted[rank] ?? 0;
}

/** One line for a test's output: served, failed, rate, p99. */
export function describeLoad(what: string, t: LoadTally): string {
  const rate = t.seconds > 0 ? (t.ok + t.failed) / t.seconds : 0;
  return (
    `${what}: ${t.ok} served, ${t.failed} failed in ${t.seconds.toFixed(1)}s ` +
    `(${rate.toFixed(0)} req/s, p99 ${quantile(t.latenciesMs, 0.99).toFixed(1)} ms)`
  );
}
