import { isAbsolute, join } from 'node:path';
import type { Dtype, ModelSpec } from '../core/domain/index.js';
import type { EngineContract } from './contract.js';
import type { EngineAdapter, LaunchCommand, LaunchInput } from './types.js';

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

/** An adapter from its contract (readiness, metric names) and its argv builder. */
export function adapterOf(
  contract: EngineContract,
  buildLaunch: EngineAdapter['buildLaunch'],
): EngineAdapter {
  return {
    type: contract.engine,
    buildLaunch,
    readiness: contract.readiness,
    metricNames: contract.metricNames,
    contract,
    servedModelName,
  };
}

/** How a Python serving engine (vLLM, SGLang) spells the settings Nebula manages on its command line. */
export interface PythonEngineFlags {
  /** The executable when the node names none. */
  command: string;
  /** What comes before `--host`: the subcommand or module, and the model. */
  head: (model: string) => string[];
  tensorParallel: string;
  memoryShare: string;
  contextLength: string;
  /** Flags that are always on, right before `extra_args`. */
  always: readonly string[];
  /** The variable that makes it download from ModelScope, and its value. */
  modelscope: readonly [name: string, value: string];
  /** How it takes the spec's LoRA adapters at start. */
  lora: {
    /** The flag followed by one `name=path` per adapter. */
    modules: string;
    /** The flag for how many adapters may serve in one batch. */
    maxLoras: string;
    /** The `--max-lora-rank` it is given for the largest adapter rank (absent: that rank itself). */
    rank?: (largest: number) => number;
  };
}

/**
 * `<head> --host H --port P --served-model-name S [<tp> N] [<share> F] --download-dir <cache>/hub
 * [--revision R] [<context> L] [--dtype D] [--quantization Q]
 * [--enable-lora [<modules> name=path... <max loras> N [--max-lora-rank R]]] <always> <extra_args>`,
 * with HF_HOME and MODELSCOPE_CACHE in the node cache and CUDA_VISIBLE_DEVICES from the placement.
 */
export function pythonEngineLaunch(input: LaunchInput, flags: PythonEngineFlags): LaunchCommand {
  const { spec, assignment } = input;
  const cfg = spec.engine_config;
  const { model } = modelArgument(input);
  const layout = cacheLayout(input.cacheDir);
  const gpus = assignment.gpu_indices.length;
  const argv = [...flags.head(model), '--host', input.host, '--port', String(assignment.port)];
  argv.push('--served-model-name', servedModelName(spec));
  if (gpus > 0) argv.push(flags.tensorParallel, String(gpus));
  const share = gpus > 0 ? memoryFraction(assignment.gpu_memory_bytes, input.gpuMemoryTotalBytes) : undefined;
  if (share !== undefined) argv.push(flags.memoryShare, share);
  argv.push('--download-dir', layout.hubDir);
  if (!isAbsolute(model) && spec.revision !== 'main') argv.push('--revision', spec.revision);
  if (cfg.max_model_len !== undefined) argv.push(flags.contextLength, String(cfg.max_model_len));
  argv.push(...torchDtypeFlags(cfg.dtype, cfg.quantization));
  if (cfg.quantization !== undefined) argv.push('--quantization', cfg.quantization);
  const adapters = input.adapters ?? [];
  if (adapters.length > 0) {
    // Every adapter of the spec is loaded at start and may serve in one batch.
    argv.push('--enable-lora', flags.lora.modules, ...loraModuleArgs(adapters));
    argv.push(flags.lora.maxLoras, String(adapters.length));
    const rank = maxAdapterRank(adapters);
    if (rank !== undefined) argv.push('--max-lora-rank', String(flags.lora.rank?.(rank) ?? rank));
  } else if (cfg.enable_lora === true) argv.push('--enable-lora');
  argv.push(...flags.always, ...cfg.extra_args);

  const defaults: Record<string, string> = { HF_HOME: layout.hfHome, MODELSCOPE_CACHE: layout.modelscope };
  if (spec.model_source === 'modelscope') defaults[flags.modelscope[0]] = flags.modelscope[1];
  const env = mergeEnv(defaults, input, { CUDA_VISIBLE_DEVICES: cudaVisibleDevices(assignment.gpu_indices) });
  return { command: input.executable ?? flags.command, argv, env };
}
