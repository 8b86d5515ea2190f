import type { NodeDetailView, NodeView } from '../../api/schemas/nodes.js';
import type { CacheEntryView } from '../../api/schemas/cache.js';
import type { NodesSnapshot } from './nodes-snapshot.js';

/** Every node id the store knows of: online (status) or remembered (settings, disk, plans). */
export function knownNodeIds(snap: NodesSnapshot): string[] {
  const ids = new Set<string>([
    ...snap.statuses.keys(),
    ...snap.settings.keys(),
    ...snap.disks.keys(),
    ...snap.assignmentsByNode.keys(),
  ]);
  return [...ids].sort();
}

/** Builds one node's view (pure): GPUs with the memory plans reserve on them, replicas, disk, alerts. */
export function buildNodeView(snap: NodesSnapshot, nodeId: string, nowMs: number): NodeView {
  const status = snap.statuses.get(nodeId)?.value;
  const settings = snap.settings.get(nodeId);
  const reserved = new Map<
    number,
    { bytes: number; replicas: { model_uid: string; replica_id: number }[] }
  >();
  const assigned = snap.assignmentsByNode.get(nodeId) ?? [];
  for (const { plan, assignment: a } of assigned) {
    for (const g of a.gpu_indices) {
      const r = reserved.get(g) ?? { bytes: 0, replicas: [] };
      r.bytes += a.gpu_memory_bytes;
      r.replicas.push({ model_uid: plan.model_uid, replica_id: a.replica_id });
      reserved.set(g, r);
    }
  }
  const gpus = (status?.gpus ?? []).map((g) => ({
    ...g,
    reserved_memory_bytes: reserved.get(g.index)?.bytes ?? 0,
    replicas: reserved.get(g.index)?.replicas ?? [],
  }));
  const eps = snap.endpointsByNode.get(nodeId) ?? [];
  const heartbeat = status ? Date.parse(status.heartbeat_at) : NaN;
  return {
    node_id: nodeId,
    online: status !== undefined,
    address: status?.address ?? null,
    admin_port: status?.admin_port ?? null,
    version: status?.version ?? null,
    heartbeat_at: status?.heartbeat_at ?? null,
    heartbeat_age_seconds: Number.isNaN(heartbeat) ? null : Math.max(0, (nowMs - heartbeat) / 1000),
    cordoned: settings?.value.cordoned ?? false,
    draining: settings?.value.draining ?? false,
    labels: { ...(status?.labels ?? {}), ...(settings?.value.labels ?? {}) },
    gpu_source: status?.gpu_source ?? null,
    port_range: status?.port_range ?? null,
    engines: status?.engines ?? null,
    engine_errors: status?.engine_errors ?? [],
    gpus,
    gpu_memory_total_bytes: gpus.reduce((n, g) => n + g.memory_total_bytes, 0),
    gpu_memory_used_bytes: gpus.reduce((n, g) => n + g.memory_used_bytes, 0),
    gpu_memory_reserved_bytes: gpus.reduce((n, g) => n + g.reserved_memory_bytes, 0),
    replicas: Math.max(assigned.length, eps.length),
    ready_replicas: eps.filter((e) => e.status === 'ready').length,
    disk: snap.disks.get(nodeId) ?? null,
    alerts: snap.alerts.get(nodeId) ?? [],
    settings_resource_version: settings?.modRevision ?? 0,
  };
}

export function buildNodeDetail(
  snap: NodesSnapshot,
  nodeId: string,
  nowMs: number,
  cache: CacheEntryView[],
): NodeDetailView {
  const base = buildNodeView(snap, nodeId, nowMs);
  const assignments = (snap.assignmentsByNode.get(nodeId) ?? []).map(({ plan, assignment: a }) => ({
    model_uid: plan.model_uid,
    replica_id: a.replica_id,
    gpu_indices: a.gpu_indices,
    gpu_memory_bytes: a.gpu_memory_bytes,
    port: a.port,
    plan_version: plan.plan_version,
  }));
  return {
    ...base,
    status: snap.statuses.get(nodeId)?.value ?? null,
    settings: snap.settings.get(nodeId)?.value ?? null,
    endpoints: snap.endpointsByNode.get(nodeId) ?? [],
    assignments,
    cache: cache.filter((c) => c.node_id === nodeId),
  };
}
