import { z } from 'zod';
import {
  AggregatedState,
  DiskAlert,
  ModelCacheEntry,
  ModelSource,
  NodeDiskStatus,
} from '../../core/domain/index.js';
import { ModelUid, NodeId } from '../../core/ids.js';
import { listOf } from './common.js';

/**
 * A cache entry as the API shows it: the stored entry plus `name_hash`, the last segment of its key
 * `/model_cache/{node_id}/{name_hash}`, which `DELETE /api/v2/nodes/{node_id}/cache/{hash}` takes (so
 * clients never recompute the node's hash).
 */
export const CacheEntryView = ModelCacheEntry.extend({ name_hash: z.string() });
export type CacheEntryView = z.infer<typeof CacheEntryView>;

export const NodeCacheResponse = z.object({
  node_id: NodeId,
  items: z.array(CacheEntryView),
  total_bytes: z.number(),
});
export type NodeCacheResponse = z.infer<typeof NodeCacheResponse>;

export const NodeDiskResponse = z.object({
  node_id: NodeId,
  disk: NodeDiskStatus.nullable(),
  alerts: z.array(DiskAlert),
});
export type NodeDiskResponse = z.infer<typeof NodeDiskResponse>;

/** One model's files across the cluster (the catalog page's "downloaded models" block). */
export const CachedModel = z.object({
  model_name: z.string(),
  source: ModelSource,
  revision: z.string(),
  /** Largest copy (bytes): what one node needs. */
  size_bytes: z.number(),
  /** Sum over nodes. */
  total_bytes: z.number(),
  node_count: z.number().int(),
  complete_nodes: z.number().int(),
  nodes: z.array(
    z.object({
      node_id: NodeId,
      size_bytes: z.number(),
      complete: z.boolean(),
      last_used_at: z.string().nullable(),
      path: z.string(),
      /** The entry's key hash on this node (`CacheEntryView.name_hash`): what a purge of it names. */
      name_hash: z.string(),
      /** The `.gguf` files this node holds (GGUF repositories: the variants fetched there). */
      gguf_files: z.array(z.string()).optional(),
    }),
  ),
  last_used_at: z.string().nullable(),
  /** The `.gguf` files cached on any node, sorted; absent when there are none. */
  gguf_files: z.array(z.string()).optional(),
  /** Models (specs) using these files, with their aggregated state. */
  models: z.array(z.object({ model_uid: ModelUid, state: AggregatedState })),
});
export type CachedModel = z.infer<typeof CachedModel>;

export const CacheSummary = z
  .object({ items: z.array(CachedModel), total_bytes: z.number(), node_count: z.number().int() })
  .meta({ id: 'CacheSummary' });
export type CacheSummary = z.infer<typeof CacheSummary>;

export const AlertsQuery = z.object({
  node_id: NodeId.optional(),
  level: z.enum(['warning', 'critical']).optional(),
});
export const AlertList = listOf(DiskAlert);
