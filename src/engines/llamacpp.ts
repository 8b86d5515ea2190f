import { adapterOf, cacheLayout, cudaVisibleDevices, mergeEnv, servedModelName } from './common.js';
import { LLAMACPP_CONTRACT } from './contracts/llamacpp.js';
import { EngineLaunchError } from './errors.js';
import type { LaunchCommand, LaunchInput } from './types.js';

/**
 * The GGUF to load: `-m <file>` with the file the cache manager resolved (the chosen variant, the first
 * part of a split model; llama.cpp finds the other parts next to it), or a local .gguf path. Without a
 * resolved file (Hugging Face only) llama-server fetches the repository itself, told the same variant.
 */
function modelFlags(input: LaunchInput): string[] {
  const local = input.modelPath ?? input.spec.model_path;
  if (local !== undefined) {
    if (!/\.gguf$/i.test(local)) {
      throw new EngineLaunchError(
        `llama.cpp needs a .gguf file, got "${local}" (name the variant with gguf_file or gguf_quant)`,
        'INVALID_MODEL_PATH',
      );
    }
    return ['-m', local];
  }
  const { spec } = input;
  if (spec.model_source !== 'huggingface') {
    throw new EngineLaunchError(
      `llama.cpp needs a local .gguf file for ${spec.model_source} models`,
      'MODEL_PATH_REQUIRED',
    );
  }
  if (spec.gguf_file !== undefined) return ['--hf-repo', spec.model_name, '--hf-file', spec.gguf_file];
  const repo = spec.gguf_quant !== undefined ? `${spec.model_name}:${spec.gguf_quant}` : spec.model_name;
  return ['--hf-repo', repo];
}

/**
 * `llama-server (-m <file.gguf> | --hf-repo org/name) --host H --port P --alias S -ngl (999|0)
 *  [--split-mode layer --tensor-split 1,1,...] [-c L] [--lora <adapter.gguf>... --lora-init-without-apply]
 *  --metrics <extra_args>`. Every layer goes to the GPUs
 * (split evenly by layer across several); dtype/quantization/LoRA settings do not apply (the GGUF fixes
 * them) and llama.cpp has no memory-share flag.
 */
function buildLaunch(input: LaunchInput): LaunchCommand {
  const { spec, assignment } = input;
  const cfg = spec.engine_config;
  const gpus = assignment.gpu_indices.length;
  const argv = [...modelFlags(input), '--host', input.host, '--port', String(assignment.port)];
  argv.push('--alias', servedModelName(spec), '-ngl', gpus > 0 ? '999' : '0');
  if (gpus > 1)
    argv.push('--split-mode', 'layer', '--tensor-split', assignment.gpu_indices.map(() => '1').join(','));
  if (cfg.max_model_len !== undefined) argv.push('-c', String(cfg.max_model_len));
  // LoRA adapters: loaded at start at scale 0 (`--lora-init-without-apply`), each request selects its own
  // by id (`lora: [{id, scale}]`, the id being the flag's position), so one process serves the base and
  // every adapter. llama.cpp reads a `--lora` value as a comma-separated list: a path with a comma would
  // become two adapters and shift every id after it.
  const adapters = input.adapters ?? [];
  for (const a of adapters) {
    if (/[,"]/.test(a.path) || !/\.gguf$/i.test(a.path))
      throw new EngineLaunchError(
        `llama.cpp needs a .gguf file without "," or quotes for adapter ${a.name}, got "${a.path}"`,
        'INVALID_MODEL_PATH',
      );
    argv.push('--lora', a.path);
  }
  if (adapters.length > 0) argv.push('--lora-init-without-apply');
  argv.push('--metrics', ...cfg.extra_args);

  const layout = cacheLayout(input.cacheDir);
  const env = mergeEnv({ LLAMA_CACHE: layout.llamacpp, HF_HOME: layout.hfHome }, input, {
    CUDA_VISIBLE_DEVICES: cudaVisibleDevices(assignment.gpu_indices),
  });
  return { command: input.executable ?? 'llama-server', argv, env };
}

export const adapter = adapterOf(LLAMACPP_CONTRACT, buildLaunch);
