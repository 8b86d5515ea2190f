import { join } from 'node:path';
import type { Dtype, ModelSpec } from '../core/domain/index.js';
import type { LaunchInput } from './types.js';

/** Served model name: what clients put in `model`. */
export function servedModelName(spec: ModelSpec): string {
  return spec.served_model_name ?? spec.model_uid;
}

/**
 * CUDA_VISIBLE_DEVICES for an assignment: the GPU indices, comma-separated. A CPU-only assignment gets
 * the empty string (never unset), so an engine built with CUDA cannot grab every GPU of the node.
 */
export function cudaVisibleDevices(gpuIndices: readonly number[]): string {
  return gpuIndices.join(',');
}

/**
 * Share of each GPU the replica may use: reserved bytes over the GPU's total, rounded down to two
 * decimals and clamped to 0.05-0.95. Undefined when the total is unknown (the engine keeps its default).
 */
export function memoryFraction(reservedBytes: number, totalBytes: number | undefined): string | undefined {
  if (totalBytes === undefined || totalBytes <= 0) return undefined;
  // The epsilon keeps 0.29 * 100 = 28.999... from flooring to 0.28.
  const floored = Math.floor((reservedBytes / totalBytes) * 100 + 1e-6) / 100;
  return Math.min(0.95, Math.max(0.05, floored)).toFixed(2);
}

/**
 * Where engines find and put weights under the node's cache root: the Hugging Face cache in HF_HOME
 * (hub files under `hub/`, the directory vLLM's and SGLang's --download-dir point at), ModelScope's in
 * `modelscope/`, llama.cpp's own downloads in `llama.cpp/`.
 */
export function cacheLayout(cacheDir: string): {
  hfHome: string;
  hubDir: string;
  modelscope: string;
  llamacpp: string;
} {
  return {
    hfHome: cacheDir,
    hubDir: join(cacheDir, 'hub'),
    modelscope: join(cacheDir, 'modelscope'),
    llamacpp: join(cacheDir, 'llama.cpp'),
  };
}

/** The model argument: the resolved local path, the spec's local path, or the hub name. */
export function modelArgument(input: LaunchInput): { model: string; fromHub: boolean } {
  const local = input.modelPath ?? input.spec.model_path;
  return local !== undefined
    ? { model: local, fromHub: false }
    : { model: input.spec.model_name, fromHub: true };
}

/**
 * --dtype for vLLM and SGLang, which take auto/float16/bfloat16/float32. fp8 is a quantization there;
 * int8/int4 describe the weights, which `quantization` names, so they add no flag.
 */
export function torchDtypeFlags(dtype: Dtype | undefined, quantization: string | undefined): string[] {
  switch (dtype) {
    case undefined:
    case 'int8':
    case 'int4':
      return [];
    case 'fp8':
      return quantization === undefined ? ['--quantization', 'fp8'] : [];
    default:
      return ['--dtype', dtype];
  }
}

/**
 * The environment: defaults, then the cache manager's, then the spec's own variables, and last what
 * placement dictates (CUDA_VISIBLE_DEVICES), which nothing may override.
 */
export function mergeEnv(
  defaults: Record<string, string>,
  input: LaunchInput,
  enforced: Record<string, string>,
): Record<string, string> {
  return { ...defaults, ...(input.env ?? {}), ...input.spec.engine_config.env, ...enforced };
}

/** vLLM accepts only these `--max-lora-rank` values (LoRAConfig's possible_max_ranks, v0.11). */
export const VLLM_LORA_RANKS: readonly number[] = [8, 16, 32, 64, 128, 256, 320, 512];

/** The largest rank among the adapters whose configs say (undefined when none says). */
export function maxAdapterRank(adapters: LaunchInput['adapters']): number | undefined {
  const ranks = (adapters ?? []).flatMap((a) => (a.rank === undefined ? [] : [a.rank]));
  return ranks.length === 0 ? undefined : Math.max(...ranks);
}

/** `name=path` for vLLM's `--lora-modules` and SGLang's `--lora-paths`. */
export function loraModuleArgs(adapters: NonNullable<LaunchInput['adapters']>): string[] {
  return adapters.map((a) => `${a.name}=${a.path}`);
}
