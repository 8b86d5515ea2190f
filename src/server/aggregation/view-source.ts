import {
  DiskAlert,
  DownloadProgress,
  Endpoint,
  ModelCacheEntry,
  ModelDeployment,
  ModelRequest,
  ModelSpec,
  NodeDiskStatus,
  NodeSettings,
  NodeStatus,
  PlacementPlan,
} from '../../core/domain/index.js';
import { parseKey, prefixes } from '../../core/keys.js';
import type { CacheEntryView } from '../../api/schemas/cache.js';
import type { ModelView } from '../../api/schemas/models.js';
import { modelViewFrom } from './model-view.js';
import { loadCacheEntries, loadNodesSnapshot, type NodesSnapshot } from './nodes-snapshot.js';
import { loadModelsSnapshot, type ModelsSnapshot } from './snapshot.js';
import type { StoreReader } from './store-reader.js';

/** Every model's view (sorted by uid) with the snapshot it was built from. Read-only. */
export interface ModelsView {
  snap: ModelsSnapshot;
  views: readonly ModelView[];
}

/**
 * Where list views read cluster state from. `DirectViewSource` lists the store on every request (always
 * current; used in-process and as the fallback); `CachedViewSource` (cluster-cache.ts) keeps a watched
 * in-memory copy so lists of thousands of models cost no store reads.
 */
export interface ViewSource {
  models(): Promise<ModelsView>;
  /** Nodes; pass the models view to share its plans and endpoints. */
  nodes(models?: ModelsView): Promise<NodesSnapshot>;
  requests(): Promise<ModelRequest[]>;
  /** Every node's cache entries, each with its key's `name_hash`. */
  cacheEntries(): Promise<CacheEntryView[]>;
  stop(): Promise<void>;
}

export function allViews(snap: ModelsSnapshot): ModelView[] {
  const out: ModelView[] = [];
  for (const uid of [...snap.specs.keys()].sort()) {
    const v = modelViewFrom(snap, uid);
    if (v) out.push(v);
  }
  return out;
}

/** Reads the store on every call: one list per prefix (decoded values memoised by modRevision). */
export class DirectViewSource implements ViewSource {
  constructor(private readonly reader: StoreReader) {}

  async models(): Promise<ModelsView> {
    const snap = await loadModelsSnapshot(this.reader);
    return { snap, views: allViews(snap) };
  }

  nodes(models?: ModelsView): Promise<NodesSnapshot> {
    return loadNodesSnapshot(
      this.reader,
      models ? { plans: models.snap.planList, endpoints: models.snap.endpointList } : undefined,
    );
  }

  async requests(): Promise<ModelRequest[]> {
    return (await this.reader.list(prefixes.modelRequests, ModelRequest)).items.map((t) => t.value);
  }

  cacheEntries(): Promise<CacheEntryView[]> {
    return loadCacheEntries(this.reader);
  }

  async stop(): Promise<void> {}
}

/** The prefixes a cached view source tracks, with their schemas and key filters. */
export const TRACKED = {
  specs: { prefix: prefixes.models, schema: ModelSpec, kind: 'modelSpec' },
  deployments: { prefix: prefixes.deployments, schema: ModelDeployment, kind: 'deployment' },
  plans: { prefix: prefixes.placements, schema: PlacementPlan, kind: 'placement' },
  endpoints: { prefix: prefixes.endpoints, schema: Endpoint, kind: 'endpoint' },
  downloads: { prefix: prefixes.downloadProgress, schema: DownloadProgress, kind: 'downloadProgress' },
  nodes: { prefix: prefixes.nodes, schema: NodeStatus, kind: 'nodeStatus' },
  settings: { prefix: prefixes.nodeSettings, schema: NodeSettings, kind: 'nodeSettings' },
  disks: { prefix: prefixes.nodeDisk, schema: NodeDiskStatus, kind: 'nodeDisk' },
  alerts: { prefix: prefixes.alerts, schema: DiskAlert, kind: 'alert' },
  requests: { prefix: prefixes.modelRequests, schema: ModelRequest, kind: 'modelRequest' },
  cache: { prefix: prefixes.modelCache, schema: ModelCacheEntry, kind: 'modelCache' },
} as const;
export type TrackedName = keyof typeof TRACKED;

/** Which tracked collection a key belongs to (by the key layout), or undefined. */
export function trackedOf(key: string): TrackedName | undefined {
  const kind = parseKey(key)?.kind;
  if (!kind) return undefined;
  for (const [name, t] of Object.entries(TRACKED) as [TrackedName, (typeof TRACKED)[TrackedName]][])
    if (t.kind === kind) return name;
  return undefined;
}
