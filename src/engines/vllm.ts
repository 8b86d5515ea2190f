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
  VLLM_LORA_RANKS,
} from './common.js';
import { VLLM_CONTRACT, VLLM_METRIC_NAMES } from './contracts/vllm.js';
import type { EngineAdapter, LaunchCommand, LaunchInput } from './types.js';

export { VLLM_METRIC_NAMES };

/**
 * `vllm serve <model> --host H --port P --served-model-name S --tensor-parallel-size N
 *  --gpu-memory-utilization F --download-dir <cache>/hub [--revision R] [--max-model-len L] [--dtype D]
 *  [--quantization Q] [--enable-lora [--lora-modules name=path... --max-loras N [--max-lora-rank R]]]
 *  <extra_args>`.
 */
function buildLaunch(input: LaunchInput): LaunchCommand {
  const { spec, assignment } = input;
  const cfg = spec.engine_config;
  const { model } = modelArgument(input);
  const layout = cacheLayout(input.cacheDir);
  const gpus = assignment.gpu_indices.length;
  const argv = ['serve', model, '--host', input.host, '--port', String(assignment.port)];
  argv.push('--served-model-name', servedModelName(spec));
  if (gpus > 0) argv.push('--tensor-parallel-size', String(gpus));
  const share = gpus > 0 ? memoryFraction(assignment.gpu_memory_bytes, input.gpuMemoryTotalBytes) : undefined;
  if (share !== undefined) argv.push('--gpu-memory-utilization', share);
  argv.push('--download-dir', layout.hubDir);
  if (!isAbsolute(model) && spec.revision !== 'main') argv.push('--revision', spec.revision);
  if (cfg.max_model_len !== undefined) argv.push('--max-model-len', String(cfg.max_model_len));
  argv.push(...torchDtypeFlags(cfg.dtype, cfg.quantization));
  if (cfg.quantization !== undefined) argv.push('--quantization', cfg.quantization);
  const adapters = input.adapters ?? [];
  if (adapters.length > 0) {
    // Every adapter of the spec is loaded at start and may serve in one batch; the rank vLLM reserves is
    // the largest adapter's, rounded up to a rank vLLM accepts (16, its default, when no config says).
    argv.push('--enable-lora', '--lora-modules', ...loraModuleArgs(adapters));
    argv.push('--max-loras', String(adapters.length));
    const rank = maxAdapterRank(adapters);
    if (rank !== undefined) {
      const allowed = VLLM_LORA_RANKS.find((r) => r >= rank) ?? rank;
      argv.push('--max-lora-rank', String(allowed));
    }
  } else if (cfg.enable_lora === true) argv.push('--enable-lora');
  argv.push(...cfg.extra_args);

  const defaults: Record<string, string> = { HF_HOME: layout.hfHome, MODELSCOPE_CACHE: layout.modelscope };
  if (spec.model_source === 'modelscope') defaults['VLLM_USE_MODELSCOPE'] = 'True';
  const env = mergeEnv(defaults, input, { CUDA_VISIBLE_DEVICES: cudaVisibleDevices(assignment.gpu_indices) });
  return { command: input.executable ?? 'vllm', argv, env };
}

export const adapter: EngineAdapter = {
  type: 'vllm',
  buildLaunch,
  readiness: VLLM_CONTRACT.readiness,
  metricNames: VLLM_CONTRACT.metricNames,
  contract: VLLM_CONTRACT,
  servedModelName,
};
