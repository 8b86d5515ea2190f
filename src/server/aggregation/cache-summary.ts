import type { CacheEntryView, CacheSummary, CachedModel } from '../../api/schemas/cache.js';
import type { ModelView } from '../../api/schemas/models.js';

/**
 * Groups cache entries of all nodes by model (source + name + revision), with the models (specs) that
 * use those files and their states: the catalog page's "downloaded models" block (pure).
 */
export function summariseCache(
  entries: readonly CacheEntryView[],
  views: readonly ModelView[] | undefined,
): CacheSummary {
  const groups = new Map<string, CachedModel>();
  const nodes = new Set<string>();
  let totalBytes = 0;
  for (const e of entries) {
    nodes.add(e.node_id);
    totalBytes += e.size_bytes;
    const key = `${e.source}\u0000${e.model_name}\u0000${e.revision}`;
    let g = groups.get(key);
    if (!g) {
      g = {
        model_name: e.model_name,
        source: e.source,
        revision: e.revision,
        size_bytes: 0,
        total_bytes: 0,
        node_count: 0,
        complete_nodes: 0,
        nodes: [],
        last_used_at: null,
        models: [],
      };
      groups.set(key, g);
    }
    g.nodes.push({
      node_id: e.node_id,
      size_bytes: e.size_bytes,
      complete: e.complete,
      last_used_at: e.last_used_at ?? null,
      path: e.path,
      name_hash: e.name_hash,
      ...(e.gguf_files ? { gguf_files: e.gguf_files } : {}),
    });
    if (e.gguf_files) g.gguf_files = [...new Set([...(g.gguf_files ?? []), ...e.gguf_files])].sort();
    g.size_bytes = Math.max(g.size_bytes, e.size_bytes);
    g.total_bytes += e.size_bytes;
    g.node_count = g.nodes.length;
    if (e.complete) g.complete_nodes++;
    if (e.last_used_at && (!g.last_used_at || e.last_used_at > g.last_used_at))
      g.last_used_at = e.last_used_at;
  }
  if (views) {
    const byName = new Map<string, { model_uid: string; state: CachedModel['models'][number]['state'] }[]>();
    for (const view of views) {
      // A model uses its weights and its LoRA adapters' files (hub adapters are cache entries of their own).
      const names = [
        `${view.model_source}\u0000${view.model_name}`,
        ...(view.spec.adapters ?? []).flatMap((a) => (a.model_id ? [`${a.source}\u0000${a.model_id}`] : [])),
      ];
      for (const k of new Set(names)) {
        const list = byName.get(k) ?? [];
        list.push({ model_uid: view.model_uid, state: view.state });
        byName.set(k, list);
      }
    }
    for (const g of groups.values()) g.models = byName.get(`${g.source}\u0000${g.model_name}`) ?? [];
  }
  const items = [...groups.values()].sort(
    (a, b) => a.model_name.localeCompare(b.model_name) || a.source.localeCompare(b.source),
  );
  return { items, total_bytes: totalBytes, node_count: nodes.size };
}
