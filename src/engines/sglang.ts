import { isAbsolute } from 'node:path';
import {
  cacheLayout,
  cudaVisibleDevices,
  loraModuleArgs,
  maxAdapterRank,
  memoryFraction,
  mergeEnv,
  modelArgument,
  servedModelName,
  torchDtypeFlags,
} from './common.js';
import { SGLANG_CONTRACT } from './contracts/sglang.js';
import type { EngineAdapter, LaunchCommand, LaunchInput } from './types.js';

/**
 * `python3 -m sglang.launch_server --model-path M --host H --port P --served-model-name S --tp-size N
 *  --mem-fraction-static F --download-dir <cache>/hub [--revision R] [--context-length L] [--dtype D]
 *  [--quantization Q] [--enable-lora [--lora-paths name=path... --max-loras-per-batch N [--max-lora-rank R]]]
 *  --enable-metrics <extra_args>`. Metrics are switched on because the
 * router reads load from them.
 */
function buildLaunch(input: LaunchInput): LaunchCommand {
  const { spec, assignment } = input;
  const cfg = spec.engine_config;
  const { model } = modelArgument(input);
  const layout = cacheLayout(input.cacheDir);
  const gpus = assignment.gpu_indices.length;
  const argv = ['-m', 'sglang.launch_server', '--model-path', model, '--host', input.host];
  argv.push('--port', String(assignment.port), '--served-model-name', servedModelName(spec));
  if (gpus > 0) argv.push('--tp-size', String(gpus));
  const share = gpus > 0 ? memoryFraction(assignment.gpu_memory_bytes, input.gpuMemoryTotalBytes) : undefined;
  if (share !== undefined) argv.push('--mem-fraction-static', share);
  argv.push('--download-dir', layout.hubDir);
  if (!isAbsolute(model) && spec.revision !== 'main') argv.push('--revision', spec.revision);
  if (cfg.max_model_len !== undefined) argv.push('--context-length', String(cfg.max_model_len));
  argv.push(...torchDtypeFlags(cfg.dtype, cfg.quantization));
  if (cfg.quantization !== undefined) argv.push('--quantization', cfg.quantization);
  const adapters = input.adapters ?? [];
  if (adapters.length > 0) {
    // Every adapter of the spec is loaded at start and may serve in one batch.
    argv.push('--enable-lora', '--lora-paths', ...loraModuleArgs(adapters));
    argv.push('--max-loras-per-batch', String(adapters.length));
    const rank = maxAdapterRank(adapters);
    if (rank !== undefined) argv.push('--max-lora-rank', String(rank));
  } else if (cfg.enable_lora === true) argv.push('--enable-lora');
  argv.push('--enable-metrics', ...cfg.extra_args);

  const defaults: Record<string, string> = { HF_HOME: layout.hfHome, MODELSCOPE_CACHE: layout.modelscope };
  if (spec.model_source === 'modelscope') defaults['SGLANG_USE_MODELSCOPE'] = 'true';
  const env = mergeEnv(defaults, input, { CUDA_VISIBLE_DEVICES: cudaVisibleDevices(assignment.gpu_indices) });
  return { command: input.executable ?? 'python3', argv, env };
}

export const adapter: EngineAdapter = {
  type: 'sglang',
  buildLaunch,
  readiness: SGLANG_CONTRACT.readiness,
  metricNames: SGLANG_CONTRACT.metricNames,
  contract: SGLANG_CONTRACT,
  servedModelName,
};
