import { adapterOf, pythonEngineLaunch } from './common.js';
import { VLLM_CONTRACT, VLLM_METRIC_NAMES } from './contracts/vllm.js';

export { VLLM_METRIC_NAMES };

/**
 * `vllm serve <model> --host H --port P --served-model-name S --tensor-parallel-size N
 *  --gpu-memory-utilization F --download-dir <cache>/hub [--revision R] [--max-model-len L] [--dtype D]
 *  [--quantization Q] [--enable-lora] <extra_args>`.
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
  }),
);
