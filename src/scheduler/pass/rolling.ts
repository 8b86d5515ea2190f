/**
 * The pass's side of revisions (pure): which models the rollout step handles (a change of revision under
 * the rolling strategy, drain requests, replicas on draining nodes), the planner bound for them (the other
 * plans' capacity counted, retiring replicas still holding theirs, a drained replica's GPUs or node
 * avoided), and the revision fields stamped on plans the planner makes alone.
 */
import type { ModelCacheEntry } from '../../core/domain/cache.js';
import type { ModelDeployment } from '../../core/domain/model.js';
import type { Assignment, PlacementPlan } from '../../core/domain/placement.js';
import type { DrainRequest } from '../../core/domain/revision.js';
import type { NewModelEvent } from '../../store/events.js';
import { planWorkloads } from '../planner/index.js';
import {
  drainGraceSeconds,
  needsRollout,
  normalizePlan,
  resolveTarget,
  rolloutStep,
  type PlaceRequest,
  type ReadinessEndpoint,
  type Target,
} from '../rollout/index.js';
import type { ClusterNode, PlanDecision, Workload } from '../types.js';
import { decisionEvents } from './decision-events.js';
import { nextPlanVersion, sameUnplaced } from './plan-build.js';

/** One workload with its revision resolved. */
export interface Prepared {
  /** The workload with the spec of the target revision. */
  workload: Workload;
  deployment: ModelDeployment | undefined;
  target: Target | undefined;
  /** The current plan with every assignment's revision filled in. */
  prev: PlacementPlan | undefined;
  drains: readonly DrainRequest[];
  drainingNodes: ReadonlySet<string>;
  /** True: the rollout step plans it; false: the planner alone. */
  rolling: boolean;
  /** A change of revision under the `recreate` strategy (every replica restarts in place). */
  recreate?: boolean;
}

export interface PrepareInput {
  workloads: readonly Workload[];
  deploymentOf: (uid: string) => ModelDeployment | undefined;
  plans: ReadonlyMap<string, PlacementPlan>;
  drainsOf: (uid: string) => readonly DrainRequest[];
  nodes: readonly ClusterNode[];
}

export function prepareRollouts(input: PrepareInput): Prepared[] {
  const drainingNodes = new Set(input.nodes.filter((n) => n.settings?.draining).map((n) => n.status.node_id));
  return input.workloads.map((w) => {
    const d = w.source === 'deployment' ? input.deploymentOf(w.model_uid) : undefined;
    const prev = input.plans.get(w.model_uid);
    const drains = input.drainsOf(w.model_uid);
    if (!d)
      return { workload: w, deployment: d, target: undefined, prev, drains, drainingNodes, rolling: false };
    const target = resolveTarget({ prev, specRevision: d.spec_revision, spec: w.spec });
    const norm = prev ? normalizePlan(prev, target) : undefined;
    const workload = { ...w, spec: target.spec };
    const recreate = (d.rollout?.strategy ?? 'rolling') === 'recreate';
    const revisionChange = norm?.assignments.some((a) => a.revision !== target.revision) ?? false;
    const rolling =
      norm !== undefined &&
      !(recreate && revisionChange) &&
      needsRollout(norm, target, drains, drainingNodes);
    return {
      workload,
      deployment: d,
      target,
      prev: norm,
      drains,
      drainingNodes,
      rolling,
      recreate: recreate && revisionChange,
    };
  });
}

/**
 * The revision fields of a plan the planner made alone: every assignment on the target revision (a
 * `recreate` restarts them in place), no other revision's spec, the rollout status carried (a recreate
 * records one that is complete at once), the grace period of the policy.
 */
export function stampRevision(plan: PlacementPlan, p: Prepared): PlacementPlan {
  if (!p.target || !p.deployment) return plan;
  const prev = p.prev;
  const rev = p.target.revision;
  const out: PlacementPlan = {
    ...plan,
    revision: rev,
    assignments: plan.assignments.map((a) => ({ ...a, revision: rev })),
    drain_grace_seconds: drainGraceSeconds(p.deployment.rollout),
  };
  delete out.specs;
  const prevRev = prev?.revision;
  if (p.recreate && prevRev !== undefined) {
    out.rollout = {
      from_revision: prevRev,
      to_revision: rev,
      phase: 'complete',
      updated_ready: 0,
      wanted: p.workload.replicas,
      started_at: plan.updated_at,
      reason: 'recreate: every replica restarts on the new revision',
    };
  } else if (prev?.rollout) out.rollout = prev.rollout;
  return out;
}

export interface RollContext {
  now: number;
  knownRevision: number;
  /** Every plan as decided so far in this pass. */
  plans: ReadonlyMap<string, PlacementPlan>;
  nodes: readonly ClusterNode[];
  heldNodeIds: ReadonlySet<string>;
  cache: readonly ModelCacheEntry[];
  endpoints: readonly ReadinessEndpoint[];
}

export interface RollResult {
  plan: PlacementPlan | undefined;
  events: NewModelEvent[];
  drainsDone: number[];
  counts: { scheduled: number; rescheduled: number; removed: number };
  wakeAt: number | undefined;
}

/** Key under which retiring replicas hold their capacity while the planner places replacements. */
const RETIRING = '#retiring';
/** Reserved on an avoided GPU: more than any GPU has, so nothing else fits there. */
const FILL_BYTES = 2 ** 50;

/** The planner for one model's rollout step. */
function placer(p: Prepared, ctx: RollContext, base: PlacementPlan) {
  return (req: PlaceRequest): PlanDecision => {
    const plans = new Map(ctx.plans);
    plans.set(p.workload.model_uid, { ...base, assignments: [...req.keep] });
    // A drained replica's GPUs take nothing new; a replica without GPUs holds only a port and a process,
    // so its replacement may run on the same node (a fresh process on another port).
    const blockers: Assignment[] = req.avoid
      .filter((a) => a.gpu_indices.length > 0)
      .map((a) => ({ ...a, gpu_memory_bytes: FILL_BYTES }));
    plans.set(`${p.workload.model_uid}${RETIRING}`, { ...base, assignments: [...req.reserve, ...blockers] });
    const [d] = planWorkloads({ nodes: ctx.nodes, heldNodeIds: ctx.heldNodeIds, plans, cache: ctx.cache }, [
      { ...p.workload, spec: req.spec, replicas: req.count },
    ]);
    if (!d) throw new Error('planner returned no decision');
    return d;
  };
}

/** One rollout step for a prepared model, as the plan to write and its events. */
export function rollModel(p: Prepared, ctx: RollContext): RollResult {
  const prev = p.prev;
  if (!prev || !p.target || !p.deployment) {
    return {
      plan: undefined,
      events: [],
      drainsDone: [],
      counts: { scheduled: 0, rescheduled: 0, removed: 0 },
      wakeAt: undefined,
    };
  }
  const out = rolloutStep({
    now: ctx.now,
    model_uid: p.workload.model_uid,
    target: p.target,
    replicas: p.workload.replicas,
    prev,
    policy: p.deployment.rollout,
    endpoints: ctx.endpoints,
    drains: p.drains,
    drainingNodes: p.drainingNodes,
    place: placer(p, ctx, prev),
  });
  const plan: PlacementPlan = {
    model_uid: p.workload.model_uid,
    plan_version: nextPlanVersion(prev, ctx.knownRevision),
    source: p.workload.source,
    generation: p.workload.generation,
    spec: out.spec,
    revision: out.revision,
    drain_grace_seconds: drainGraceSeconds(p.deployment.rollout),
    assignments: out.assignments,
    unplaced: sameUnplaced(prev.unplaced, out.unplaced) ? prev.unplaced : out.unplaced,
    updated_at: new Date(ctx.now).toISOString(),
  };
  if (out.specs) plan.specs = out.specs;
  if (out.rollout) plan.rollout = out.rollout;
  const decision: PlanDecision = {
    model_uid: plan.model_uid,
    assignments: plan.assignments,
    unplaced: plan.unplaced,
    kept: [],
    added: out.added,
    removed: out.plannerRemoved,
    moved: out.moved,
    estimate: '',
  };
  const events = [...out.events, ...decisionEvents(prev, plan, decision)].map((e) => ({
    ...e,
    plan_version: plan.plan_version,
  }));
  return {
    plan,
    events,
    drainsDone: out.drainsDone,
    counts: { scheduled: out.added.length, rescheduled: out.moved.length, removed: out.removed.length },
    wakeAt: out.wakeAt,
  };
}
