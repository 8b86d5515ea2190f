import { adapterOf, cudaVisibleDevices, mergeEnv, servedModelName } from './common.js';
import { SIM_CONTRACT } from './contracts/sim.js';
import type { LaunchCommand, LaunchInput } from './types.js';

/**
 * `<nebula> engine-sim --model M --served-model-name S --host H --port P [--max-model-len L] <extra_args>`:
 * the built-in simulator, tuned through extra_args (`--ttft-ms 50 --itl-ms 10 --max-num-seqs 8`).
 * It looks like vLLM from outside, so it shares vLLM's probe and metric names.
 */
function buildLaunch(input: LaunchInput): LaunchCommand {
  const { spec, assignment } = input;
  const cfg = spec.engine_config;
  const argv = [...input.nebulaBin.args, 'engine-sim', '--model', spec.model_name];
  argv.push(
    '--served-model-name',
    servedModelName(spec),
    '--host',
    input.host,
    '--port',
    String(assignment.port),
  );
  if (cfg.max_model_len !== undefined) argv.push('--max-model-len', String(cfg.max_model_len));
  argv.push(...cfg.extra_args);
  const env = mergeEnv({}, input, { CUDA_VISIBLE_DEVICES: cudaVisibleDevices(assignment.gpu_indices) });
  return { command: input.executable ?? input.nebulaBin.command, argv, env };
}

export const adapter = adapterOf(SIM_CONTRACT, buildLaunch);
