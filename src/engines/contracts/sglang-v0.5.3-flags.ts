/**
 * FIXTURE: the `python3 -m sglang.launch_server` command line of SGLang v0.5.3 (October 2025).
 *
 * Source: transcribed by hand, from memory of `python/sglang/srt/server_args.py` (ServerArgs.add_cli_args)
 * of that release, without network access to check it. SGLang uses a plain argparse.ArgumentParser
 * (allow_abbrev on: `--ho` would mean `--host`; Nebula refuses abbreviations), with store_true switches
 * and no `--no-` forms. The list may miss rarely used flags (they are then refused, never wrongly accepted);
 * every flag the adapter emits is certain for this release and asserted by adapters.test.ts.
 */
import { flagTable, type FlagSpec } from '../contract.js';

export const SGLANG_RELEASE = 'SGLang v0.5.3';

export const SGLANG_FLAGS: readonly FlagSpec[] = flagTable(`
  # model and tokenizer
  --model-path --model 1
  --tokenizer-path 1
  --tokenizer-mode 1
  --tokenizer-worker-num 1
  --skip-tokenizer-init 0
  --load-format 1
  --model-loader-extra-config 1
  --trust-remote-code 0
  --context-length 1
  --is-embedding 0
  --enable-multimodal 0
  --revision 1
  --model-impl 1
  # HTTP server
  --host 1
  --port 1
  --skip-server-warmup 0
  --warmups 1
  --nccl-port 1
  # quantization and data type
  --dtype 1
  --quantization 1
  --quantization-param-path 1
  --kv-cache-dtype 1
  # memory and scheduling
  --mem-fraction-static 1
  --max-running-requests 1
  --max-queued-requests 1
  --max-total-tokens 1
  --chunked-prefill-size 1
  --max-prefill-tokens 1
  --schedule-policy 1
  --schedule-conservativeness 1
  --page-size 1
  --hybrid-kvcache-ratio 1
  --swa-full-tokens-ratio 1
  --disable-hybrid-swa-memory 0
  # runtime
  --device 1
  --tensor-parallel-size --tp-size 1
  --pipeline-parallel-size --pp-size 1
  --max-micro-batch-size 1
  --stream-interval 1
  --stream-output 0
  --random-seed 1
  --constrained-json-whitespace-pattern 1
  --watchdog-timeout 1
  --dist-timeout 1
  --download-dir 1
  --base-gpu-id 1
  --gpu-id-step 1
  --sleep-on-idle 0
  # logging and metrics
  --log-level 1
  --log-level-http 1
  --log-requests 0
  --log-requests-level 1
  --crash-dump-folder 1
  --show-time-cost 0
  --enable-metrics 0
  --enable-metrics-for-all-schedulers 0
  --bucket-time-to-first-token +
  --bucket-inter-token-latency +
  --bucket-e2e-request-latency +
  --collect-tokens-histogram 0
  --decode-log-interval 1
  --enable-request-time-stats-logging 0
  --kv-events-config 1
  --enable-trace 0
  --oltp-traces-endpoint 1
  # API
  --api-key 1
  --served-model-name 1
  --weight-version 1
  --chat-template 1
  --completion-template 1
  --file-storage-path 1
  --enable-cache-report 0
  --reasoning-parser 1
  --tool-call-parser 1
  --tool-server 1
  # data parallelism and multi-node
  --data-parallel-size --dp-size 1
  --load-balance-method 1
  --dist-init-addr --nccl-init-addr 1
  --nnodes 1
  --node-rank 1
  # model overrides
  --json-model-override-args 1
  --preferred-sampling-params 1
  # LoRA
  --enable-lora 0
  --max-lora-rank 1
  --lora-target-modules +
  --lora-paths +
  --max-loras-per-batch 1
  --max-loaded-loras 1
  --lora-backend 1
  # kernels and backends
  --attention-backend 1
  --prefill-attention-backend 1
  --decode-attention-backend 1
  --sampling-backend 1
  --grammar-backend 1
  --mm-attention-backend 1
  # speculative decoding
  --speculative-algorithm 1
  --speculative-draft-model-path --speculative-draft-model 1
  --speculative-draft-model-revision 1
  --speculative-num-steps 1
  --speculative-eagle-topk 1
  --speculative-num-draft-tokens 1
  --speculative-accept-threshold-single 1
  --speculative-accept-threshold-acc 1
  --speculative-token-map 1
  # expert parallelism
  --expert-parallel-size --ep-size --ep 1
  --moe-a2a-backend 1
  --moe-runner-backend 1
  --enable-flashinfer-allreduce-fusion 0
  --deepep-mode 1
  --ep-num-redundant-experts 1
  --ep-dispatch-algorithm 1
  --init-expert-location 1
  --enable-eplb 0
  --eplb-algorithm 1
  --eplb-rebalance-num-iterations 1
  --eplb-rebalance-layers-per-chunk 1
  --expert-distribution-recorder-mode 1
  --expert-distribution-recorder-buffer-size 1
  --enable-expert-distribution-metrics 0
  --deepep-config 1
  --moe-dense-tp-size 1
  # hierarchical cache
  --enable-hierarchical-cache 0
  --hicache-ratio 1
  --hicache-size 1
  --hicache-write-policy 1
  --hicache-io-backend 1
  --hicache-mem-layout 1
  --hicache-storage-backend 1
  --hicache-storage-prefetch-policy 1
  # offloading
  --cpu-offload-gb 1
  # optimizations and debugging
  --disable-radix-cache 0
  --cuda-graph-max-bs 1
  --cuda-graph-bs +
  --disable-cuda-graph 0
  --disable-cuda-graph-padding 0
  --enable-profile-cuda-graph 0
  --enable-cudagraph-gc 0
  --enable-nccl-nvls 0
  --enable-symm-mem 0
  --enable-tokenizer-batch-encode 0
  --disable-outlines-disk-cache 0
  --disable-custom-all-reduce 0
  --enable-mscclpp 0
  --disable-overlap-schedule 0
  --enable-mixed-chunk 0
  --enable-dp-attention 0
  --enable-dp-lm-head 0
  --enable-two-batch-overlap 0
  --tbo-token-distribution-threshold 1
  --enable-torch-compile 0
  --torch-compile-max-bs 1
  --torchao-config 1
  --enable-nan-detection 0
  --enable-p2p-check 0
  --triton-attention-reduce-in-fp32 0
  --triton-attention-num-kv-splits 1
  --num-continuous-decode-steps 1
  --delete-ckpt-after-loading 0
  --enable-memory-saver 0
  --allow-auto-truncate 0
  --enable-custom-logit-processor 0
  --flashinfer-mla-disable-ragged 0
  --disable-shared-experts-fusion 0
  --disable-chunked-prefix-cache 0
  --disable-fast-image-processor 0
  --enable-return-hidden-states 0
  --scheduler-recv-interval 1
  --enable-deterministic-inference 0
  --debug-tensor-dump-output-folder 1
  --debug-tensor-dump-input-file 1
  --debug-tensor-dump-inject 1
  --debug-tensor-dump-prefill-only 0
  # PD disaggregation
  --disaggregation-mode 1
  --disaggregation-transfer-backend 1
  --disaggregation-bootstrap-port 1
  --disaggregation-decode-tp 1
  --disaggregation-decode-dp 1
  --disaggregation-prefill-pp 1
  --disaggregation-ib-device 1
  --num-reserved-decode-tokens 1
  # weight loading
  --custom-weight-loader +
  --weight-loader-disable-mmap 0
`);
