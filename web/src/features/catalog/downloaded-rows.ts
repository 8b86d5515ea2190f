import type { AggregatedState, CachedModel, ModelSource, ModelView } from '../../api/types.ts';

/** One row of the catalog's "downloaded models" block (seed 004 §3.1). */
export interface DownloadedModelRow {
  key: string;
  model_name: string;
  /** Null when the files are cached but no model uses them. */
  model_uid: string | null;
  source: ModelSource;
  revision: string | null;
  /** Bytes of one copy (null while nothing is on disk yet). */
  size_bytes: number | null;
  node_count: number;
  complete_nodes: number;
  /** Where the files are; `name_hash` is the node's cache key hash (what a purge names). */
  nodes: { node_id: string; complete: boolean; size_bytes: number; path: string; name_hash: string }[];
  last_used_at: string | null;
  /** GGUF repositories: the `.gguf` files cached (the variants fetched); absent when there are none. */
  gguf_files?: string[];
  state: AggregatedState | null;
  state_reason: string | null;
  download: ModelView['download'];
}

const fileKey = (source: string, name: string) => `${source}\u0000${name}`;

/**
 * Joins the cluster's cache summary with the model list (pure): one row per model using cached files,
 * one row for files no model uses, and one row per model with nothing cached yet (a download under way,
 * a simulated or local model), so an import shows up at once with its progress. Sorted by name, then uid.
 */
export function buildDownloadedRows(
  cache: readonly CachedModel[],
  models: readonly ModelView[],
): DownloadedModelRow[] {
  const byUid = new Map(models.map((m) => [m.model_uid, m]));
  const rows: DownloadedModelRow[] = [];
  const covered = new Set<string>();
  for (const c of cache) {
    const nodes = c.nodes.map((n) => ({
      node_id: n.node_id,
      complete: n.complete,
      size_bytes: n.size_bytes,
      path: n.path,
      name_hash: n.name_hash,
    }));
    const base = {
      model_name: c.model_name,
      source: c.source,
      revision: c.revision || null,
      size_bytes: c.size_bytes,
      node_count: c.node_count,
      complete_nodes: c.complete_nodes,
      nodes,
      last_used_at: c.last_used_at,
      ...(c.gguf_files && c.gguf_files.length > 0 ? { gguf_files: c.gguf_files } : {}),
    };
    const users = [
      ...c.models.map((u) => u.model_uid),
      ...models
        .filter((m) => m.model_name === c.model_name && m.model_source === c.source)
        .map((m) => m.model_uid),
    ];
    const uniqueUsers = [...new Set(users)];
    if (uniqueUsers.length === 0) {
      rows.push({
        ...base,
        key: `cache:${fileKey(c.source, c.model_name)}`,
        model_uid: null,
        state: null,
        state_reason: null,
        download: null,
      });
      continue;
    }
    for (const uid of uniqueUsers) {
      covered.add(uid);
      const m = byUid.get(uid);
      const fromCache = c.models.find((u) => u.model_uid === uid);
      rows.push({
        ...base,
        key: `model:${uid}`,
        model_uid: uid,
        revision: m?.spec.revision ?? base.revision,
        state: m?.state ?? fromCache?.state ?? null,
        state_reason: m?.state_reason ?? null,
        download: m?.download ?? null,
      });
    }
  }
  for (const m of models) {
    if (covered.has(m.model_uid)) continue;
    rows.push({
      key: `model:${m.model_uid}`,
      model_name: m.model_name,
      model_uid: m.model_uid,
      source: m.model_source,
      revision: m.spec.revision,
      size_bytes: m.download?.bytes_total || m.spec.resources.weights_bytes || null,
      node_count: 0,
      complete_nodes: 0,
      nodes: [],
      last_used_at: null,
      state: m.state,
      state_reason: m.state_reason,
      download: m.download,
    });
  }
  return rows.sort(
    (a, b) =>
      a.model_name.localeCompare(b.model_name) || (a.model_uid ?? '').localeCompare(b.model_uid ?? ''),
  );
}
