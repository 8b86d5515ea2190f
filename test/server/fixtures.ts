import {
  DiskAlert,
  DownloadProgress,
  Endpoint,
  ModelCacheEntry,
  ModelSpec,
  NodeDiskStatus,
  NodeStatus,
  PlacementPlan,
  type EndpointStatus,
} from '../../src/core/domain/index.js';
import { keys, modelNameHash } from '../../src/core/index.js';
import { encode } from '../../src/store/json.js';
import type { Store } from '../../src/store/types.js';

const now = () => new Date().toISOString();
export const GIB = 1024 ** 3;

export function specFor(uid: string, name = 'Qwen/Qwen2.5-7B-Instruct'): ModelSpec {
  return ModelSpec.parse({
    model_uid: uid,
    model_name: name,
    model_source: 'huggingface',
    engine_type: 'vllm',
    created_at: now(),
    updated_at: now(),
  });
}

export async function putNode(
  store: Store,
  nodeId: string,
  opts: {
    gpus?: number;
    address?: string;
    adminPort?: number;
    heartbeatAgoMs?: number;
    /** What the agent reports (absent: an agent older than engine detection). */
    engines?: Pick<NodeStatus, 'engines' | 'engine_errors'>;
  } = {},
): Promise<void> {
  const hb = new Date(Date.now() - (opts.heartbeatAgoMs ?? 0)).toISOString();
  const status = NodeStatus.parse({
    node_id: nodeId,
    address: opts.address ?? '127.0.0.1',
    admin_port: opts.adminPort ?? 9092,
    gpus: Array.from({ length: opts.gpus ?? 2 }, (_, i) => ({
      index: i,
      name: 'Simulated H100',
      memory_total_bytes: 80 * GIB,
      memory_used_bytes: 10 * GIB,
      utilization_percent: 5,
    })),
    gpu_source: 'simulated',
    port_range: { start: 40000, end: 40999 },
    ...opts.engines,
    version: '0.1.0',
    started_at: hb,
    heartbeat_at: hb,
  });
  await store.put(keys.nodeStatus(nodeId), encode(NodeStatus, status));
}

export async function putPlan(
  store: Store,
  uid: string,
  assignments: { replica: number; node: string; gpus?: number[]; mem?: number }[],
  opts: {
    planVersion?: number;
    unplaced?: { replicas: number; reason: string } | null;
    spec?: ModelSpec;
  } = {},
): Promise<void> {
  const plan = PlacementPlan.parse({
    model_uid: uid,
    plan_version: opts.planVersion ?? 1,
    source: 'deployment',
    generation: 1,
    spec: opts.spec ?? specFor(uid),
    assignments: assignments.map((a) => ({
      replica_id: a.replica,
      node_id: a.node,
      gpu_indices: a.gpus ?? [0],
      gpu_memory_bytes: a.mem ?? 20 * GIB,
      port: 40000 + a.replica,
    })),
    unplaced: opts.unplaced ?? null,
    updated_at: now(),
  });
  await store.put(keys.placement(uid), encode(PlacementPlan, plan));
}

export async function putEndpoint(
  store: Store,
  uid: string,
  replica: number,
  status: EndpointStatus,
  opts: { node?: string; planVersion?: number; restarts?: number; lastError?: string } = {},
): Promise<void> {
  const ep = Endpoint.parse({
    model_uid: uid,
    replica_id: replica,
    node_id: opts.node ?? 'node-a',
    address: '127.0.0.1',
    port: 40000 + replica,
    engine_type: 'vllm',
    served_model_name: uid,
    status,
    plan_version: opts.planVersion ?? 1,
    restarts: opts.restarts ?? 0,
    ...(opts.lastError ? { last_error: opts.lastError } : {}),
    updated_at: now(),
  });
  await store.put(keys.endpoint(uid, replica), encode(Endpoint, ep));
}

export async function putDownload(
  store: Store,
  uid: string,
  replica: number,
  phase: DownloadProgress['phase'],
  done = 50,
  total = 100,
): Promise<void> {
  const d = DownloadProgress.parse({
    model_uid: uid,
    replica_id: replica,
    node_id: 'node-a',
    model_name: 'Qwen/Qwen2.5-7B-Instruct',
    source: 'huggingface',
    phase,
    bytes_done: done,
    bytes_total: total,
    files_done: 1,
    files_total: 4,
    speed_bps: 1000,
    started_at: now(),
    updated_at: now(),
  });
  await store.put(keys.downloadProgress(uid, replica), encode(DownloadProgress, d));
}

export async function putCache(
  store: Store,
  nodeId: string,
  name: string,
  size: number,
  opts: { complete?: boolean; lastUsed?: string } = {},
): Promise<void> {
  const e = ModelCacheEntry.parse({
    node_id: nodeId,
    model_name: name,
    source: 'huggingface',
    layout: 'huggingface',
    path: `/cache/${name}`,
    size_bytes: size,
    file_count: 3,
    complete: opts.complete ?? true,
    ...(opts.lastUsed ? { last_used_at: opts.lastUsed } : {}),
    scanned_at: now(),
  });
  await store.put(keys.modelCache(nodeId, modelNameHash('huggingface', name)), encode(ModelCacheEntry, e));
}

export async function putDisk(store: Store, nodeId: string, percent: number): Promise<void> {
  const total = 1000 * GIB;
  const used = Math.round((total * percent) / 100);
  await store.put(
    keys.nodeDisk(nodeId),
    encode(NodeDiskStatus, {
      node_id: nodeId,
      path: '/cache',
      total_bytes: total,
      used_bytes: used,
      available_bytes: total - used,
      usage_percent: percent,
      updated_at: now(),
    }),
  );
  if (percent >= 85) {
    await store.put(
      keys.alert(nodeId, 'disk_usage'),
      encode(DiskAlert, {
        node_id: nodeId,
        alert_type: 'disk_usage',
        level: percent >= 95 ? 'critical' : 'warning',
        message: `disk ${percent}% full`,
        usage_percent: percent,
        since: now(),
        updated_at: now(),
      }),
    );
  }
}
