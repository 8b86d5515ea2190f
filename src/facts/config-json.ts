/**
 * Facts from a Hugging Face `config.json` (transformers' model config): layers, heads, KV heads, head dim,
 * context, dtype, vocabulary and mixture-of-experts fields. Multimodal configs keep the language model's
 * fields under `text_config` (Llama 4, Gemma 3, Qwen2.5-VL ...): those win. Unknown or bad values are
 * left out, never guessed.
 */
import type { ModelFacts } from '../core/domain/model-facts.js';

export type GeometryFacts = Pick<
  ModelFacts,
  | 'architecture'
  | 'num_layers'
  | 'hidden_size'
  | 'num_attention_heads'
  | 'num_kv_heads'
  | 'head_dim'
  | 'v_head_dim'
  | 'max_context'
  | 'dtype'
  | 'vocab_size'
  | 'num_experts'
  | 'experts_per_token'
>;

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function int(o: Record<string, unknown>, ...names: string[]): number | undefined {
  for (const n of names) {
    const v = o[n];
    if (typeof v === 'number' && Number.isInteger(v) && v > 0 && v <= 10_000_000) return v;
  }
  return undefined;
}

function set<K extends keyof GeometryFacts>(out: GeometryFacts, k: K, v: GeometryFacts[K] | undefined): void {
  if (v !== undefined) out[k] = v;
}

/** Reads the geometry out of a parsed config.json; `{}` when it is not an object. */
export function factsFromConfig(raw: unknown): GeometryFacts {
  if (!isObj(raw)) return {};
  const c: Record<string, unknown> = isObj(raw['text_config']) ? { ...raw, ...raw['text_config'] } : raw;
  const out: GeometryFacts = {};
  const arch = Array.isArray(c['architectures']) ? c['architectures'][0] : undefined;
  const modelType = typeof c['model_type'] === 'string' ? c['model_type'] : undefined;
  const name = modelType ?? (typeof arch === 'string' ? arch : undefined);
  if (name && /^[A-Za-z0-9_.-]{1,128}$/.test(name)) out.architecture = name;
  set(out, 'num_layers', int(c, 'num_hidden_layers', 'n_layer', 'num_layers', 'n_layers'));
  set(out, 'hidden_size', int(c, 'hidden_size', 'n_embd', 'd_model'));
  set(out, 'num_attention_heads', int(c, 'num_attention_heads', 'n_head', 'n_heads'));
  set(
    out,
    'num_kv_heads',
    int(c, 'num_key_value_heads', 'num_kv_heads', 'multi_query_group_num', 'n_head_kv'),
  );
  set(out, 'head_dim', int(c, 'head_dim'));
  set(
    out,
    'max_context',
    int(c, 'max_position_embeddings', 'max_sequence_length', 'seq_length', 'n_positions', 'max_seq_len'),
  );
  set(out, 'vocab_size', int(c, 'vocab_size', 'padded_vocab_size'));
  set(out, 'num_experts', int(c, 'num_local_experts', 'num_experts', 'n_routed_experts', 'moe_num_experts'));
  set(out, 'experts_per_token', int(c, 'num_experts_per_tok', 'moe_topk', 'num_selected_experts'));
  const dtype = c['torch_dtype'] ?? c['dtype'];
  if (typeof dtype === 'string' && /^[a-z0-9_]{1,32}$/.test(dtype)) out.dtype = dtype;
  // Without the field: one KV head for multi-query models (GPT-BigCode, Falcon-7B), else one per attention
  // head (transformers' default for num_key_value_heads).
  if (out.num_kv_heads === undefined) {
    if (c['multi_query'] === true || c['multi_query_attention'] === true) out.num_kv_heads = 1;
    else if (out.num_attention_heads !== undefined) out.num_kv_heads = out.num_attention_heads;
  }
  return out;
}

/** `metadata.total_size` of a `model.safetensors.index.json`, when present. */
export function totalSizeFromIndex(raw: unknown): number | undefined {
  if (!isObj(raw) || !isObj(raw['metadata'])) return undefined;
  const t = raw['metadata']['total_size'];
  const n = typeof t === 'string' && /^\d+$/.test(t) ? Number(t) : t;
  return typeof n === 'number' && Number.isSafeInteger(n) && n > 0 ? n : undefined;
}
