import type { Command } from 'commander';
import { examplesText } from './define.js';
import { roleAction } from './role-action.js';
import { SimOptions, type SimOptionsInput } from '../sim/options.js';

/**
 * The simulator's flags, each declared once: the key is the flag's attribute (the flag is the key in
 * kebab-case), then the value's name in help and the help text. Every simulator setting has one (the
 * type says so); the defaults are the simulator's own (its schema's). All arrive as strings; the schema
 * coerces and checks them (ConfigError names the bad one).
 */
const SIM_FLAGS = {
  port: ['port', 'port to listen on'],
  host: ['host', 'address to listen on'],
  servedModelName: ['name', 'name clients send as `model` (default: --model)'],
  maxModelLen: ['tokens', 'context length'],
  ttftMs: ['ms', 'time to first token with nothing cached (ms, or a duration: 1s)'],
  itlMs: ['ms', 'time between output tokens'],
  maxNumSeqs: ['n', 'requests decoded at once; more wait in FIFO order'],
  maxWaiting: ['n', 'waiting requests before new ones get 429'],
  kvBlocks: ['n', 'KV cache size in blocks'],
  blockSize: ['tokens', 'tokens per KV block'],
  startupMs: ['ms', '/health answers 503 for this long after start (model loading)'],
  failRate: ['fraction', 'share of requests answered 500 before the first byte'],
  mode: ['mode', 'echo (repeat the last user message) or random (seeded words)'],
  maxTokensDefault: ['n', 'max_tokens when a request gives none'],
  embeddingDim: ['n', 'default embedding length'],
  shutdownGraceMs: ['ms', 'on SIGTERM, how long running requests may finish'],
  logLevel: ['level', 'log level (debug logs one line per request; env NEBULA_LOG_LEVEL)'],
} as const satisfies Record<
  Exclude<keyof SimOptionsInput, 'model'> | 'logLevel',
  readonly [value: string, help: string]
>;

type EngineSimFlags = { model: string } & { [K in keyof typeof SIM_FLAGS]?: string };

const kebab = (name: string): string => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** `nebula engine-sim`: the engine simulator (what the node agent launches for engine_type "sim"). */
export function registerEngineSimCommand(program: Command): void {
  const cmd = program
    .command('engine-sim')
    .description(
      'run the engine simulator: an OpenAI-compatible server that behaves like vLLM, without a GPU',
    )
    .requiredOption('--model <name>', 'model name (as `vllm serve <model>` would get it)');
  // The defaults as the simulator resolves them, shown in help and handed over as strings like typed ones.
  const defaults: Record<string, unknown> = SimOptions.parse({ model: 'defaults' });
  for (const [name, [value, help]] of Object.entries(SIM_FLAGS)) {
    const d = defaults[name];
    const fallback = typeof d === 'number' || typeof d === 'string' ? String(d) : undefined;
    cmd.option(`--${kebab(name)} <${value}>`, help, fallback);
  }
  cmd
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
