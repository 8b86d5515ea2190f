/**
 * Publishes scanned models as `/model_cache/{node}/{modelNameHash(source, name)}` entries: writes what
 * changed (and refreshes unchanged entries every `refreshMs` so `scanned_at` stays meaningful), deletes
 * entries whose files vanished.
 */
import { ModelCacheEntry } from '../../core/domain/index.js';
import { modelNameHash } from '../../core/ids.js';
import { keys } from '../../core/keys.js';
import { encode, listJson } from '../../store/json.js';
import type { Store } from '../../store/types.js';
import type { ScannedModel } from './scan.js';

export function toEntry(nodeId: string, m: ScannedModel, nowMs: number): ModelCacheEntry {
  const e: ModelCacheEntry = {
    node_id: nodeId,
    model_name: m.model_name,
    source: m.source,
    layout: m.layout,
    revision: m.revision,
    path: m.path,
    size_bytes: m.size_bytes,
    file_count: m.file_count,
    complete: m.complete,
    scanned_at: new Date(nowMs).toISOString(),
  };
  if (m.last_used_at) e.last_used_at = m.last_used_at;
  if (m.gguf_files) e.gguf_files = m.gguf_files;
  return e;
}

function sameIgnoringScanTime(a: ModelCacheEntry, b: ModelCacheEntry): boolean {
  return JSON.stringify({ ...a, scanned_at: '' }) === JSON.stringify({ ...b, scanned_at: '' });
}

export interface PublishResult {
  entries: Map<string, ModelCacheEntry>;
  written: number;
  deleted: number;
}

export async function publishEntries(
  store: Store,
  nodeId: string,
  scanned: readonly ScannedModel[],
  nowMs: number,
  refreshMs: number,
): Promise<PublishResult> {
  const existing = await listJson(store, keys.modelCacheOf(nodeId), ModelCacheEntry);
  const old = new Map(existing.items.map((t) => [t.key, t.value]));
  const entries = new Map<string, ModelCacheEntry>();
  let written = 0;
  let deleted = 0;
  for (const m of scanned) {
    const hash = modelNameHash(m.source, m.model_name);
    const key = keys.modelCache(nodeId, hash);
    const next = toEntry(nodeId, m, nowMs);
    const prev = old.get(key);
    if (prev && sameIgnoringScanTime(prev, next) && nowMs - Date.parse(prev.scanned_at) < refreshMs) {
      entries.set(hash, prev);
    } else {
      await store.put(key, encode(ModelCacheEntry, next));
      entries.set(hash, next);
      written += 1;
    }
    old.delete(key);
  }
  for (const key of old.keys()) {
    await store.delete(key);
    deleted += 1;
  }
  // Keys that did not validate belong to nobody else under this node's prefix: remove them too.
  for (const bad of existing.invalid) {
    await store.delete(bad.key);
    deleted += 1;
  }
  return { entries, written, deleted };
}
