/** Engine load as read from its Prometheus `/metrics`. */
export interface EngineLoad {
  /**
   * Requests queued (vLLM `num_requests_waiting`, SGLang `num_queue_reqs`, llama.cpp `requests_deferred`);
   * undefined when not exported.
   */
  waiting?: number;
  running?: number;
  /** KV cache usage 0..1 (vLLM `kv_cache_usage_perc` or the older `gpu_cache_usage_perc`, SGLang `token_usage`). */
  kvUsage?: number;
}

const SUMMED: Record<string, 'waiting' | 'running'> = {
  'vllm:num_requests_waiting': 'waiting',
  'vllm:num_requests_running': 'running',
  'sglang:num_queue_reqs': 'waiting',
  'sglang:num_running_reqs': 'running',
  // llama-server (--metrics): slots decoding and requests deferred for lack of a free slot.
  'llamacpp:requests_processing': 'running',
  'llamacpp:requests_deferred': 'waiting',
};
const KV = new Set(['vllm:kv_cache_usage_perc', 'vllm:gpu_cache_usage_perc', 'sglang:token_usage']);

/**
 * Reads the few load gauges the balancers use from Prometheus text exposition. Series of one name (several
 * served models, data-parallel ranks) are summed for queue lengths and maxed for KV usage; fractions above
 * 1 are taken as percentages.
 */
export function parseEngineLoad(text: string): EngineLoad {
  const out: EngineLoad = {};
  let start = 0;
  const n = text.length;
  while (start < n) {
    let end = text.indexOf('\n', start);
    if (end === -1) end = n;
    // Only lines of our metrics are split further; everything else is skipped by its first characters.
    if (
      text.charCodeAt(start) !== 35 /* # */ &&
      (text.startsWith('vllm:', start) ||
        text.startsWith('sglang:', start) ||
        text.startsWith('llamacpp:', start))
    ) {
      const line = text.slice(start, end).trim();
      const brace = line.indexOf('{');
      const space = line.indexOf(' ');
      const nameEnd = brace !== -1 && (space === -1 || brace < space) ? brace : space;
      if (nameEnd > 0) {
        const name = line.slice(0, nameEnd);
        const afterLabels = brace !== -1 && brace === nameEnd ? line.lastIndexOf('}') + 1 : nameEnd;
        const value = Number(line.slice(afterLabels).trim().split(/\s+/)[0]);
        if (Number.isFinite(value)) {
          const field = SUMMED[name];
          if (field !== undefined) out[field] = (out[field] ?? 0) + value;
          else if (KV.has(name)) {
            const frac = value > 1 ? value / 100 : value;
            out.kvUsage = Math.max(out.kvUsage ?? 0, frac);
          }
        }
      }
    }
    start = end + 1;
  }
  return out;
}
