import {
  DownloadProgress,
  Endpoint,
  ModelDeployment,
  ModelSpec,
  PlacementPlan,
} from '../../core/domain/index.js';
import { parseKey, prefixes } from '../../core/keys.js';
import type { Typed } from '../../store/json.js';
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

const isSpecKey = (k: string) => parseKey(k)?.kind === 'modelSpec';
const isEndpointKey = (k: string) => parseKey(k)?.kind === 'endpoint';
const isProgressKey = (k: string) => parseKey(k)?.kind === 'downloadProgress';

function index<T>(items: Typed<T>[], uidOf: (v: T) => string): Map<string, Typed<T>> {
  const m = new Map<string, Typed<T>>();
  for (const t of items) m.set(uidOf(t.value), t);
  return m;
}

function group<T>(items: Typed<T>[], uidOf: (v: T) => string): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const t of items) {
    const uid = uidOf(t.value);
    const list = m.get(uid);
    if (list) list.push(t.value);
    else m.set(uid, [t.value]);
  }
  return m;
}

/** One list per prefix (five in all), in parallel: never a read per model. */
export async function loadModelsSnapshot(reader: StoreReader): Promise<ModelsSnapshot> {
  const [specs, deployments, plans, endpoints, downloads] = await Promise.all([
    reader.list(prefixes.models, ModelSpec, isSpecKey),
    reader.list(prefixes.deployments, ModelDeployment),
    reader.list(prefixes.placements, PlacementPlan),
    reader.list(prefixes.endpoints, Endpoint, isEndpointKey),
    reader.list(prefixes.downloadProgress, DownloadProgress, isProgressKey),
  ]);
  return {
    specs: index(specs.items, (v) => v.model_uid),
    deployments: index(deployments.items, (v) => v.model_uid),
    plans: index(plans.items, (v) => v.model_uid),
    endpoints: group(endpoints.items, (v) => v.model_uid),
    downloads: group(downloads.items, (v) => v.model_uid),
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
