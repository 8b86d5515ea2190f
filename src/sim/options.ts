import { z } from 'zod';
import { MillisecondsInput } from '../core/duration.js';
import { ConfigError } from '../core/errors.js';

/** How the simulator produces completion text. */
export const SimMode = z.enum(['echo', 'random']);
export type SimMode = z.infer<typeof SimMode>;

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
/** Milliseconds: a number, or a duration such as `2s` (the `--...-ms` flags). */
const ms = (max: number, dflt: number) => MillisecondsInput(z.coerce.number().min(0).max(max)).default(dflt);

/**
 * Settings of one simulated engine. Numbers are coerced so the CLI can hand its strings straight in; the
 * times in milliseconds also take durations (`--startup-ms 2s`).
 * Defaults give a small, visibly streaming model (20 ms to the first token, 5 ms per token after it).
 */
export const SimOptions = z.object({
  /** Model name as the engine would be given it (`vllm serve <model>`). */
  model: z.string().min(1).max(512),
  /** Name clients send in `model`; defaults to `model`, as in vLLM. */
  servedModelName: z.string().min(1).max(512).optional(),
  host: z.string().min(1).max(255).default('127.0.0.1'),
  /** 0 picks a free port (tests). */
  port: int(0, 65535).default(8000),
  /** Time to first token for a prompt with nothing cached, in ms. */
  ttftMs: ms(600_000, 20),
  /** Time between output tokens, in ms. */
  itlMs: ms(60_000, 5),
  /** Requests decoded at once; the rest wait in FIFO order. */
  maxNumSeqs: int(1, 100_000).default(256),
  /** Requests allowed to wait; one more is answered 429. */
  maxWaiting: int(0, 1_000_000).default(1000),
  /** KV cache size in blocks, and tokens per block. */
  kvBlocks: int(1, 10_000_000).default(8192),
  blockSize: int(1, 4096).default(16),
  maxModelLen: int(1, 10_000_000).default(4096),
  /** /health answers 503 until this much time has passed since start (model loading). */
  startupMs: ms(3_600_000, 0),
  /** Fraction of generation requests answered 500 before the first byte. */
  failRate: z.coerce.number().min(0).max(1).default(0),
  mode: SimMode.default('echo'),
  /** max_tokens when the request gives none. */
  maxTokensDefault: int(1, 1_000_000).default(64),
  /** Default length of embedding vectors (requests may ask for `dimensions`). */
  embeddingDim: int(1, 65_536).default(384),
  /** How long stop() lets running requests finish before cutting them off. */
  shutdownGraceMs: ms(600_000, 5000),
});
export type SimOptionsInput = z.input<typeof SimOptions>;
export type SimOptions = z.output<typeof SimOptions>;

/** Validated options with the served name resolved. */
export type ResolvedSimOptions = SimOptions & { servedModelName: string };

/** Validates simulator options; a bad value throws ConfigError naming the option. */
export function resolveSimOptions(input: SimOptionsInput): ResolvedSimOptions {
  const parsed = SimOptions.safeParse(input);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.join('.') ?? 'options';
    throw new ConfigError(`engine-sim: ${where}: ${issue?.message ?? 'invalid'}`);
  }
  const o = parsed.data;
  return { ...o, servedModelName: o.servedModelName ?? o.model };
}
