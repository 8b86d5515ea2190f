import {
  DownloadProgress,
  Endpoint,
  ModelDeployment,
  ModelSpec,
  PlacementPlan,
} from '../../core/domain/index.js';
import { kindFilter, prefixes } from '../../core/keys.js';
import type { Typed } from '../../store/json.js';
import { groupBy, indexBy } from './group.js';
import type { StoreReader } from './store-reader.js';

/** Everything the store says about models, indexed by model_uid. Read-only. */
export interface ModelsSnapshot {
  specs: Map<string, Typed<ModelSpec>>;
  deployments: Map<string, Typed<ModelDeployment>>;
  plans: Map<string, Typed<PlacementPlan>>;
  endpoints: Map<string, Endpoint[]>;
  downloads: Map<string, DownloadProgress[]>;
  revision: number;
  /** The raw lists, for views that need them flat (overview, nodes). */
  planList: Typed<PlacementPlan>[];
  endpointList: Typed<Endpoint>[];
}

/** What the store holds about one model: its spec, and the rest once written. */
export interface ModelRecords {
  spec: Typed<ModelSpec>;
  deployment: Typed<ModelDeployment> | undefined;
  plan: Typed<PlacementPlan> | undefined;
  endpoints: readonly Endpoint[];
  downloads: readonly DownloadProgress[];
}

const EMPTY: never[] = [];

/** The records of one model in a snapshot; undefined when it has no spec. */
export function modelRecords(snap: ModelsSnapshot, uid: string): ModelRecords | undefined {
  const spec = snap.specs.get(uid);
  if (!spec) return undefined;
  return {
    spec,
    deployment: snap.deployments.get(uid),
    plan: snap.plans.get(uid),
    endpoints: snap.endpoints.get(uid) ?? EMPTY,
    downloads: snap.downloads.get(uid) ?? EMPTY,
  };
}

/** The model a stored record belongs to. */
export const uidOf = (t: Typed<{ model_uid: string }>): string => t.value.model_uid;
const valueOf = <T>(t: Typed<T>): T => t.value;

/** One list per prefix (five in all), in parallel: never a read per model. */
export async function loadModelsSnapshot(reader: StoreReader): Promise<ModelsSnapshot> {
  const [specs, deployments, plans, endpoints, downloads] = await Promise.all([
    reader.list(prefixes.models, ModelSpec, kindFilter('modelSpec')),
    reader.list(prefixes.deployments, ModelDeployment),
    reader.list(prefixes.placements, PlacementPlan),
    reader.list(prefixes.endpoints, Endpoint, kindFilter('endpoint')),
    reader.list(prefixes.downloadProgress, DownloadProgress, kindFilter('downloadProgress')),
  ]);
  return {
    specs: indexBy(specs.items, uidOf),
    deployments: indexBy(deployments.items, uidOf),
    plans: indexBy(plans.items, uidOf),
    endpoints: groupBy(endpoints.items, uidOf, valueOf),
    downloads: groupBy(downloads.items, uidOf, valueOf),
    revision: Math.max(
      specs.revision,
      deployments.revision,
      plans.revision,
      endpoints.revision,
      downloads.revision,
    ),
    planList: plans.items,
    endpointList: endpoints.items,
  };
}
