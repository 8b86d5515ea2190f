import { z } from 'zod';
import { ModelUid, NodeId } from '../ids.js';
import { Timestamp } from './common.js';
import { EngineType, GgufFileName, GgufQuant, ModelName, Revision } from './model.js';

/**
 * Where a pre-pull stands: `pending` (written by the server, not picked up yet), `downloading`,
 * then `done` (the files are complete in the node's cache) or `failed` (with the error).
 */
export const PullStatus = z.enum(['pending', 'downloading', 'done', 'failed']);
export type PullStatus = z.infer<typeof PullStatus>;

/** The hubs a pull downloads from (local models have nothing to download). */
export const PullSource = z.enum(['huggingface', 'modelscope']);
export type PullSource = z.infer<typeof PullSource>;

/**
 * `/pulls/{model_uid}/{node_id}`: a request to download one model's files onto one node without starting
 * an engine (`nebula model pull`, a download-only import). The server writes it `pending` with a snapshot
 * of the spec fields that decide which files a start would need; the node's cache manager downloads them
 * through the same code as a replica start (one download per model, verification, resume) and writes
 * progress into the same key at a bounded rate. A finished pull (done / failed) is rewritten under a
 * lease so its result stays readable for a while, then disappears; deleting the model deletes its pulls.
 */
export const ModelPull = z.object({
  model_uid: ModelUid,
  node_id: NodeId,
  model_name: ModelName,
  model_source: PullSource,
  revision: Revision.default('main'),
  /** Decides the GGUF variant to fetch (llama.cpp loads one variant; other engines whole repositories). */
  engine_type: EngineType,
  gguf_file: GgufFileName.optional(),
  gguf_quant: GgufQuant.optional(),
  /** Who asked (`user:alice`, `key:ab12cd`). */
  requested_by: z.string().max(200).optional(),
  requested_at: Timestamp,
  status: PullStatus.default('pending'),
  bytes_done: z.number().int().min(0).default(0),
  bytes_total: z.number().int().min(0).default(0),
  files_done: z.number().int().min(0).default(0),
  files_total: z.number().int().min(0).default(0),
  speed_bps: z.number().min(0).optional(),
  /** True when the node already had every file (nothing was fetched). */
  cached: z.boolean().optional(),
  /** Bytes actually fetched from the hub by this pull. */
  fetched_bytes: z.number().int().min(0).optional(),
  error: z.string().max(2000).optional(),
  started_at: Timestamp.optional(),
  updated_at: Timestamp.optional(),
  completed_at: Timestamp.optional(),
});
export type ModelPull = z.infer<typeof ModelPull>;

/** The fields of a pull that say which files to fetch: two pulls with equal targets fetch the same files. */
export const PULL_TARGET_FIELDS = [
  'model_name',
  'model_source',
  'revision',
  'engine_type',
  'gguf_file',
  'gguf_quant',
] as const satisfies readonly (keyof ModelPull)[];
export type PullTarget = Pick<ModelPull, (typeof PULL_TARGET_FIELDS)[number]>;

/** The target fields of a pull or a spec (optional GGUF fields only when set). */
export function pullTargetFrom(src: PullTarget): PullTarget {
  const t: PullTarget = {
    model_name: src.model_name,
    model_source: src.model_source,
    revision: src.revision,
    engine_type: src.engine_type,
  };
  if (src.gguf_file !== undefined) t.gguf_file = src.gguf_file;
  if (src.gguf_quant !== undefined) t.gguf_quant = src.gguf_quant;
  return t;
}

/** True when both name the same files (same hub, repository, revision and GGUF choice). */
export function samePullTarget(a: PullTarget, b: PullTarget): boolean {
  return PULL_TARGET_FIELDS.every((k) => (a[k] ?? null) === (b[k] ?? null));
}

/** A pull that is over (its result is kept under a lease for a while). */
export function pullFinished(status: PullStatus): boolean {
  return status === 'done' || status === 'failed';
}
