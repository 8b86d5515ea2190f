/**
 * GPU memory estimator (pure): how much memory one replica of a spec reserves on each of its GPUs.
 *
 * Formula (documented in docs and the README of this folder):
 *
 *   W        = weights bytes: resources.weights_bytes, else param_count_b x 1e9 x bytes/param, else the
 *              parameter count parsed from model_name ("Qwen2.5-7B" -> 7B) x bytes/param.
 *              bytes/param: quantization (AWQ/GPTQ/int4 0.5, fp8/int8 1), else dtype (fp32 4, 16-bit 2).
 *   KV       = max(512 MiB, 0.1 x W) x clamp(max_model_len / 8192, 0.25, 8)   (KV cache budget)
 *   per GPU  = (1.2 x W + KV) / gpu_count + 1 GiB                             (CUDA context + runtime)
 *
 * The 1.2 covers activations and allocator fragmentation; tensor parallelism splits weights and KV evenly.
 * An explicit resources.gpu_memory_gib wins over all of it. gpu_count 0 reserves no GPU. Engine `sim`
 * with nothing known reserves 1 GiB so simulated models place; another engine with nothing known needs
 * whole free GPUs (vLLM takes 90 % of a GPU by default, so anything less would be a guess).
 */
import { GIB, MIB } from '../core/domain/common.js';
import type { ModelSpec } from '../core/domain/model.js';
import { formatBytes } from './format.js';
import { bytesPerParamOfDtype, bytesPerParamOfQuantization, parseParamCountB } from './model-size.js';

export type EstimateBasis = 'explicit' | 'weights' | 'params' | 'name' | 'sim-default' | 'cpu' | 'unknown';

export interface MemoryEstimate {
  /** GPUs of one node each replica needs (tensor parallel size); 0 = CPU only. */
  gpuCount: number;
  /**
   * Bytes reserved on each of those GPUs. `undefined` when the size is unknown: the replica then takes
   * whole free GPUs (the planner reserves what is free on them).
   */
  perGpuBytes: number | undefined;
  basis: EstimateBasis;
  /** Weights size the estimate started from, when known. */
  weightsBytes?: number;
  /** One line for events and plans, e.g. "18.1 GiB per GPU from 7B params x 2 bytes". */
  summary: string;
}

export const ESTIMATOR = {
  weightsFactor: 1.2,
  kvFraction: 0.1,
  kvMinBytes: 512 * MIB,
  kvReferenceLen: 8192,
  frameworkPerGpuBytes: GIB,
  simDefaultBytes: GIB,
} as const;

/** Estimates the per-GPU reservation of one replica of `spec`. */
export function estimateReplicaMemory(spec: ModelSpec): MemoryEstimate {
  const gpuCount = spec.resources.gpu_count;
  if (gpuCount === 0) return { gpuCount: 0, perGpuBytes: 0, basis: 'cpu', summary: 'CPU only (gpu_count 0)' };

  const explicitGib = spec.resources.gpu_memory_gib;
  if (explicitGib !== undefined) {
    const bytes = roundUpMib(explicitGib * GIB);
    return {
      gpuCount,
      perGpuBytes: bytes,
      basis: 'explicit',
      summary: `${formatBytes(bytes)} per GPU (explicit)`,
    };
  }

  const weights = weightsOf(spec);
  if (!weights) {
    if (spec.engine_type === 'sim') {
      const bytes = ESTIMATOR.simDefaultBytes;
      return {
        gpuCount,
        perGpuBytes: bytes,
        basis: 'sim-default',
        summary: `${formatBytes(bytes)} per GPU (simulator default)`,
      };
    }
    return {
      gpuCount,
      perGpuBytes: undefined,
      basis: 'unknown',
      summary: 'model size unknown: whole GPUs (set resources.gpu_memory_gib to share them)',
    };
  }

  const perGpu = perGpuBytesFromWeights(weights.bytes, gpuCount, spec.engine_config.max_model_len);
  return {
    gpuCount,
    perGpuBytes: perGpu,
    basis: weights.basis,
    weightsBytes: weights.bytes,
    summary: `${formatBytes(perGpu)} per GPU from ${weights.what}`,
  };
}

/** The formula above, for a known weights size. */
export function perGpuBytesFromWeights(weightsBytes: number, gpuCount: number, maxModelLen?: number): number {
  const lenFactor = maxModelLen === undefined ? 1 : clamp(maxModelLen / ESTIMATOR.kvReferenceLen, 0.25, 8);
  const kv = Math.max(ESTIMATOR.kvMinBytes, ESTIMATOR.kvFraction * weightsBytes) * lenFactor;
  const total = ESTIMATOR.weightsFactor * weightsBytes + kv;
  return roundUpMib(total / Math.max(1, gpuCount) + ESTIMATOR.frameworkPerGpuBytes);
}

interface Weights {
  bytes: number;
  basis: 'weights' | 'params' | 'name';
  what: string;
}

function weightsOf(spec: ModelSpec): Weights | undefined {
  const r = spec.resources;
  if (r.weights_bytes !== undefined) {
    return { bytes: r.weights_bytes, basis: 'weights', what: `${formatBytes(r.weights_bytes)} of weights` };
  }
  const bpp =
    bytesPerParamOfQuantization(spec.engine_config.quantization, spec.model_name) ??
    bytesPerParamOfDtype(spec.engine_config.dtype);
  if (r.param_count_b !== undefined) {
    return {
      bytes: r.param_count_b * 1e9 * bpp,
      basis: 'params',
      what: `${r.param_count_b}B params x ${bpp} bytes`,
    };
  }
  const parsed = parseParamCountB(spec.model_name);
  if (parsed !== undefined) {
    return {
      bytes: parsed * 1e9 * bpp,
      basis: 'name',
      what: `${parsed}B params (from the name) x ${bpp} bytes`,
    };
  }
  return undefined;
}

function roundUpMib(bytes: number): number {
  return Math.ceil(bytes / MIB) * MIB;
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}
