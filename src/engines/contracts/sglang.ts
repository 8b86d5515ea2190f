import {
  COMMON_ALLOWED,
  DEVICE_AND_CACHE_MANAGED,
  LOADER_DENIED,
  type EngineContract,
  type Refusal,
} from '../contract.js';
import { SGLANG_FLAGS, SGLANG_RELEASE } from './sglang-v0.5.3-flags.js';

const managed = (reason: string): Refusal => ({ kind: 'managed', reason });
const denied = (reason: string): Refusal => ({ kind: 'denied', reason });

const LISTENER = managed('the engine listens only where the node tells it, behind the router');
const GPUS = managed('GPUs per replica come from resources.gpu_count');
const WRITES = denied('it writes files to a path on the node');

/** SGLang: flags Nebula sets or refuses, by any spelling of the flag. */
const refused: Record<string, Refusal> = {
  '--model-path': managed('the model comes from model_name / model_path'),
  '--host': LISTENER,
  '--port': LISTENER,
  '--nccl-port': LISTENER,
  '--api-key': managed('the router authenticates clients'),
  '--served-model-name': managed('set served_model_name'),
  '--tensor-parallel-size': GPUS,
  '--pipeline-parallel-size': GPUS,
  '--data-parallel-size': GPUS,
  '--base-gpu-id': GPUS,
  '--gpu-id-step': GPUS,
  '--mem-fraction-static': managed("the memory share comes from the replica's GPU reservation"),
  '--download-dir': managed("the node's model cache"),
  '--revision': managed('set revision'),
  '--context-length': managed('set engine_config.max_model_len'),
  '--dtype': managed('set engine_config.dtype'),
  '--quantization': managed('set engine_config.quantization'),
  '--enable-lora': managed('set engine_config.enable_lora'),
  '--lora-paths': managed('set adapters (the node downloads them)'),
  '--max-loras-per-batch': managed('one per adapter of the spec'),
  '--max-lora-rank': managed("the largest rank of the adapters' configs"),
  '--enable-metrics': managed("always on: the router reads load from the engine's metrics"),
  '--dist-init-addr': denied('multi-node serving is not managed by Nebula'),
  '--nnodes': denied('multi-node serving is not managed by Nebula'),
  '--node-rank': denied('multi-node serving is not managed by Nebula'),
  '--disaggregation-mode': denied('prefill/decode disaggregation is not managed by Nebula'),
  '--disaggregation-bootstrap-port': LISTENER,
  '--kv-events-config': denied('it opens a publisher socket outside the router'),
  '--trust-remote-code': denied('it runs Python code from the model repository on the node'),
  '--enable-custom-logit-processor': denied('it lets requests carry serialized Python code'),
  '--custom-weight-loader': denied('it loads Python code by name into the engine'),
  '--file-storage-path': WRITES,
  '--crash-dump-folder': WRITES,
  '--debug-tensor-dump-output-folder': WRITES,
  '--debug-tensor-dump-input-file': denied('it reads files from a path on the node'),
  '--debug-tensor-dump-inject': denied('debugging only'),
};

/** The SGLang adapter's contract (see contract.ts). */
export const SGLANG_CONTRACT: EngineContract = {
  engine: 'sglang',
  release: SGLANG_RELEASE,
  source: 'src/engines/contracts/sglang-v0.5.3-flags.ts (transcribed from the release source)',
  dialect: {
    equalsForm: true,
    attachedShortValue: true,
    underscoresAsDashes: false,
    prefixAbbreviations: true,
  },
  flags: SGLANG_FLAGS,
  refused,
  env: {
    managed: {
      ...DEVICE_AND_CACHE_MANAGED,
      SGLANG_USE_MODELSCOPE: 'set from model_source',
      SGLANG_HOST_IP: 'the engine listens only where the node tells it',
      SGLANG_PORT: 'the engine listens only where the node tells it',
    },
    denied: [
      ...LOADER_DENIED,
      {
        pattern: /^SGLANG_(TORCH_PROFILER_DIR|CACHE_DIR)$/,
        reason: 'moves where the engine writes files on the node',
      },
    ],
    allowed: [
      ...COMMON_ALLOWED,
      /^SGLANG_[A-Z0-9_]+$/,
      /^NCCL_[A-Z0-9_]+$/,
      /^CUDA_(LAUNCH_BLOCKING|DEVICE_MAX_CONNECTIONS|MODULE_LOADING|DEVICE_ORDER)$/,
      /^(PYTORCH_CUDA_ALLOC_CONF|TORCH_CUDA_ARCH_LIST|NVIDIA_TF32_OVERRIDE)$/,
    ],
  },
  // /health answers 200 once the server is up; /health_generate would run a generation on every probe.
  readiness: { path: '/health', expectStatus: 200 },
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
};
