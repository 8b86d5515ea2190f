/**
 * Facts from a GGUF header (llama.cpp's format): read with `@huggingface/gguf`, whose range reader asks
 * for 2 MB chunks through the fetch we give it. That fetch is ours: it serves only the one file URL the
 * caller built (through the hub client and its redirect allowlist) and stops after a byte budget, so a
 * hostile header (a huge string array) cannot make the server read a whole model.
 */
import { gguf } from '@huggingface/gguf';
import type { GeometryFacts } from './config-json.js';

/** llama.cpp's `llama_ftype` values (`general.file_type`) by name. */
const FILE_TYPES: Record<number, string> = {
  0: 'F32',
  1: 'F16',
  2: 'Q4_0',
  3: 'Q4_1',
  7: 'Q8_0',
  8: 'Q5_0',
  9: 'Q5_1',
  10: 'Q2_K',
  11: 'Q3_K_S',
  12: 'Q3_K_M',
  13: 'Q3_K_L',
  14: 'Q4_K_S',
  15: 'Q4_K_M',
  16: 'Q5_K_S',
  17: 'Q5_K_M',
  18: 'Q6_K',
  19: 'IQ2_XXS',
  20: 'IQ2_XS',
  21: 'Q2_K_S',
  22: 'IQ3_XS',
  23: 'IQ3_XXS',
  24: 'IQ1_S',
  25: 'IQ4_NL',
  26: 'IQ3_S',
  27: 'IQ3_M',
  28: 'IQ2_S',
  29: 'IQ2_M',
  30: 'IQ4_XS',
  31: 'IQ1_M',
  32: 'BF16',
  36: 'TQ1_0',
  37: 'TQ2_0',
  38: 'MXFP4_MOE',
};

export interface GgufFacts extends GeometryFacts {
  gguf_file_type?: string;
}

/** Reads bytes [start, end] (inclusive) of the file; returns them and the file's total size if known. */
export type RangeReader = (start: number, end: number) => Promise<{ bytes: Uint8Array; total?: number }>;

export class GgufHeaderError extends Error {}

function num(v: unknown): number | undefined {
  const n = typeof v === 'bigint' ? Number(v) : v;
  if (Array.isArray(n)) {
    const xs = n.map(num).filter((x): x is number => x !== undefined);
    return xs.length ? Math.max(...xs) : undefined;
  }
  return typeof n === 'number' && Number.isInteger(n) && n > 0 && n <= 10_000_000 ? n : undefined;
}

/** Maps GGUF metadata (`general.architecture`, `{arch}.block_count`, ...) to facts. */
export function factsFromGgufMetadata(md: Record<string, unknown>): GgufFacts {
  const arch = md['general.architecture'];
  if (typeof arch !== 'string' || !/^[A-Za-z0-9_.-]{1,64}$/.test(arch))
    throw new GgufHeaderError('GGUF header has no general.architecture');
  const k = (key: string) => md[`${arch}.${key}`];
  const out: GgufFacts = { architecture: arch };
  const put = <K extends keyof GgufFacts>(key: K, v: GgufFacts[K] | undefined) => {
    if (v !== undefined) out[key] = v;
  };
  put('num_layers', num(k('block_count')));
  put('hidden_size', num(k('embedding_length')));
  put('num_attention_heads', num(k('attention.head_count')));
  put('num_kv_heads', num(k('attention.head_count_kv')) ?? num(k('attention.head_count')));
  put('head_dim', num(k('attention.key_length')));
  put('v_head_dim', num(k('attention.value_length')));
  put('max_context', num(k('context_length')));
  put('num_experts', num(k('expert_count')));
  put('experts_per_token', num(k('expert_used_count')));
  const tokens = md['tokenizer.ggml.tokens'];
  put('vocab_size', num(k('vocab_size')) ?? (Array.isArray(tokens) ? num(tokens.length) : undefined));
  const ft = md['general.file_type'];
  const ftn = typeof ft === 'bigint' ? Number(ft) : ft;
  if (typeof ftn === 'number') put('gguf_file_type', FILE_TYPES[ftn] ?? `type ${ftn}`);
  return out;
}

/** Default cap of the bytes read for one header (the Llama 3 vocabulary alone is about 3 MB). */
export const GGUF_HEADER_BUDGET = 32 * 1024 * 1024;

/**
 * Parses the header of the GGUF file behind `read` (Range reads only) and maps it to facts.
 * Throws GgufHeaderError when it is not GGUF or exceeds the byte budget.
 */
export async function readGgufFacts(read: RangeReader, budget = GGUF_HEADER_BUDGET): Promise<GgufFacts> {
  const fake = 'https://gguf.invalid/model.gguf';
  let spent = 0;
  const fetchShim = (async (input: string | URL | Request, init?: RequestInit) => {
    const href = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    if (href !== fake) throw new GgufHeaderError('GGUF reader asked for another URL');
    const range = new Headers(init?.headers).get('range') ?? '';
    const m = /^bytes=(\d+)-(\d+)$/.exec(range);
    if (!m) throw new GgufHeaderError(`GGUF reader sent an unexpected range "${range}"`);
    const start = Number(m[1]);
    const end = Number(m[2]);
    spent += end - start + 1;
    if (spent > budget) throw new GgufHeaderError(`GGUF header larger than ${budget} bytes`);
    const r = await read(start, end);
    const len = r.bytes.byteLength;
    const headers: Record<string, string> = {};
    if (len > 0) headers['content-range'] = `bytes ${start}-${start + len - 1}/${r.total ?? '*'}`;
    return new Response(new Uint8Array(r.bytes), { status: 206, headers });
  }) as typeof fetch;
  let parsed: Awaited<ReturnType<typeof gguf>>;
  try {
    parsed = await gguf(fake, { fetch: fetchShim });
  } catch (err) {
    if (err instanceof GgufHeaderError) throw err;
    throw new GgufHeaderError(
      `not a readable GGUF header: ${err instanceof Error ? err.message : String(err)}`,
    );
  }
  return factsFromGgufMetadata(parsed.metadata as unknown as Record<string, unknown>);
}
