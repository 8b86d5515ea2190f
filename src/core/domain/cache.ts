import { z } from 'zod';
import { NodeId } from '../ids.js';
import { ReplicaOnNodeShape, Timestamp } from './common.js';
import { ModelSource } from './model.js';

export const CacheLayout = z.enum(['huggingface', 'modelscope', 'plain']);
export type CacheLayout = z.infer<typeof CacheLayout>;

/** `/model_cache/{node_id}/{model_name_hash}`: one model's files on one node. */
export const ModelCacheEntry = z.object({
  node_id: NodeId,
  model_name: z.string().min(1),
  source: ModelSource,
  layout: CacheLayout,
  revision: z.string().default('main'),
  path: z.string(),
  size_bytes: z.number().int().min(0),
  file_count: z.number().int().min(0),
  complete: z.boolean(),
  last_used_at: Timestamp.optional(),
  scanned_at: Timestamp,
  /**
   * The `.gguf` files on disk (paths inside the model folder, sorted): which GGUF variants of the
   * repository this node holds (llama.cpp models fetch only the variant they load). Absent: none.
   */
  gguf_files: z.array(z.string()).optional(),
});
export type ModelCacheEntry = z.infer<typeof ModelCacheEntry>;

export const DownloadPhase = z.enum(['pending', 'downloading', 'verifying', 'complete', 'failed', 'cancelled']);
export type DownloadPhase = z.infer<typeof DownloadPhase>;

/** `/download_progress/{model_uid}/{replica_id}` under a 30 s lease renewed while the download is active. */
export const DownloadProgress = z.object({
  ...ReplicaOnNodeShape,
  model_name: z.string(),
  source: ModelSource,
  phase: DownloadPhase,
  bytes_done: z.number().int().min(0),
  bytes_total: z.number().int().min(0),
  files_done: z.number().int().min(0),
  files_total: z.number().int().min(0),
  current_file: z.string().optional(),
  speed_bps: z.number().min(0),
  eta_seconds: z.number().min(0).optional(),
  attempt: z.number().int().min(1).default(1),
  error: z.string().optional(),
  started_at: Timestamp,
  updated_at: Timestamp,
});
export type DownloadProgress = z.infer<typeof DownloadProgress>;

/** `/node_disk/{node_id}`: statfs of the node's cache volume. */
export const NodeDiskStatus = z.object({
  node_id: NodeId,
  path: z.string(),
  total_bytes: z.number().int().min(0),
  used_bytes: z.number().int().min(0),
  available_bytes: z.number().int().min(0),
  usage_percent: z.number().min(0).max(100),
  updated_at: Timestamp,
});
export type NodeDiskStatus = z.infer<typeof NodeDiskStatus>;

export const AlertType = z.enum(['disk_usage']);
export type AlertType = z.infer<typeof AlertType>;

export const AlertLevel = z.enum(['warning', 'critical']);
export type AlertLevel = z.infer<typeof AlertLevel>;

/** Disk usage thresholds (percent) of seed 002. */
export const DISK_WARNING_PERCENT = 85;
export const DISK_CRITICAL_PERCENT = 95;

/** `/alerts/{node_id}/{alert_type}`: present while the condition holds, removed when it clears. */
export const DiskAlert = z.object({
  node_id: NodeId,
  alert_type: AlertType,
  level: AlertLevel,
  message: z.string(),
  usage_percent: z.number().min(0).max(100),
  since: Timestamp,
  updated_at: Timestamp,
});
export type DiskAlert = z.infer<typeof DiskAlert>;

export const CachePurgeStatus = z.enum(['pending', 'done', 'refused', 'not_found', 'failed']);
export type CachePurgeStatus = z.infer<typeof CachePurgeStatus>;

/**
 * `/cache_purge/{node_id}/{model_name_hash}`: a request to delete one model's files from one node's cache.
 * The server writes it with status `pending` (DELETE of a node's cache entry, model delete with purge); the
 * node's cache manager deletes the files unless a running replica uses them, writes the outcome into the
 * same key (`done`, `refused` with the reason, `not_found`, `failed`) under a short lease, so the key
 * disappears by itself once the result had time to be read.
 */
export const CachePurgeRequest = z.object({
  node_id: NodeId,
  /** `modelNameHash(source, model_name)`, the same hash as the cache entry's key. */
  name_hash: z.string().regex(/^[A-Za-z0-9._-]{1,128}$/),
  /** The model, when the requester knows it (otherwise the node looks the hash up in its scan). */
  model_name: z.string().min(1).max(4096).optional(),
  source: ModelSource.optional(),
  requested_by: z.string().max(200).optional(),
  requested_at: Timestamp,
  status: CachePurgeStatus.default('pending'),
  reason: z.string().max(2000).optional(),
  freed_bytes: z.number().int().min(0).optional(),
  completed_at: Timestamp.optional(),
});
export type CachePurgeRequest = z.infer<typeof CachePurgeRequest>;
