/**
 * Stand-ins for the scheduler and node agents in CLI tests: they write what those roles would write into
 * the store (node status, placements, endpoints, download progress, cache, disk, alerts), so the server
 * reports states the CLI must show, without GPUs or processes.
 */
import {
  DiskAlert,
  DownloadProgress,
  Endpoint,
  ModelCacheEntry,
  ModelSpec,
  NodeDiskStatus,
  NodeStatus,
  PlacementPlan,
} from '../../src/core/domain/index.js';
import { modelNameHash } from '../../src/core/ids.js';
import { keys } from '../../src/core/keys.js';
import { getJson, putJson } from '../../src/store/json.js';
import type { Store } from '../../src/store/types.js';

const GIB = 1024 ** 3;
const iso = (ms = Date.now()) => new Date(ms).toISOString();

export async function putNode(
  store: Store,
  nodeId: string,
  opts: { adminPort?: number; gpus?: number; address?: string; heartbeatAgoMs?: number } = {},
): Promise<void> {
  const gpus = Array.from({ length: opts.gpus ?? 2 }, (_, index) => ({
    index,
    name: 'Sim GPU 80GB',
    memory_total_bytes: 80 * GIB,
    memory_used_bytes: 0,
    utilization_percent: 0,
  }));
  await putJson(store, keys.nodeStatus(nodeId), NodeStatus, {
    node_id: nodeId,
    address: opts.address ?? '127.0.0.1',
    admin_port: opts.adminPort ?? 9,
    gpus,
    gpu_source: 'simulated',
    port_range: { start: 40000, end: 40999 },
    version: 'test',
    started_at: iso(),
    heartbeat_at: iso(Date.now() - (opts.heartbeatAgoMs ?? 0)),
  });
}

/** A plan for `uid` from its stored spec: `replicas` placed on `nodeId`, or none with an unplaced reason. */
export async function putPlan(
  store: Store,
  uid: string,
  opts: { nodeId?: string; replicas?: number; unplaced?: string },
): Promise<void> {
  const spec = await getJson(store, keys.modelSpec(uid), ModelSpec);
  if (!spec) throw new Error(`no spec for ${uid}`);
  const n = opts.replicas ?? 0;
  await putJson(store, keys.placement(uid), PlacementPlan, {
    model_uid: uid,
    plan_version: 1,
    source: 'deployment',
    generation: 1,
    spec: spec.value,
    assignments: Array.from({ length: n }, (_, replica_id) => ({
      replica_id,
      node_id: opts.nodeId ?? 'node-a',
      gpu_indices: [replica_id],
      gpu_memory_bytes: 20 * GIB,
      port: 40000 + replica_id,
    })),
    unplaced: opts.unplaced ? { replicas: 1, reason: opts.unplaced } : null,
    updated_at: iso(),
  });
}

export async function putEndpoint(
  store: Store,
  uid: string,
  replicaId: number,
  opts: { nodeId?: string; status?: Endpoint['status']; lastError?: string; restarts?: number } = {},
): Promise<void> {
  await putJson(store, keys.endpoint(uid, replicaId), Endpoint, {
    model_uid: uid,
    replica_id: replicaId,
    node_id: opts.nodeId ?? 'node-a',
    address: '127.0.0.1',
    port: 40000 + replicaId,
    engine_type: 'sim',
    served_model_name: uid,
    status: opts.status ?? 'ready',
    plan_version: 1,
    gpu_indices: [replicaId],
    restarts: opts.restarts ?? 0,
    ...(opts.lastError ? { last_error: opts.lastError } : {}),
    updated_at: iso(),
  });
}

export async function putDownload(
  store: Store,
  uid: string,
  replicaId: number,
  done: number,
  total: number,
): Promise<void> {
  await putJson(store, keys.downloadProgress(uid, replicaId), DownloadProgress, {
    model_uid: uid,
    replica_id: replicaId,
    node_id: 'node-a',
    model_name: 'demo/tiny',
    source: 'huggingface',
    phase: 'downloading',
    bytes_done: done,
    bytes_total: total,
    files_done: 1,
    files_total: 3,
    speed_bps: 50 * 1024 ** 2,
    started_at: iso(),
    updated_at: iso(),
  });
}

export async function putCache(
  store: Store,
  nodeId: string,
  modelName: string,
  sizeBytes: number,
): Promise<void> {
  await putJson(store, keys.modelCache(nodeId, modelNameHash('huggingface', modelName)), ModelCacheEntry, {
    node_id: nodeId,
    model_name: modelName,
    source: 'huggingface',
    layout: 'huggingface',
    revision: 'main',
    path: `/var/cache/nebula/models--${modelName.replace('/', '--')}`,
    size_bytes: sizeBytes,
    file_count: 4,
    complete: true,
    scanned_at: iso(),
  });
}

export async function putDisk(store: Store, nodeId: string, usedPercent: number): Promise<void> {
  const total = 1000 * GIB;
  const used = Math.round((total * usedPercent) / 100);
  await putJson(store, keys.nodeDisk(nodeId), NodeDiskStatus, {
    node_id: nodeId,
    path: '/var/cache/nebula',
    total_bytes: total,
    used_bytes: used,
    available_bytes: total - used,
    usage_percent: usedPercent,
    updated_at: iso(),
  });
  if (usedPercent >= 85) {
    await putJson(store, keys.alert(nodeId, 'disk_usage'), DiskAlert, {
      node_id: nodeId,
      alert_type: 'disk_usage',
      level: usedPercent >= 95 ? 'critical' : 'warning',
      message: `disk usage ${usedPercent}% on /var/cache/nebula`,
      usage_percent: usedPercent,
      since: iso(),
      updated_at: iso(),
    });
  }
}

/** ISO timestamps -> a placeholder of the same width, so tables keep their alignment. */
export function normalize(text: string): string {
  return text.replace(/\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?Z/g, (m) =>
    '<time>'.padEnd(m.length, ' '),
  );
}

/** A clock for the CLI ten days after now: every age prints as "10d" whatever the test's timing. */
export const TEN_DAYS_LATER = (): number => Date.now() + 10 * 86_400_000;
