import { z } from 'zod';
import { Timestamp } from './common.js';

const Count = z.number().int().positive().max(10_000_000);

/**
 * What a model's own files say it needs (DESIGN §11 "Model files facts"): computed by the server when a
 * model is created or imported and again when model_name / model_source / revision / model_path / the
 * GGUF file changes, stored in `ModelSpec.facts`. Clients never set it (the API bodies do not accept it).
 * The estimator reads it; a spec whose identity fields differ from `read_for` has stale facts, ignored.
 */
export const ModelFacts = z.object({
  /** The spec identity these facts were read for. */
  read_for: z.object({
    model_name: z.string().max(200),
    model_source: z.enum(['huggingface', 'modelscope', 'local']),
    revision: z.string().max(128),
    model_path: z.string().max(4096).optional(),
    /** The GGUF file the engine loads (for GGUF repositories). */
    file: z.string().max(512).optional(),
  }),
  computed_at: Timestamp,
  /** The weights' format: what the engine loads. */
  format: z.enum(['safetensors', 'gguf', 'pytorch', 'unknown']),
  /** Bytes of the files the engine loads (all shards; for GGUF the chosen file, every part of a split). */
  weights_bytes: z.number().int().nonnegative().optional(),
  /** Where weights_bytes came from. */
  weights_from: z.enum(['hub-file-list', 'safetensors-index', 'local-files']).optional(),
  /** Where the geometry below came from. */
  geometry_from: z.enum(['config.json', 'gguf-header']).optional(),
  /** `general.architecture` (GGUF) or `model_type` / `architectures[0]` (config.json). */
  architecture: z.string().max(128).optional(),
  num_layers: Count.optional(),
  hidden_size: Count.optional(),
  num_attention_heads: Count.optional(),
  num_kv_heads: Count.optional(),
  /** Per-head dimension of K (head_dim, or GGUF `attention.key_length`). */
  head_dim: Count.optional(),
  /** Per-head dimension of V when it differs from K (GGUF `attention.value_length`). */
  v_head_dim: Count.optional(),
  /** Longest context the model was trained for (max_position_embeddings / GGUF `context_length`). */
  max_context: Count.optional(),
  /** Checkpoint dtype (config.json `torch_dtype`), e.g. `bfloat16`. */
  dtype: z.string().max(32).optional(),
  /** GGUF `general.file_type` by name, e.g. `Q4_K_M`. */
  gguf_file_type: z.string().max(32).optional(),
  vocab_size: Count.optional(),
  /** Mixture of experts: experts per layer and experts used per token. */
  num_experts: Count.optional(),
  experts_per_token: Count.optional(),
  /** What could not be read (one line each), e.g. "config.json: not found on the hub". */
  notes: z.array(z.string().max(300)).max(10).default([]),
});
export type ModelFacts = z.infer<typeof ModelFacts>;
export type ModelFactsIdentity = ModelFacts['read_for'];
