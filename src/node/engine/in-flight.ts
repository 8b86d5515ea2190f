import type { EngineMetricNames } from '../../engines/types.js';
import { parseEngineLoad } from '../../router/table/prom-text.js';

/** What an engine says about its in-flight work. */
export type InFlight =
  /** Requests running plus queued, from the engine's own gauges. */
  | { kind: 'count'; requests: number }
  /** Nothing listens on the port: no request can be in flight. */
  | { kind: 'gone' }
  /** The engine answered but its metrics do not say (not exported, an error status, a timeout). */
  | { kind: 'unknown' };

/**
 * Reads the requests an engine has in flight (running plus waiting) from its own Prometheus `/metrics`, by
 * the metric names of its adapter contract (src/engines/contracts: vLLM `vllm:num_requests_running`, SGLang
 * `sglang:num_running_reqs`, llama-server `llamacpp:requests_processing`, the simulator's vLLM names). The
 * text is parsed by the router's `parseEngineLoad`, so the names are read in one place.
 */
export async function readInFlight(
  port: number,
  names: Pick<EngineMetricNames, 'running' | 'waiting'>,
  timeoutMs: number,
  fetchImpl: typeof fetch = fetch,
): Promise<InFlight> {
  let text: string;
  try {
    const res = await fetchImpl(`http://127.0.0.1:${port}/metrics`, {
      signal: AbortSignal.timeout(timeoutMs),
    });
    text = await res.text();
    if (!res.ok) return { kind: 'unknown' };
  } catch (err) {
    // A refused connection means the engine no longer listens (it exited or closed its socket).
    return isRefused(err) ? { kind: 'gone' } : { kind: 'unknown' };
  }
  const load = parseEngineLoad(text);
  // A series the engine does not export leaves the count unknown (a gauge it exports at 0 reads as 0).
  if (load.running === undefined || !text.includes(names.running)) return { kind: 'unknown' };
  return { kind: 'count', requests: load.running + (load.waiting ?? 0) };
}

function isRefused(err: unknown): boolean {
  for (let e: unknown = err, i = 0; e && i < 5; i++) {
    if ((e as { code?: unknown }).code === 'ECONNREFUSED') return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}
