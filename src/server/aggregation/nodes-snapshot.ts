import {
  type Assignment,
  DiskAlert,
  Endpoint,
  ModelCacheEntry,
  NodeDiskStatus,
  NodeSettings,
  NodeStatus,
  PlacementPlan,
} from '../../core/domain/index.js';
import { kindFilter, parseKey, prefixes } from '../../core/keys.js';
import type { Typed } from '../../store/json.js';
import type { CacheEntryView } from '../../api/schemas/cache.js';
import { groupBy, indexBy, pushTo } from './group.js';
import type { StoreReader } from './store-reader.js';

/** Everything about nodes, indexed by node_id. Read-only. */
export interface NodesSnapshot {
  statuses: Map<string, Typed<NodeStatus>>;
  settings: Map<string, Typed<NodeSettings>>;
  disks: Map<string, NodeDiskStatus>;
  alerts: Map<string, DiskAlert[]>;
  plans: Typed<PlacementPlan>[];
  endpoints: Endpoint[];
  /** Assignments per node (precomputed: lists of 200 nodes x 5,000 plans stay linear). */
  assignmentsByNode: Map<string, { plan: PlacementPlan; assignment: Assignment }[]>;
  endpointsByNode: Map<string, Endpoint[]>;
}

const nodeOf = (t: Typed<{ node_id: string }>): string => t.value.node_id;

/** The raw lists a nodes snapshot is built from. */
export interface NodesLists {
  statuses: Typed<NodeStatus>[];
  settings: Typed<NodeSettings>[];
  disks: Typed<NodeDiskStatus>[];
  alerts: Typed<DiskAlert>[];
  plans: Typed<PlacementPlan>[];
  endpoints: Typed<Endpoint>[];
}

/** Indexes node lists by node (pure): per-node assignments and endpoints are precomputed. */
export function buildNodesSnapshot(l: NodesLists): NodesSnapshot {
  const assignmentsByNode = new Map<string, { plan: PlacementPlan; assignment: Assignment }[]>();
  for (const p of l.plans)
    for (const a of p.value.assignments)
      pushTo(assignmentsByNode, a.node_id, { plan: p.value, assignment: a });
  return {
    statuses: indexBy(l.statuses, nodeOf),
    settings: indexBy(l.settings, nodeOf),
    disks: new Map(l.disks.map((t) => [t.value.node_id, t.value])),
    alerts: groupBy(l.alerts, nodeOf, (t) => t.value),
    plans: l.plans,
    endpoints: l.endpoints.map((t) => t.value),
    assignmentsByNode,
    endpointsByNode: groupBy(l.endpoints, nodeOf, (t) => t.value),
  };
}

/**
 * Lists nodes, settings, disks, alerts, plans and endpoints (one list each). Plans and endpoints may be
 * passed in when the caller already listed them (the overview), so no prefix is read twice.
 */
export async function loadNodesSnapshot(
  reader: StoreReader,
  shared?: { plans: Typed<PlacementPlan>[]; endpoints: Typed<Endpoint>[] },
): Promise<NodesSnapshot> {
  const [statuses, settings, disks, alerts, plans, endpoints] = await Promise.all([
    reader.list(prefixes.nodes, NodeStatus, kindFilter('nodeStatus')),
    reader.list(prefixes.nodeSettings, NodeSettings),
    reader.list(prefixes.nodeDisk, NodeDiskStatus),
    reader.list(prefixes.alerts, DiskAlert, kindFilter('alert')),
    shared ? { items: shared.plans } : reader.list(prefixes.placements, PlacementPlan),
    shared ? { items: shared.endpoints } : reader.list(prefixes.endpoints, Endpoint, kindFilter('endpoint')),
  ]);
  return buildNodesSnapshot({
    statuses: statuses.items,
    settings: settings.items,
    disks: disks.items,
    alerts: alerts.items,
    plans: plans.items,
    endpoints: endpoints.items,
  });
}

/**
 * A stored cache entry as the API shows it: with `name_hash`, the hash segment of its key
 * `/model_cache/{node}/{hash}` (read from the key, not recomputed, so it names what a purge must).
 */
export function cacheEntryView(t: Typed<ModelCacheEntry>): CacheEntryView {
  const parsed = parseKey(t.key);
  const nameHash = parsed?.kind === 'modelCache' ? parsed.nameHash : t.key.slice(t.key.lastIndexOf('/') + 1);
  return { ...t.value, name_hash: nameHash };
}

/** Cache entries of every node (one list). */
export async function loadCacheEntries(reader: StoreReader): Promise<CacheEntryView[]> {
  const res = await reader.list(prefixes.modelCache, ModelCacheEntry, kindFilter('modelCache'));
  return res.items.map(cacheEntryView);
}
