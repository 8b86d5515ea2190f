/**
 * Placement of one replica: picks a node, GPUs on it and a port, or says why nothing fits.
 * binpack: fullest node and tightest GPUs that fit (keeps big holes for big models).
 * spread: nodes with fewest replicas of this model first, then least loaded node and emptiest GPUs.
 * Either way nodes holding the model's files (or the replica's previous node) win ties of their tier.
 */
import type { Labels } from '../../core/domain/common.js';
import { GIB } from '../../core/domain/common.js';
import type { EngineType, PlacementStrategy } from '../../core/domain/model.js';
import { engineInstallHint } from '../../engines/install-hint.js';
import type { Assignment } from '../../core/domain/placement.js';
import { formatBytes, formatSelector } from '../estimate/index.js';
import { gpuFree, hasEngine, Ledger, type GpuSlot, type NodeSlot } from './ledger.js';

/** What one replica needs. `perGpuBytes` undefined: whole free GPUs (size unknown). */
export interface Need {
  gpuCount: number;
  perGpuBytes: number | undefined;
}

export interface PlaceRequest {
  modelUid: string;
  replicaId: number;
  need: Need;
  /** The engine the replica runs: only nodes that can launch it qualify. */
  engine: EngineType;
  selector: Labels;
  strategy: PlacementStrategy;
  /** Nodes with a complete copy of the model's files. */
  cachedNodes: ReadonlySet<string>;
  /** The node the replica ran on before (a move that may stay put). */
  previousNode?: string | undefined;
}

export type PlaceResult = { ok: true; assignment: Assignment } | { ok: false; reason: string };

/** A GPU counts as idle for a whole-GPU replica when others use at most this much of it. */
function idleThreshold(g: GpuSlot): number {
  return Math.max(GIB, 0.05 * g.total);
}

function fits(g: GpuSlot, need: Need): boolean {
  if (need.perGpuBytes === undefined) return g.reserved === 0 && g.used <= idleThreshold(g);
  return gpuFree(g) >= need.perGpuBytes;
}

interface Candidate {
  node: NodeSlot;
  port: number;
  affinity: number;
  load: number;
  same: number;
}

/** Finds a place for one replica and records it in the ledger; or explains why there is none. */
export function placeReplica(ledger: Ledger, req: PlaceRequest): PlaceResult {
  const stats = new Stats(req);
  const selector = Object.entries(req.selector);
  let best: Candidate | undefined;
  // Hot loop (nodes x replicas): no allocation for nodes that do not fit.
  for (const node of ledger.nodes.values()) {
    const c = evaluate(node, req, selector, stats);
    if (c && (!best || better(c, best, req.strategy))) best = c;
  }
  if (!best) return { ok: false, reason: stats.reason(ledger.nodes.size) };

  const gpus = pickGpus(best.node, req).sort((a, b) => a.index - b.index);
  const bytes = req.need.perGpuBytes ?? (gpus.length === 0 ? 0 : Math.min(...gpus.map((g) => gpuFree(g))));
  best.node.ports.claim(best.port);
  const assignment: Assignment = {
    replica_id: req.replicaId,
    node_id: best.node.id,
    gpu_indices: gpus.map((g) => g.index),
    gpu_memory_bytes: bytes,
    port: best.port,
  };
  ledger.reserve(req.modelUid, assignment);
  return { ok: true, assignment };
}

function matches(node: NodeSlot, selector: readonly [string, string][]): boolean {
  for (const [k, v] of selector) if (node.labels[k] !== v) return false;
  return true;
}

function fittingCount(node: NodeSlot, need: Need): number {
  if (need.perGpuBytes !== undefined && node.maxFree < need.perGpuBytes) return 0;
  let n = 0;
  for (const g of node.gpus) if (fits(g, need)) n += 1;
  return n;
}

function evaluate(
  node: NodeSlot,
  req: PlaceRequest,
  selector: readonly [string, string][],
  stats: Stats,
): Candidate | undefined {
  if (node.cordoned) {
    stats.unschedulable += 1;
    if (matches(node, selector)) stats.matchingButCordoned += 1;
    return undefined;
  }
  if (!matches(node, selector)) {
    stats.selectorMismatch += 1;
    return undefined;
  }
  if (!hasEngine(node, req.engine)) {
    stats.noEngine += 1;
    return undefined;
  }
  const g = req.need.gpuCount;
  if (g > node.gpus.length) {
    stats.noteFewGpus(node.gpus.length);
    return undefined;
  }
  if (g > 0) {
    const fitting = fittingCount(node, req.need);
    if (fitting < g) {
      stats.noteMemory(node, fitting);
      return undefined;
    }
  }
  const port = node.ports.peek();
  if (port === undefined) {
    stats.noPort.push(node);
    return undefined;
  }
  const affinity = (req.previousNode === node.id ? 2 : 0) + (req.cachedNodes.has(node.id) ? 1 : 0);
  const load = g > 0 ? Ledger.utilization(node) : 0;
  return { node, port, affinity, load, same: node.replicasByModel.get(req.modelUid) ?? 0 };
}

/** The GPUs of the chosen node: binpack takes the tightest that fit, spread the emptiest. */
function pickGpus(node: NodeSlot, req: PlaceRequest): GpuSlot[] {
  const g = req.need.gpuCount;
  if (g === 0) return [];
  const fitting = node.gpus.filter((x) => fits(x, req.need));
  fitting.sort((a, b) => (req.strategy === 'spread' ? gpuFree(b) - gpuFree(a) : gpuFree(a) - gpuFree(b)));
  return fitting.slice(0, g);
}

/** True when `a` is a better place than `b`. */
function better(a: Candidate, b: Candidate, strategy: PlacementStrategy): boolean {
  if (strategy === 'spread') {
    if (a.same !== b.same) return a.same < b.same;
    if (a.affinity !== b.affinity) return a.affinity > b.affinity;
    if (a.load !== b.load) return a.load < b.load;
    if (a.node.assignments !== b.node.assignments) return a.node.assignments < b.node.assignments;
  } else {
    if (a.affinity !== b.affinity) return a.affinity > b.affinity;
    if (a.load !== b.load) return a.load > b.load;
    if (a.node.assignments !== b.node.assignments) return a.node.assignments > b.node.assignments;
  }
  return a.node.id < b.node.id;
}

/** Why nodes were turned down, to say in plain words why a replica does not fit. */
class Stats {
  unschedulable = 0;
  matchingButCordoned = 0;
  selectorMismatch = 0;
  noEngine = 0;
  fewGpus = 0;
  maxGpus = 0;
  noPort: NodeSlot[] = [];
  private bestMemory: { node: NodeSlot; fitting: number; free: number } | undefined;

  constructor(private readonly req: PlaceRequest) {}

  noteFewGpus(count: number): void {
    this.fewGpus += 1;
    this.maxGpus = Math.max(this.maxGpus, count);
  }

  /** Keeps the node with the most fitting GPUs (then the most free memory); details are computed at the end. */
  noteMemory(node: NodeSlot, fitting: number): void {
    const free = node.memTotal - node.memTaken;
    const b = this.bestMemory;
    if (!b || fitting > b.fitting || (fitting === b.fitting && free > b.free))
      this.bestMemory = { node, fitting, free };
  }

  reason(totalNodes: number): string {
    if (totalNodes === 0) return 'no nodes registered';
    if (this.unschedulable === totalNodes) return `all nodes cordoned or draining (${totalNodes})`;
    if (this.unschedulable + this.selectorMismatch === totalNodes) {
      const cordoned =
        this.matchingButCordoned > 0 ? ` (${this.matchingButCordoned} matching node(s) cordoned)` : '';
      return `no node matches node_selector ${formatSelector(this.req.selector)}${cordoned}`;
    }
    if (this.noEngine > 0 && this.unschedulable + this.selectorMismatch + this.noEngine === totalNodes) {
      const engine = this.req.engine;
      return `no schedulable node has engine ${engine}; ${engineInstallHint(engine)}`;
    }
    const need = this.req.need;
    if (this.bestMemory) return this.memoryReason(this.bestMemory);
    if (this.fewGpus > 0 && this.noPort.length === 0) {
      return `needs ${need.gpuCount} GPUs on one node; nodes have at most ${this.maxGpus}`;
    }
    const first = this.noPort[0];
    if (first) {
      const r = first.ports.range;
      const more = this.noPort.length > 1 ? ` and ${this.noPort.length - 1} other node(s)` : '';
      return `no free port on node ${first.id}${more} (port range ${r.start}-${r.end} in use)`;
    }
    return 'no node fits';
  }

  private memoryReason(best: { node: NodeSlot }): string {
    const need = this.req.need;
    const frees = best.node.gpus
      .map(gpuFree)
      .sort((a, b) => b - a)
      .slice(0, Math.max(1, need.gpuCount));
    const what =
      need.perGpuBytes === undefined
        ? `${need.gpuCount} whole free GPU(s) (model size unknown: set resources.gpu_memory_gib)`
        : `${need.gpuCount} x ${formatBytes(need.perGpuBytes)}`;
    return `needs ${what} on one node; best node ${best.node.id} has ${describeFrees(frees)} free`;
  }
}

/** [80 GiB, 10 GiB, 10 GiB] -> "1 x 80 GiB + 2 x 10 GiB". */
function describeFrees(frees: number[]): string {
  if (frees.length === 0) return 'no GPU';
  const groups: { text: string; n: number }[] = [];
  for (const f of frees) {
    const text = formatBytes(f);
    const last = groups[groups.length - 1];
    if (last && last.text === text) last.n += 1;
    else groups.push({ text, n: 1 });
  }
  return groups.map((g) => `${g.n} x ${g.text}`).join(' + ');
}
