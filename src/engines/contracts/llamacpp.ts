import {
  HEALTH_READINESS,
  LISTENER,
  denied,
  envPolicy,
  managed,
  type EngineContract,
  type Refusal,
} from '../contract.js';
import { LLAMA_SERVER_FLAGS, LLAMA_SERVER_RELEASE } from './llama-server-flags.js';

const MODEL = managed('the model file comes from the spec and the node cache manager');
const GPUS = managed('GPU selection and offload come from the placement');
const WRITES = denied('it writes files to a path on the node');
const READS = denied('it lets the engine or its clients read files from the node');
const TOOLS = denied('it lets API clients run tools (shell, files, MCP servers) on the node');
const EXITS = denied('it makes llama-server print something and exit');
const DOWNLOADS = denied('downloads go through the node cache manager');

/** llama-server: flags Nebula sets or refuses, by any spelling of the flag (see llama-server-flags.ts). */
const refused: Record<string, Refusal> = {
  '--model': MODEL,
  '--model-url': MODEL,
  '--docker-repo': MODEL,
  '--hf-repo': MODEL,
  '--hf-file': managed('choose the GGUF variant with gguf_file or gguf_quant (the node downloads only it)'),
  '--hf-token': denied(
    'a token on the command line is visible to every process; set env HF_TOKEN (write-only)',
  ),
  '--embd-gemma-default': MODEL,
  '--fim-qwen-1.5b-default': MODEL,
  '--fim-qwen-3b-default': MODEL,
  '--fim-qwen-7b-default': MODEL,
  '--fim-qwen-7b-spec': MODEL,
  '--fim-qwen-14b-spec': MODEL,
  '--fim-qwen-30b-default': MODEL,
  '--gpt-oss-20b-default': MODEL,
  '--gpt-oss-120b-default': MODEL,
  '--vision-gemma-4b-default': MODEL,
  '--vision-gemma-12b-default': MODEL,
  '--hf-repo-draft': DOWNLOADS,
  '--mmproj-url': DOWNLOADS,
  '--host': LISTENER,
  '--port': LISTENER,
  '--reuse-port': LISTENER,
  '--api-prefix': managed('the router and the readiness probe use the default paths'),
  '--alias': managed('set served_model_name'),
  '--api-key': managed('the router authenticates clients'),
  '--api-key-file': managed('the router authenticates clients'),
  '--ssl-key-file': LISTENER,
  '--ssl-cert-file': LISTENER,
  '--metrics': managed("always on: the router reads load from the engine's metrics"),
  '--gpu-layers': GPUS,
  '--split-mode': GPUS,
  '--tensor-split': GPUS,
  '--main-gpu': GPUS,
  '--device': GPUS,
  '--device-draft': GPUS,
  '--ctx-size': managed('set engine_config.max_model_len'),
  '--lora': managed('set adapters (the node downloads them; requests select them by name)'),
  '--lora-scaled': managed('set adapters (the node downloads them; requests select them by name)'),
  '--lora-init-without-apply': managed('adapters load unapplied; each request selects its own'),
  '--path': READS,
  '--media-path': READS,
  '--ui-config-file': READS,
  '--lookup-cache-static': READS,
  '--lookup-cache-dynamic': WRITES,
  '--log-file': WRITES,
  '--slot-save-path': WRITES,
  '--log-prompts-dir': WRITES,
  '--tools': TOOLS,
  '--tools-runtime': TOOLS,
  '--mcp-servers-config': TOOLS,
  '--mcp-servers-json': TOOLS,
  '--agent': TOOLS,
  '--ui-mcp-proxy': denied('it turns the engine into an open HTTP proxy'),
  '--video-ffmpeg-dir': denied('it runs programs from a directory of the caller’s choosing'),
  '--models-dir': denied('router mode (llama-server starting other llama-servers) is not managed by Nebula'),
  '--models-preset': denied(
    'router mode (llama-server starting other llama-servers) is not managed by Nebula',
  ),
  '--models-max': denied('router mode (llama-server starting other llama-servers) is not managed by Nebula'),
  '--models-autoload': denied(
    'router mode (llama-server starting other llama-servers) is not managed by Nebula',
  ),
  '--help': EXITS,
  '--version': EXITS,
  '--cache-list': EXITS,
  '--completion-bash': EXITS,
  '--list-devices': EXITS,
};

/**
 * The llama.cpp adapter's contract. llama-server parses exact spellings only (no `--x=v` form, no
 * abbreviations; `--x_y` reads as `--x-y`) and reads most options from `LLAMA_ARG_*` variables too: those
 * follow the flag they set (refused with it, allowed with it).
 */
export const LLAMACPP_CONTRACT: EngineContract = {
  engine: 'llamacpp',
  release: LLAMA_SERVER_RELEASE,
  source:
    'src/engines/contracts/llama-server-flags.ts (generated from the real binary by scripts/llama-server-flags.ts)',
  dialect: {
    equalsForm: false,
    attachedShortValue: false,
    underscoresAsDashes: true,
    prefixAbbreviations: false,
  },
  flags: LLAMA_SERVER_FLAGS,
  refused,
  env: envPolicy({
    managed: { GGML_CUDA_DEVICES: 'the GPUs placement assigned' },
    denied: [
      { pattern: /^GGML_BACKEND_PATH$/, reason: 'loads a library into the engine' },
      { pattern: /^(AIP_|LLAMA_SERVER_)/, reason: 'changes where and how llama-server listens' },
      { pattern: /^LLAMA_(ARG|API)_/, reason: 'not an option of this llama-server build' },
    ],
    allowed: [/^GGML_(CUDA|SCHED|CPU|OP)_[A-Z0-9_]+$/, /^(OMP_WAIT_POLICY|KMP_BLOCKTIME|NO_COLOR)$/],
  }),
  // 503 while the model loads, 200 once it serves.
  readiness: HEALTH_READINESS,
  // What tools/server/server-task.cpp (server_task_result_metrics::to_metrics) of this build exports, with
  // --metrics: counters prompt_tokens_total, prompt_tokens_cached_total, tokens_predicted_total, ...;
  // gauges requests_processing, requests_deferred, ... There is no KV-cache usage gauge (builds up to
  // late 2025 had llamacpp:kv_cache_usage_ratio), no TTFT histogram and no prefix-cache hit rate.
  metricNames: {
    running: 'llamacpp:requests_processing',
    waiting: 'llamacpp:requests_deferred',
    kvCacheUsage: null,
    promptTokens: 'llamacpp:prompt_tokens_total',
    generationTokens: 'llamacpp:tokens_predicted_total',
    timeToFirstToken: null,
    prefixCacheQueries: null,
    prefixCacheHits: null,
    prefixCacheHitRate: null,
  },
};
