import { LISTENER, PYTHON_GPUS, denied, managed, pythonServerContract, type Refusal } from '../contract.js';
import { SGLANG_FLAGS, SGLANG_RELEASE } from './sglang-v0.5.3-flags.js';

const GPUS = PYTHON_GPUS;
const WRITES = denied('it writes files to a path on the node');

/** SGLang: flags Nebula sets or refuses, by any spelling of the flag. */
const refused: Record<string, Refusal> = {
  '--model-path': managed('the model comes from model_name / model_path'),
  '--nccl-port': LISTENER,
  '--base-gpu-id': GPUS,
  '--gpu-id-step': GPUS,
  '--mem-fraction-static': managed("the memory share comes from the replica's GPU reservation"),
  '--context-length': managed('set engine_config.max_model_len'),
  '--lora-paths': managed('set adapters (the node downloads them)'),
  '--max-loras-per-batch': managed('one per adapter of the spec'),
  '--enable-metrics': managed("always on: the router reads load from the engine's metrics"),
  '--dist-init-addr': denied('multi-node serving is not managed by Nebula'),
  '--nnodes': denied('multi-node serving is not managed by Nebula'),
  '--node-rank': denied('multi-node serving is not managed by Nebula'),
  '--disaggregation-mode': denied('prefill/decode disaggregation is not managed by Nebula'),
  '--disaggregation-bootstrap-port': LISTENER,
  '--enable-custom-logit-processor': denied('it lets requests carry serialized Python code'),
  '--custom-weight-loader': denied('it loads Python code by name into the engine'),
  '--file-storage-path': WRITES,
  '--crash-dump-folder': WRITES,
  '--debug-tensor-dump-output-folder': WRITES,
  '--debug-tensor-dump-input-file': denied('it reads files from a path on the node'),
  '--debug-tensor-dump-inject': denied('debugging only'),
};

/** The SGLang adapter's contract (see contract.ts). */
export const SGLANG_CONTRACT = pythonServerContract({
  engine: 'sglang',
  release: SGLANG_RELEASE,
  source: 'src/engines/contracts/sglang-v0.5.3-flags.ts (transcribed from the release source)',
  underscoresAsDashes: false,
  flags: SGLANG_FLAGS,
  refused,
  env: {
    managed: {
      SGLANG_USE_MODELSCOPE: 'set from model_source',
      SGLANG_HOST_IP: 'the engine listens only where the node tells it',
      SGLANG_PORT: 'the engine listens only where the node tells it',
    },
    denied: [
      {
        pattern: /^SGLANG_(TORCH_PROFILER_DIR|CACHE_DIR)$/,
        reason: 'moves where the engine writes files on the node',
      },
    ],
    allowed: [/^SGLANG_[A-Z0-9_]+$/],
  },

  metricNames: {
    running: 'sglang:num_running_reqs',
    waiting: 'sglang:num_queue_reqs',
    kvCacheUsage: 'sglang:token_usage',
    promptTokens: 'sglang:prompt_tokens_total',
    generationTokens: 'sglang:generation_tokens_total',
    timeToFirstToken: 'sglang:time_to_first_token_seconds',
    prefixCacheQueries: null,
    prefixCacheHits: null,
    prefixCacheHitRate: 'sglang:cache_hit_rate',
  },
});
