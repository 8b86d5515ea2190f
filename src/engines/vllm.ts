import { adapterOf, pythonEngineLaunch, VLLM_LORA_RANKS } from './common.js';
import { VLLM_CONTRACT, VLLM_METRIC_NAMES } from './contracts/vllm.js';

export { VLLM_METRIC_NAMES };

/**
 * `vllm serve <model> --host H --port P --served-model-name S --tensor-parallel-size N
 *  --gpu-memory-utilization F --download-dir <cache>/hub [--revision R] [--max-model-len L] [--dtype D]
 *  [--quantization Q] [--enable-lora [--lora-modules name=path... --max-loras N [--max-lora-rank R]]]
 *  <extra_args>`.
 */
export const adapter = adapterOf(VLLM_CONTRACT, (input) =>
  pythonEngineLaunch(input, {
    command: 'vllm',
    head: (model) => ['serve', model],
    tensorParallel: '--tensor-parallel-size',
    memoryShare: '--gpu-memory-utilization',
    contextLength: '--max-model-len',
    always: [],
    modelscope: ['VLLM_USE_MODELSCOPE', 'True'],
    // The rank vLLM reserves is the largest adapter's, rounded up to a rank vLLM accepts (16, its
    // default, when no config says).
    lora: {
      modules: '--lora-modules',
      maxLoras: '--max-loras',
      rank: (largest) => VLLM_LORA_RANKS.find((r) => r >= largest) ?? largest,
    },
  }),
);
