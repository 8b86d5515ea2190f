/**
 * The capacity ledger: what is reserved and free on every GPU and port of the live nodes while the
 * planner works through the models. Free memory on a GPU is `total - max(reserved, used)`: memory the node
 * reports used beyond Nebula's reservations belongs to someone else (other processes), and memory
 * reserved but not used yet (an engine still loading) is taken all the same.
 */
import type { Labels } from '../../core/domain/common.js';
import type { EngineType } from '../../core/domain/model.js';
import type { Assignment } from '../../core/domain/placement.js';
import { PortPool } from './ports.js';
import type { ClusterNode } from '../types.js';

export interface GpuSlot {
  index: number;
  name: string;
  total: number;
  /** Memory the node reports in use (Nebula's engines and anything else). */
  used: number;
  /** Memory Nebula's assignments reserve. */
  reserved: number;
}

export interface NodeSlot {
  id: string;
  /** Status labels with the operator's settings labels on top. */
  labels: Labels;
  cordoned: boolean;
  draining: boolean;
  /**
   * Engines the node can launch; null when its agent does not report them (older than engine
   * detection): every engine is then allowed, so mixed-version clusters keep placing.
   */
  engines: ReadonlySet<EngineType> | null;
  gpus: GpuSlot[];
  gpuByIndex: Map<number, GpuSlot>;
  ports: PortPool;
  /** Replicas per model on this node (spread keeps replicas of one model apart). */
  replicasByModel: Map<string, number>;
  assignments: number;
  /** Sum of GPU memory (cached for scoring). */
  memTotal: number;
  /** Sum over GPUs of min(total, max(reserved, used)) (cached). */
  memTaken: number;
  /** Largest free memory of one GPU (cached: nodes that cannot fit a replica are skipped in O(1)). */
  maxFree: number;
}

export function gpuFree(g: GpuSlot): number {
  return Math.max(0, g.total - Math.max(g.reserved, g.used));
}

export class Ledger {
  readonly nodes = new Map<string, NodeSlot>();

  constructor(nodes: readonly ClusterNode[]) {
    for (const { status, settings } of nodes) {
      const gpus = [...status.gpus]
        .sort((a, b) => a.index - b.index)
        .map((g) => ({
          index: g.index,
          name: g.name,
          total: g.memory_total_bytes,
          used: g.memory_used_bytes,
          reserved: 0,
        }));
      const slot: NodeSlot = {
        id: status.node_id,
        labels: { ...status.labels, ...(settings?.labels ?? {}) },
        cordoned: (settings?.cordoned ?? false) || (settings?.draining ?? false),
        draining: settings?.draining ?? false,
        engines: status.engines ? new Set(status.engines.map((e) => e.type)) : null,
        gpus,
        gpuByIndex: new Map(gpus.map((g) => [g.index, g])),
        ports: new PortPool(status.port_range, [...status.ports_in_use, status.admin_port]),
        replicasByModel: new Map(),
        assignments: 0,
        memTotal: 0,
        memTaken: 0,
        maxFree: 0,
      };
      refresh(slot);
      this.nodes.set(status.node_id, slot);
    }
  }

  /**
   * Records an assignment's GPU memory and replica count (not its port: ports are claimed apart so a
   * conflicting port can be replaced while the GPUs stay). Unknown nodes and GPUs are ignored.
   */
  reserve(modelUid: string, a: Assignment, refreshNow = true): void {
    const node = this.nodes.get(a.node_id);
    if (!node) return;
    for (const i of a.gpu_indices) {
      const g = node.gpuByIndex.get(i);
      if (g) g.reserved += a.gpu_memory_bytes;
    }
    node.replicasByModel.set(modelUid, (node.replicasByModel.get(modelUid) ?? 0) + 1);
    node.assignments += 1;
    if (refreshNow) refresh(node);
  }

  /** Recomputes every node's cached sums (after a bulk of `reserve(..., false)`). */
  refreshAll(): void {
    for (const node of this.nodes.values()) refresh(node);
  }

  /** Undoes `reserve` (a kept replica that turns out to need a move). */
  unreserve(modelUid: string, a: Assignment): void {
    const node = this.nodes.get(a.node_id);
    if (!node) return;
    for (const i of a.gpu_indices) {
      const g = node.gpuByIndex.get(i);
      if (g) g.reserved = Math.max(0, g.reserved - a.gpu_memory_bytes);
    }
    const n = (node.replicasByModel.get(modelUid) ?? 0) - 1;
    if (n > 0) node.replicasByModel.set(modelUid, n);
    else node.replicasByModel.delete(modelUid);
    node.assignments = Math.max(0, node.assignments - 1);
    refresh(node);
  }

  /** Fraction of a node's GPU memory taken (reserved or used by others), 0..1; 0 for GPU-less nodes. */
  static utilization(node: NodeSlot): number {
    return node.memTotal === 0 ? 0 : node.memTaken / node.memTotal;
  }
}

/** Recomputes a node's cached sums (8 GPUs at most in practice: cheap). */
function refresh(node: NodeSlot): void {
  let total = 0;
  let taken = 0;
  let maxFree = 0;
  for (const g of node.gpus) {
    total += g.total;
    taken += Math.min(g.total, Math.max(g.reserved, g.used));
    maxFree = Math.max(maxFree, gpuFree(g));
  }
  node.memTotal = total;
  node.memTaken = taken;
  node.maxFree = maxFree;
}

/** True when the node can launch the engine (or does not say which it can). */
export function hasEngine(node: NodeSlot, engine: EngineType): boolean {
  return node.engines === null || node.engines.has(engine);
}

/** True when every selector label is present on the node with the same value. */
export function matchesSelector(labels: Labels, selector: Labels): boolean {
  for (const [k, v] of Object.entries(selector)) if (labels[k] !== v) return false;
  return true;
}
