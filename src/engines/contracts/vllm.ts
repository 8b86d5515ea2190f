import { LISTENER, PYTHON_GPUS, denied, managed, pythonServerContract, type Refusal } from '../contract.js';
import type { EngineMetricNames } from '../types.js';
import { VLLM_FLAGS, VLLM_RELEASE } from './vllm-v0.11.0-flags.js';

/** vLLM's series (V1 engine names, as in v0.11); the simulator exports the same ones. */
export const VLLM_METRIC_NAMES: EngineMetricNames = {
  running: 'vllm:num_requests_running',
  waiting: 'vllm:num_requests_waiting',
  // Before vLLM 0.9 this was vllm:gpu_cache_usage_perc (still exported, deprecated).
  kvCacheUsage: 'vllm:kv_cache_usage_perc',
  promptTokens: 'vllm:prompt_tokens_total',
  generationTokens: 'vllm:generation_tokens_total',
  timeToFirstToken: 'vllm:time_to_first_token_seconds',
  prefixCacheQueries: 'vllm:prefix_cache_queries_total',
  prefixCacheHits: 'vllm:prefix_cache_hits_total',
  prefixCacheHitRate: null,
};

const LOADS_CODE = denied('it loads Python code or classes by name into the engine');
const GPUS = PYTHON_GPUS;

/** vLLM: flags Nebula sets or refuses, by any spelling of the flag. */
const refused: Record<string, Refusal> = {
  '--model': managed('the model comes from model_name / model_path'),
  '--uds': LISTENER,
  '--headless': LISTENER,
  '--root-path': LISTENER,
  '--ssl-keyfile': LISTENER,
  '--ssl-certfile': LISTENER,
  '--ssl-ca-certs': LISTENER,
  '--ssl-cert-reqs': LISTENER,
  '--enable-ssl-refresh': LISTENER,
  '--data-parallel-size-local': GPUS,
  '--data-parallel-rank': GPUS,
  '--data-parallel-start-rank': GPUS,
  '--data-parallel-address': LISTENER,
  '--data-parallel-rpc-port': LISTENER,
  '--data-parallel-backend': GPUS,
  '--api-server-count': LISTENER,
  '--gpu-memory-utilization': managed("the memory share comes from the replica's GPU reservation"),
  '--kv-cache-memory-bytes': managed("the memory share comes from the replica's GPU reservation"),
  '--max-model-len': managed('set engine_config.max_model_len'),
  '--lora-modules': managed('set adapters (the node downloads them)'),
  '--max-loras': managed('one per adapter of the spec'),
  '--hf-token': denied(
    'a token on the command line is visible to every process; set env HF_TOKEN (write-only)',
  ),
  '--config': denied('reads more arguments from a file on the node'),
  '--log-config-file': denied('a logging config can instantiate arbitrary Python classes'),
  '--middleware': LOADS_CODE,
  '--tool-parser-plugin': LOADS_CODE,
  '--worker-cls': LOADS_CODE,
  '--worker-extension-cls': LOADS_CODE,
  '--scheduler-cls': LOADS_CODE,
  '--logits-processors': LOADS_CODE,
  '--io-processor-plugin': LOADS_CODE,
  '--kv-transfer-config': denied(
    'its connector module path loads Python code; KV transfer is not managed by Nebula',
  ),
  '--allowed-local-media-path': denied('it lets API clients read files from the node'),
  '--disable-log-stats': denied("the router reads load from the engine's metrics"),
  '--distributed-executor-backend': denied('multi-node executors are not managed by Nebula'),
};

/** The vLLM adapter's contract (see contract.ts). */
export const VLLM_CONTRACT = pythonServerContract({
  engine: 'vllm',
  release: VLLM_RELEASE,
  source: 'src/engines/contracts/vllm-v0.11.0-flags.ts (transcribed from the release source)',
  underscoresAsDashes: true,
  flags: VLLM_FLAGS,
  refused,
  env: {
    managed: {
      VLLM_USE_MODELSCOPE: 'set from model_source',
      VLLM_API_KEY: 'the router authenticates clients',
      VLLM_HOST_IP: 'the engine listens only where the node tells it',
      VLLM_PORT: 'the engine listens only where the node tells it',
    },
    denied: [
      {
        pattern: /^VLLM_(PLUGINS|LOGGING_CONFIG_PATH|CONFIGURE_LOGGING)$/,
        reason: 'loads Python code or configuration into the engine',
      },
      {
        pattern: /^VLLM_ALLOW_INSECURE_SERIALIZATION$/,
        reason: 'lets requests carry pickled Python objects',
      },
      {
        pattern: /^VLLM_ALLOW_RUNTIME_LORA_UPDATING$/,
        reason: 'lets API clients load adapters from any path; adapters are part of the spec',
      },
      { pattern: /^VLLM_SERVER_DEV_MODE$/, reason: 'exposes development endpoints' },
      {
        pattern:
          /^VLLM_(RPC_BASE_PATH|CACHE_ROOT|CONFIG_ROOT|ASSETS_CACHE|XLA_CACHE_PATH|TORCH_PROFILER_DIR|DEBUG_DUMP_PATH)$/,
        reason: 'moves where the engine writes files on the node',
      },
    ],
    allowed: [/^VLLM_[A-Z0-9_]+$/],
  },

  metricNames: VLLM_METRIC_NAMES,
});
