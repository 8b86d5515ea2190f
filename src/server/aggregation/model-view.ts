import type { Endpoint, ModelDeployment, ModelSpec, PlacementPlan } from '../../core/domain/index.js';
import type { Typed } from '../../store/json.js';
import type { ModelView } from '../../api/schemas/models.js';
import { modelRecords, type ModelRecords, type ModelsSnapshot } from './snapshot.js';
import { aggregateState } from './state.js';

/**
 * The resource version of a model: the newest modRevision of its spec and deployment. An update that
 * carries it succeeds only if neither changed since (every later write has a higher revision).
 */
export function modelResourceVersion(
  spec: Typed<ModelSpec>,
  dep: Typed<ModelDeployment> | undefined,
): number {
  return Math.max(spec.modRevision, dep?.modRevision ?? 0);
}

/**
 * Ready replicas that run the deployment's revision. An endpoint without a revision (a node from before
 * revisions) runs what its plan assignment says, else the plan's revision; with no revision anywhere (a
 * scheduler from before revisions) it counts as current.
 */
export function replicasCurrent(
  dep: ModelDeployment | undefined,
  plan: PlacementPlan | undefined,
  endpoints: readonly Endpoint[],
): number {
  const want = dep?.spec_revision;
  let n = 0;
  for (const e of endpoints) {
    if (e.status !== 'ready') continue;
    const rev =
      e.revision ?? plan?.assignments.find((a) => a.replica_id === e.replica_id)?.revision ?? plan?.revision;
    if (want === undefined || rev === undefined || rev === want) n++;
  }
  return n;
}

/** Builds the list view of one model (pure). */
export function buildModelView(r: ModelRecords): ModelView {
  const { spec, deployment: dep, plan, endpoints, downloads } = r;
  const s = aggregateState({ deployment: dep?.value, plan: plan?.value, endpoints, downloads });
  const active = downloads.filter((d) => d.phase !== 'complete' && d.phase !== 'cancelled');
  const done = active.reduce((n, d) => n + d.bytes_done, 0);
  const total = active.reduce((n, d) => n + d.bytes_total, 0);
  const v = spec.value;
  return {
    model_uid: v.model_uid,
    model_name: v.model_name,
    model_source: v.model_source,
    engine_type: v.engine_type,
    served_model_name: v.served_model_name ?? v.model_uid,
    state: s.state,
    state_reason: s.reason,
    desired_state: dep?.value.desired_state ?? 'stopped',
    desired_replicas: dep?.value.replicas ?? 0,
    ready_replicas: s.ready,
    total_replicas: s.total,
    plan_version: plan?.value.plan_version ?? null,
    download:
      active.length === 0
        ? null
        : {
            bytes_done: done,
            bytes_total: total,
            percent: total > 0 ? Math.min(100, Math.round((done / total) * 1000) / 10) : 0,
            replicas: active.length,
          },
    revision: dep?.value.spec_revision ?? null,
    replicas_current: replicasCurrent(dep?.value, plan?.value, endpoints),
    rollout: plan?.value.rollout ?? null,
    spec: v,
    deployment: dep ? { ...dep.value, resource_version: dep.modRevision } : null,
    labels: v.labels,
    created_at: v.created_at,
    updated_at: dep && dep.value.updated_at > v.updated_at ? dep.value.updated_at : v.updated_at,
    resource_version: modelResourceVersion(spec, dep),
  };
}

/** The view of one model from a snapshot; undefined when it has no spec. */
export function modelViewFrom(snap: ModelsSnapshot, uid: string): ModelView | undefined {
  const r = modelRecords(snap, uid);
  return r && buildModelView(r);
}

export interface ModelFilter {
  state?: ModelView['state'] | undefined;
  q?: string | undefined;
  label?: string | undefined;
  engine_type?: string | undefined;
}

/** Filters views (sorted by uid) and counts states over the unfiltered set (pure). */
export function filterModelViews(
  views: readonly ModelView[],
  filter: ModelFilter = {},
): { items: ModelView[]; counts: Record<string, number> } {
  const counts: Record<string, number> = {};
  const items: ModelView[] = [];
  const q = filter.q?.toLowerCase();
  const eq = filter.label ? filter.label.indexOf('=') : -1;
  const lk = filter.label && eq > 0 ? filter.label.slice(0, eq) : undefined;
  const lv = filter.label && eq > 0 ? filter.label.slice(eq + 1) : undefined;
  for (const view of views) {
    counts[view.state] = (counts[view.state] ?? 0) + 1;
    if (filter.state && view.state !== filter.state) continue;
    if (filter.engine_type && view.engine_type !== filter.engine_type) continue;
    if (q && !view.model_uid.includes(q) && !view.model_name.toLowerCase().includes(q)) continue;
    if (lk !== undefined && view.labels[lk] !== lv) continue;
    items.push(view);
  }
  return { items, counts };
}

/** Number of models in each aggregated state. */
export function countModelStates(views: readonly ModelView[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const v of views) counts[v.state] = (counts[v.state] ?? 0) + 1;
  return counts;
}
