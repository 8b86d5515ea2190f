/**
 * The planner (pure: state in, placements out). For each model to plan it keeps every existing
 * assignment that is still valid (no churn on replans), drops the highest replica ids on a scale down,
 * moves replicas off draining, lost or no longer matching nodes, and places new replicas with the
 * capacity that is left, saying why when something does not fit.
 *
 * Order of work, so that running replicas are never displaced by new ones:
 *   1. reserve every assignment of the plans that are not being planned;
 *   2. reserve the still-valid assignments of the models being planned;
 *   3. give new ports to kept replicas whose port is now taken;
 *   4. place moving replicas (all models), then new replicas (all models), in model_uid order.
 */
import type { Assignment, PlacementPlan } from '../../core/domain/placement.js';
import { estimateReplicaMemory, formatBytes, formatSelector } from '../estimate/index.js';
import { hasEngine, Ledger, matchesSelector } from './ledger.js';
import { placeReplica, type Need } from './placement.js';
import type { ClusterState, Move, PlanDecision, Workload } from '../types.js';

interface Pending {
  replicaId: number;
  from?: Assignment;
  why?: string;
}

interface WorkState {
  w: Workload;
  need: Need;
  estimate: string;
  cached: ReadonlySet<string>;
  kept: Assignment[];
  keptIds: number[];
  removed: Assignment[];
  reports: { a: Assignment; why: string }[];
  moved: Move[];
  toMove: Pending[];
  added: Assignment[];
  unplaced: number;
  reason: string | undefined;
}

/** Plans the given models against the cluster; every other plan in `state.plans` is left as it is. */
export function planWorkloads(state: ClusterState, workloads: readonly Workload[]): PlanDecision[] {
  const ledger = new Ledger(state.nodes);
  const planned = new Set(workloads.map((w) => w.model_uid));
  const held = state.heldNodeIds ?? new Set<string>();

  // 1. Plans we are not touching keep their reservations, valid or not (they are replanned when dirty).
  // Order does not matter here: reservations add up and port claims form a set.
  for (const [uid, plan] of state.plans) {
    if (planned.has(uid)) continue;
    for (const a of plan.assignments) {
      ledger.reserve(uid, a, false);
      ledger.nodes.get(a.node_id)?.ports.claim(a.port);
    }
  }
  ledger.refreshAll();

  const cacheIndex = indexCache(state);
  const works = [...workloads]
    .sort((a, b) => (a.model_uid < b.model_uid ? -1 : a.model_uid > b.model_uid ? 1 : 0))
    .map((w) => startWork(w, state.plans.get(w.model_uid), cacheIndex));

  // 2. Keep what is still valid.
  for (const work of works) keepValid(work, ledger, held);

  // 3. New ports for kept replicas whose port is taken now.
  for (const work of works) {
    for (const { a, why } of work.reports) {
      const node = ledger.nodes.get(a.node_id);
      const port = node?.ports.allocate();
      if (port === undefined) {
        ledger.unreserve(work.w.model_uid, a);
        work.toMove.push({ replicaId: a.replica_id, from: a, why });
      } else {
        work.moved.push({ replica_id: a.replica_id, from: a, to: { ...a, port }, why });
      }
    }
  }

  // 4. Moves first (running services), then new replicas.
  for (const work of works) placeAll(work, ledger, work.toMove);
  for (const work of works)
    placeAll(
      work,
      ledger,
      newReplicaIds(work).map((replicaId) => ({ replicaId })),
    );

  return works.map(finish);
}

/** Plans one model (the others' plans in `state` only take their capacity). */
export function planModel(state: ClusterState, workload: Workload): PlanDecision {
  const [decision] = planWorkloads(state, [workload]);
  if (!decision) throw new Error('planner returned no decision');
  return decision;
}

function indexCache(state: ClusterState): Map<string, Set<string>> {
  const index = new Map<string, Set<string>>();
  for (const e of state.cache ?? []) {
    if (!e.complete) continue;
    const k = `${e.source}:${e.model_name}`;
    let set = index.get(k);
    if (!set) index.set(k, (set = new Set()));
    set.add(e.node_id);
  }
  return index;
}

function startWork(
  w: Workload,
  prev: PlacementPlan | undefined,
  cacheIndex: Map<string, Set<string>>,
): WorkState {
  const est = estimateReplicaMemory(w.spec);
  const { kept, removed } = trimmed(prev, w.replicas);
  return {
    w,
    need: { gpuCount: est.gpuCount, perGpuBytes: est.perGpuBytes },
    estimate: est.summary,
    cached: cacheIndex.get(`${w.spec.model_source}:${w.spec.model_name}`) ?? new Set(),
    kept,
    keptIds: [],
    removed,
    reports: [],
    moved: [],
    toMove: [],
    added: [],
    unplaced: 0,
    reason: undefined,
  };
}

/** Existing assignments (one per replica id), the highest ids beyond `replicas` dropped. */
function trimmed(
  prev: PlacementPlan | undefined,
  replicas: number,
): { kept: Assignment[]; removed: Assignment[] } {
  const seen = new Set<number>();
  const sorted = [...(prev?.assignments ?? [])]
    .sort((a, b) => a.replica_id - b.replica_id)
    .filter((a) => (seen.has(a.replica_id) ? false : (seen.add(a.replica_id), true)));
  return { kept: sorted.slice(0, replicas), removed: sorted.slice(replicas) };
}

function keepValid(work: WorkState, ledger: Ledger, held: ReadonlySet<string>): void {
  const candidates = work.kept;
  work.kept = [];
  for (const a of candidates) {
    const why = invalidity(work, a, ledger, held);
    if (why) {
      work.toMove.push({ replicaId: a.replica_id, from: a, why });
      continue;
    }
    const node = ledger.nodes.get(a.node_id);
    if (!node) {
      work.kept.push(a); // held: its node is away for now, the replica stays put
      continue;
    }
    ledger.reserve(work.w.model_uid, a);
    if (node.ports.claim(a.port)) work.kept.push(a);
    else {
      const what = node.ports.isExternal(a.port) ? 'used by another process' : 'taken';
      const inRange = a.port >= node.ports.range.start && a.port <= node.ports.range.end;
      work.reports.push({
        a,
        why: inRange ? `port ${a.port} is ${what}` : `port ${a.port} is outside the node's range`,
      });
    }
  }
  work.keptIds = work.kept.map((a) => a.replica_id);
}

/** Why an existing assignment cannot stay, or undefined when it can. */
function invalidity(
  work: WorkState,
  a: Assignment,
  ledger: Ledger,
  held: ReadonlySet<string>,
): string | undefined {
  const node = ledger.nodes.get(a.node_id);
  if (!node) return held.has(a.node_id) ? undefined : `node ${a.node_id} is gone`;
  if (node.draining) return `node ${a.node_id} is draining`;
  if (!matchesSelector(node.labels, work.w.node_selector)) {
    return `node ${a.node_id} does not match node_selector ${formatSelector(work.w.node_selector)}`;
  }
  // Detection only drops an engine whose file vanished, changed into something unusable, or never
  // answered: the replica could not be restarted there after a crash.
  if (!hasEngine(node, work.w.spec.engine_type))
    return `node ${a.node_id} no longer has engine ${work.w.spec.engine_type}`;
  const need = work.need;
  if (a.gpu_indices.length !== need.gpuCount) return `needs ${need.gpuCount} GPU(s) now`;
  if (need.perGpuBytes !== undefined && a.gpu_memory_bytes !== need.perGpuBytes) {
    return `needs ${formatBytes(need.perGpuBytes)} per GPU now`;
  }
  const missing = a.gpu_indices.find((i) => !node.gpuByIndex.has(i));
  if (missing !== undefined) return `GPU ${missing} is gone from node ${a.node_id}`;
  return undefined;
}

/** Replica ids for scale up: the lowest ids not in use, until the model has `replicas`. */
function newReplicaIds(work: WorkState): number[] {
  const used = new Set<number>([...work.keptIds, ...work.moved.map((m) => m.replica_id)]);
  for (const p of work.toMove) used.add(p.replicaId);
  const count = work.w.replicas - used.size;
  const ids: number[] = [];
  for (let id = 0; ids.length < count; id++) if (!used.has(id)) ids.push(id);
  return ids;
}

function placeAll(work: WorkState, ledger: Ledger, pending: readonly Pending[]): void {
  for (const p of pending) {
    if (work.reason !== undefined) {
      // Nothing changed in the ledger since the last failure of this same need: it fails again.
      fail(work, p);
      continue;
    }
    const res = placeReplica(ledger, {
      modelUid: work.w.model_uid,
      replicaId: p.replicaId,
      need: work.need,
      engine: work.w.spec.engine_type,
      selector: work.w.node_selector,
      strategy: work.w.strategy,
      cachedNodes: work.cached,
      previousNode: p.from?.node_id,
    });
    if (!res.ok) {
      work.reason = res.reason;
      fail(work, p);
    } else if (p.from) {
      work.moved.push({ replica_id: p.replicaId, from: p.from, to: res.assignment, why: p.why ?? 'moved' });
    } else {
      work.added.push(res.assignment);
    }
  }
}

function fail(work: WorkState, p: Pending): void {
  work.unplaced += 1;
  if (p.from) work.removed.push(p.from);
}

function finish(work: WorkState): PlanDecision {
  const assignments = [...work.kept, ...work.moved.map((m) => m.to), ...work.added].sort(
    (a, b) => a.replica_id - b.replica_id,
  );
  return {
    model_uid: work.w.model_uid,
    assignments,
    unplaced: work.unplaced > 0 ? { replicas: work.unplaced, reason: work.reason ?? 'no node fits' } : null,
    kept: work.keptIds,
    added: work.added,
    removed: work.removed,
    moved: work.moved,
    estimate: work.estimate,
  };
}
