/**
 * FIXTURE: the `vllm serve` command line of vLLM v0.11.0 (October 2025).
 *
 * Source: transcribed by hand, from memory of the release's argument definitions, without network access
 * to check them: `vllm/entrypoints/cli/serve.py` (the `serve` subcommand: model_tag, --headless,
 * --api-server-count, --config), `vllm/entrypoints/openai/cli_args.py` (FrontendArgs.add_cli_args) and
 * `vllm/engine/arg_utils.py` (EngineArgs / AsyncEngineArgs.add_cli_args, grouped by config class). vLLM
 * builds these from dataclasses: every boolean field is an argparse.BooleanOptionalAction, so `--x` also
 * exists as `--no-x` (withNegations below). Its FlexibleArgumentParser reads `--max_model_len` as
 * `--max-model-len`. The list may miss rarely used flags (they are then refused, never wrongly accepted);
 * every flag the adapter emits is certain for this release and asserted by adapters.test.ts.
 */
import { flagTable, withNegations, type FlagSpec } from '../contract.js';

export const VLLM_RELEASE = 'vLLM v0.11.0';

export const VLLM_FLAGS: readonly FlagSpec[] = withNegations(
  flagTable(`
  # serve subcommand
  --headless 0
  --api-server-count -asc 1
  --config 1
  # FrontendArgs
  --host 1
  --port 1
  --uds 1
  --uvicorn-log-level 1
  --disable-uvicorn-access-log 0
  --allow-credentials 0
  --allowed-origins 1
  --allowed-methods 1
  --allowed-headers 1
  --api-key +
  --lora-modules +
  --chat-template 1
  --chat-template-content-format 1
  --trust-request-chat-template 0
  --response-role 1
  --ssl-keyfile 1
  --ssl-certfile 1
  --ssl-ca-certs 1
  --enable-ssl-refresh 0
  --ssl-cert-reqs 1
  --root-path 1
  --middleware 1
  --return-tokens-as-token-ids 0
  --disable-frontend-multiprocessing 0
  --enable-request-id-headers 0
  --enable-auto-tool-choice 0
  --exclude-tools-when-tool-choice-none 0
  --tool-call-parser 1
  --tool-parser-plugin 1
  --tool-server 1
  --log-config-file 1
  --max-log-len 1
  --disable-fastapi-docs 0
  --enable-prompt-tokens-details 0
  --enable-server-load-tracking 0
  --enable-force-include-usage 0
  --enable-tokenizer-info-endpoint 0
  --enable-log-outputs 0
  --h11-max-incomplete-event-size 1
  --h11-max-header-count 1
  --log-error-stack 0
  # ModelConfig
  --model 1
  --runner 1
  --convert 1
  --task 1
  --tokenizer 1
  --tokenizer-mode 1
  --trust-remote-code 0
  --dtype 1
  --seed 1
  --hf-config-path 1
  --allowed-local-media-path 1
  --allowed-media-domains +
  --revision 1
  --code-revision 1
  --rope-scaling 1
  --rope-theta 1
  --tokenizer-revision 1
  --max-model-len 1
  --quantization -q 1
  --enforce-eager 0
  --max-logprobs 1
  --logprobs-mode 1
  --disable-sliding-window 0
  --disable-cascade-attn 0
  --skip-tokenizer-init 0
  --enable-prompt-embeds 0
  --served-model-name +
  --config-format 1
  --hf-token ?
  --hf-overrides 1
  --pooler-config 1
  --override-pooler-config 1
  --logits-processor-pattern 1
  --generation-config 1
  --override-generation-config 1
  --enable-sleep-mode 0
  --model-impl 1
  --override-attention-dtype 1
  --logits-processors +
  --io-processor-plugin 1
  # LoadConfig
  --load-format 1
  --download-dir 1
  --safetensors-load-strategy 1
  --model-loader-extra-config 1
  --ignore-patterns +
  --use-tqdm-on-load 0
  --pt-load-map-location 1
  # StructuredOutputsConfig
  --reasoning-parser 1
  --guided-decoding-backend 1
  # ParallelConfig
  --distributed-executor-backend 1
  --pipeline-parallel-size -pp 1
  --tensor-parallel-size -tp 1
  --decode-context-parallel-size -dcp 1
  --data-parallel-size -dp 1
  --data-parallel-rank -dpn 1
  --data-parallel-start-rank -dpr 1
  --data-parallel-size-local -dpl 1
  --data-parallel-address -dpa 1
  --data-parallel-rpc-port -dpp 1
  --data-parallel-backend -dpb 1
  --data-parallel-hybrid-lb 0
  --data-parallel-external-lb 0
  --enable-expert-parallel 0
  --enable-dbo 0
  --dbo-decode-token-threshold 1
  --dbo-prefill-token-threshold 1
  --enable-eplb 0
  --eplb-config 1
  --expert-placement-strategy 1
  --num-redundant-experts 1
  --eplb-window-size 1
  --eplb-step-interval 1
  --eplb-log-balancedness 0
  --max-parallel-loading-workers 1
  --ray-workers-use-nsight 0
  --disable-custom-all-reduce 0
  --worker-cls 1
  --worker-extension-cls 1
  --enable-multimodal-encoder-data-parallel 0
  # CacheConfig
  --block-size 1
  --gpu-memory-utilization 1
  --kv-cache-memory-bytes 1
  --swap-space 1
  --kv-cache-dtype 1
  --num-gpu-blocks-override 1
  --enable-prefix-caching 0
  --prefix-caching-hash-algo 1
  --cpu-offload-gb 1
  --calculate-kv-scales 0
  --kv-sharing-fast-prefill 0
  --mamba-cache-dtype 1
  --mamba-ssm-cache-dtype 1
  # MultiModalConfig
  --limit-mm-per-prompt 1
  --media-io-kwargs 1
  --mm-processor-kwargs 1
  --mm-processor-cache-gb 1
  --disable-mm-preprocessor-cache 0
  --mm-processor-cache-type 1
  --mm-shm-cache-max-object-size-mb 1
  --mm-encoder-tp-mode 1
  --interleave-mm-strings 0
  --skip-mm-profiling 0
  --video-pruning-rate 1
  # LoRAConfig
  --enable-lora 0
  --enable-lora-bias 0
  --max-loras 1
  --max-lora-rank 1
  --lora-extra-vocab-size 1
  --lora-dtype 1
  --max-cpu-loras 1
  --fully-sharded-loras 0
  --default-mm-loras 1
  # ObservabilityConfig
  --show-hidden-metrics-for-version 1
  --otlp-traces-endpoint 1
  --collect-detailed-traces +
  # SchedulerConfig
  --max-num-batched-tokens 1
  --max-num-seqs 1
  --max-num-partial-prefills 1
  --max-long-partial-prefills 1
  --cuda-graph-sizes +
  --long-prefill-token-threshold 1
  --num-lookahead-slots 1
  --scheduling-policy 1
  --enable-chunked-prefill 0
  --disable-chunked-mm-input 0
  --scheduler-cls 1
  --disable-hybrid-kv-cache-manager 0
  --async-scheduling 0
  # VllmConfig
  --speculative-config 1
  --kv-transfer-config 1
  --kv-events-config 1
  --compilation-config -O 1
  --additional-config 1
  --structured-outputs-config 1
  # EngineArgs / AsyncEngineArgs
  --disable-log-stats 0
  --enable-log-requests 0
  --disable-log-requests 0
`),
);
