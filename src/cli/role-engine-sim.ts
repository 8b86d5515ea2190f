import type { Command } from 'commander';
import { examplesText } from './define.js';
import { roleAction } from './role-action.js';

interface EngineSimFlags {
  model: string;
  port?: string;
  host?: string;
  servedModelName?: string;
  maxModelLen?: string;
  ttftMs?: string;
  itlMs?: string;
  maxNumSeqs?: string;
  maxWaiting?: string;
  kvBlocks?: string;
  blockSize?: string;
  startupMs?: string;
  failRate?: string;
  mode?: string;
  maxTokensDefault?: string;
  embeddingDim?: string;
  shutdownGraceMs?: string;
  logLevel?: string;
}

/** `nebula engine-sim`: the engine simulator (what the node agent launches for engine_type "sim"). */
export function registerEngineSimCommand(program: Command): void {
  program
    .command('engine-sim')
    .description(
      'run the engine simulator: an OpenAI-compatible server that behaves like vLLM, without a GPU',
    )
    .requiredOption('--model <name>', 'model name (as `vllm serve <model>` would get it)')
    .option('--port <port>', 'port to listen on', '8000')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--served-model-name <name>', 'name clients send as `model` (default: --model)')
    .option('--max-model-len <tokens>', 'context length', '4096')
    .option('--ttft-ms <ms>', 'time to first token with nothing cached (ms, or a duration: 1s)', '20')
    .option('--itl-ms <ms>', 'time between output tokens', '5')
    .option('--max-num-seqs <n>', 'requests decoded at once; more wait in FIFO order', '256')
    .option('--max-waiting <n>', 'waiting requests before new ones get 429', '1000')
    .option('--kv-blocks <n>', 'KV cache size in blocks', '8192')
    .option('--block-size <tokens>', 'tokens per KV block', '16')
    .option('--startup-ms <ms>', '/health answers 503 for this long after start (model loading)', '0')
    .option('--fail-rate <fraction>', 'share of requests answered 500 before the first byte', '0')
    .option('--mode <mode>', 'echo (repeat the last user message) or random (seeded words)', 'echo')
    .option('--max-tokens-default <n>', 'max_tokens when a request gives none', '64')
    .option('--embedding-dim <n>', 'default embedding length', '384')
    .option('--shutdown-grace-ms <ms>', 'on SIGTERM, how long running requests may finish', '5000')
    .option('--log-level <level>', 'log level (debug logs one line per request; env NEBULA_LOG_LEVEL)')
    .addHelpText(
      'after',
      examplesText([
        'nebula engine-sim --model Qwen/Qwen2.5-7B-Instruct --port 8001',
        'nebula engine-sim --model demo --port 0 --ttft-ms 0 --itl-ms 0          # zero-latency, for benchmarks',
        'nebula engine-sim --model demo --port 8001 --max-num-seqs 4 --max-waiting 8 --fail-rate 0.1',
        'curl -s localhost:8001/v1/chat/completions -H content-type:application/json \\',
        '  -d \'{"model":"demo","messages":[{"role":"user","content":"hi"}]}\'',
      ]),
    )
    .action(
      // Bad flags end with exit 2 and one line naming the flag.
      roleAction<EngineSimFlags>(
        async () => {
          const { runEngineSim } = await import('../sim/index.js');
          return (flags) => runEngineSim({ ...flags });
        },
        (err, { ConfigError }) => err instanceof ConfigError,
      ),
    );
}
