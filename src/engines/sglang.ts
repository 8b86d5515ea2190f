import { adapterOf, pythonEngineLaunch } from './common.js';
import { SGLANG_CONTRACT } from './contracts/sglang.js';

/**
 * `python3 -m sglang.launch_server --model-path M --host H --port P --served-model-name S --tp-size N
 *  --mem-fraction-static F --download-dir <cache>/hub [--revision R] [--context-length L] [--dtype D]
 *  [--quantization Q] [--enable-lora [--lora-paths name=path... --max-loras-per-batch N [--max-lora-rank R]]]
 *  --enable-metrics <extra_args>`. Metrics are switched on because the
 * router reads load from them.
 */
export const adapter = adapterOf(SGLANG_CONTRACT, (input) =>
  pythonEngineLaunch(input, {
    command: 'python3',
    head: (model) => ['-m', 'sglang.launch_server', '--model-path', model],
    tensorParallel: '--tp-size',
    memoryShare: '--mem-fraction-static',
    contextLength: '--context-length',
    always: ['--enable-metrics'],
    modelscope: ['SGLANG_USE_MODELSCOPE', 'true'],
    lora: { modules: '--lora-paths', maxLoras: '--max-loras-per-batch' },
  }),
);
