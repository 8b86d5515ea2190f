/**
 * Builders of valid domain values for the scheduler's tests and benchmarks: simulated nodes, specs,
 * deployments. Kept in the source tree so unit tests, integration tests and benches share one copy.
 */
import type { ModelCacheEntry } from '../core/domain/cache.js';
import { GIB } from '../core/domain/common.js';
import type { z } from 'zod';
import { ModelDeployment, ModelSpec, type EngineType } from '../core/domain/model.js';
import { NodeSettings, NodeStatus } from '../core/domain/node.js';
import { PlacementPlan, type Assignment } from '../core/domain/placement.js';
import type { ClusterNode, Workload } from './types.js';

const T0 = '2026-01-01T00:00:00.000Z';

type ModelSpecInput = z.input<typeof ModelSpec>;

export interface SimNodeOptions {
  gpus?: number;
  gpuGib?: number;
  /** Memory used per GPU by others, in GiB (by index; missing = 0). */
  usedGib?: number[];
  labels?: Record<string, string>;
  portStart?: number;
  portEnd?: number;
  portsInUse?: number[];
  adminPort?: number;
  /** Engines the node reports (sim is added); absent: the status has no `engines` (an older agent). */
  engines?: EngineType[];
}

/** A node status with simulated GPUs (default 8 x 80 GiB, ports 40000-40999). */
export function simNodeStatus(id: string, o: SimNodeOptions = {}): NodeStatus {
  const count = o.gpus ?? 8;
  return NodeStatus.parse({
    node_id: id,
    address: '127.0.0.1',
    admin_port: o.adminPort ?? 9092,
    gpus: Array.from({ length: count }, (_, i) => ({
      index: i,
      name: 'Simulated GPU',
      memory_total_bytes: (o.gpuGib ?? 80) * GIB,
      memory_used_bytes: Math.round((o.usedGib?.[i] ?? 0) * GIB),
      utilization_percent: 0,
    })),
    gpu_source: 'simulated',
    port_range: { start: o.portStart ?? 40000, end: o.portEnd ?? 40999 },
    ports_in_use: o.portsInUse ?? [],
    labels: o.labels ?? {},
    ...(o.engines
      ? {
          engines: [...new Set<EngineType>(['sim', ...o.engines])].map((type) => ({
            type,
            version: 'test',
            path: `/opt/${type}/bin/${type}`,
          })),
        }
      : {}),
    version: 'test',
    started_at: T0,
    heartbeat_at: T0,
  });
}

export function nodeSettings(
  id: string,
  o: Partial<Pick<NodeSettings, 'cordoned' | 'draining' | 'labels'>>,
): NodeSettings {
  return NodeSettings.parse({ node_id: id, updated_at: T0, ...o });
}

export function simNode(id: string, o: SimNodeOptions = {}, settings?: NodeSettings): ClusterNode {
  return { status: simNodeStatus(id, o), settings };
}

/** A valid spec; by default engine `sim`, one GPU, no size (1 GiB). */
export function specFor(uid: string, o: Partial<ModelSpecInput> = {}): ModelSpec {
  return ModelSpec.parse({
    model_uid: uid,
    model_name: `org/${uid}`,
    model_source: 'huggingface',
    engine_type: 'sim',
    created_at: T0,
    updated_at: T0,
    ...o,
    resources: { gpu_count: 1, ...(o.resources ?? {}) },
  });
}

export function deploymentFor(uid: string, o: Partial<ModelDeployment> = {}): ModelDeployment {
  return ModelDeployment.parse({
    model_uid: uid,
    desired_state: 'running',
    replicas: 1,
    generation: 1,
    created_at: T0,
    updated_at: T0,
    ...o,
  });
}

export interface WorkloadOptions {
  replicas?: number;
  gpuCount?: number;
  gpuGib?: number;
  selector?: Record<string, string>;
  strategy?: 'binpack' | 'spread';
  spec?: Partial<ModelSpecInput>;
}

export function workload(uid: string, o: WorkloadOptions = {}): Workload {
  const resources: Record<string, number> = { gpu_count: o.gpuCount ?? 1 };
  if (o.gpuGib !== undefined) resources['gpu_memory_gib'] = o.gpuGib;
  return {
    model_uid: uid,
    spec: specFor(uid, { ...o.spec, resources: { ...resources, ...(o.spec?.resources ?? {}) } }),
    replicas: o.replicas ?? 1,
    node_selector: o.selector ?? {},
    strategy: o.strategy ?? 'binpack',
    source: 'deployment',
    generation: 1,
  };
}

/** A plan holding `assignments`, as the planner would have written it. */
export function planOf(w: Workload, assignments: Assignment[], version = 1): PlacementPlan {
  return PlacementPlan.parse({
    model_uid: w.model_uid,
    plan_version: version,
    source: w.source,
    generation: w.generation,
    spec: w.spec,
    assignments,
    unplaced: null,
    updated_at: T0,
  });
}

/** A complete cache entry on `node` (by default of `org/m` from Hugging Face, one 1-byte file). */
export function cacheEntryFor(node: string, o: Partial<ModelCacheEntry> = {}): ModelCacheEntry {
  return {
    node_id: node,
    model_name: 'org/m',
    source: 'huggingface',
    layout: 'huggingface',
    revision: 'main',
    path: '/x',
    size_bytes: 1,
    file_count: 1,
    complete: true,
    scanned_at: T0,
    ...o,
  };
}
