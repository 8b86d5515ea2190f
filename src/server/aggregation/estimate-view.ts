import type { ModelSpec } from '../../core/domain/index.js';
import { estimateReplicaMemory } from '../../scheduler/estimate/index.js';
import type { MemoryEstimateView } from '../../api/schemas/models.js';

/** The estimator's answer for `spec` as the API shows it (pure; the scheduler reserves the same). */
export function memoryEstimateView(spec: ModelSpec): MemoryEstimateView {
  const e = estimateReplicaMemory(spec);
  const p = e.parts;
  return {
    gpu_count: e.gpuCount,
    per_gpu_bytes: e.perGpuBytes ?? null,
    basis: e.basis,
    summary: e.summary,
    parts: p
      ? {
          weights_bytes: Math.round(p.weightsBytes),
          kv_bytes: Math.round(p.kvBytes),
          runtime_bytes: Math.round(p.runtimeBytes),
          weights_from: p.weightsFrom,
          kv_from: p.kvFrom,
          kv_tokens: p.kvTokens ?? null,
          kv_bytes_per_token: p.kvBytesPerToken ?? null,
          weights_what: p.weightsWhat,
          kv_what: p.kvWhat,
          runtime_what: p.runtimeWhat,
        }
      : null,
  };
}
