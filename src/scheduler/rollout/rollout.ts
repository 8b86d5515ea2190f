/**
 * Rolling updates and migrating drains as one pure step beside the planner (DESIGN §11 "Revisions and
 * rollouts"): the current plan, the wanted revision and its spec, which replicas are ready, the policy, what
 * the planner can place and the time in; the next plan, the rollout status, the events and the drain
 * requests that are done out.
 *
 * One idea serves three cases. Some assignments are *retiring*: they run another revision than the wanted
 * one (a spec change), their replica has a drain request, or their node is draining. Replacements of the
 * wanted revision get new replica ids and are placed first (up to `max_surge` above the wanted count), and
 * a retiring assignment is removed only while enough replicas stay ready (at most `max_unavailable` below
 * the wanted count); retiring replicas that are not ready go at once. The node retires a removed replica
 * gracefully (draining endpoint, in-flight requests finish, SIGTERM). Nothing here writes a spec.
 */
import { isDeepStrictEqual } from 'node:util';
import type { Endpoint } from '../../core/domain/endpoint.js';
import type { ModelSpec } from '../../core/domain/model.js';
import type { Assignment, PlacementPlan } from '../../core/domain/placement.js';
import type { DrainRequest, RolloutPolicy, RolloutStatus } from '../../core/domain/revision.js';
import { SPEC_LAUNCH_FIELDS } from '../../core/domain/spec-fields.js';
import type { NewModelEvent } from '../../store/events.js';
import type { Move, PlanDecision, Unplaced } from '../types.js';

/** Highest replica id the key layout allows. */
const MAX_REPLICA_ID = 9999;
const DEFAULT_DEADLINE_S = 600;
const DEFAULT_GRACE_S = 30;

/** What the rollout asks of the planner: place `count` replicas of `spec`, keeping `keep` where valid. */
export interface PlaceRequest {
  spec: ModelSpec;
  /** Replicas of the wanted revision in total (kept ones included). */
  count: number;
  /** Assignments of the wanted revision already placed (the planner keeps the valid ones). */
  keep: readonly Assignment[];
  /** Retiring assignments: they still hold their GPUs and ports. */
  reserve: readonly Assignment[];
  /** Assignments whose GPUs a replacement must not take (one without GPUs may be replaced on its node). */
  avoid: readonly Assignment[];
}

/** The planner, as the rollout sees it (the pass binds it to the cluster and the other plans). */
export type PlaceFn = (req: PlaceRequest) => PlanDecision;

/** An endpoint as far as readiness goes. */
export type ReadinessEndpoint = Pick<Endpoint, 'replica_id' | 'status' | 'node_id'> & { revision?: number };

export interface RolloutInput {
  now: number;
  model_uid: string;
  /** The revision the plan should end on, and its spec (see `resolveTarget`). */
  target: { revision: number; spec: ModelSpec };
  replicas: number;
  /** The current plan (its assignments normalized: every one carries its revision). */
  prev: PlacementPlan;
  policy: RolloutPolicy | undefined;
  endpoints: readonly ReadinessEndpoint[];
  drains: readonly DrainRequest[];
  /** Live nodes the operator is draining: their replicas migrate. */
  drainingNodes: ReadonlySet<string>;
  place: PlaceFn;
}

export interface RolloutOutput {
  assignments: Assignment[];
  spec: ModelSpec;
  revision: number;
  /** Specs of the other revisions assignments still run. */
  specs: Record<string, ModelSpec> | undefined;
  rollout: RolloutStatus | undefined;
  unplaced: Unplaced | null;
  events: NewModelEvent[];
  /** Replica ids whose drain request is done (or moot): delete them. */
  drainsDone: number[];
  /** New replicas placed (for counts and the `scheduled` event). */
  added: Assignment[];
  /** Replicas of the target revision the planner moved (lost node, port taken, new size). */
  moved: Move[];
  /** Retired replicas and those the planner dropped (scale down). */
  removed: Assignment[];
  /** Only those the planner dropped (scale down, or a needed move without room). */
  plannerRemoved: Assignment[];
  /** When the pass should look again without any store change (a progress deadline). */
  wakeAt: number | undefined;
}

/** The launch-relevant part of a spec: two specs with the same identity run the same engine process. */
export function launchIdentity(spec: ModelSpec): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of SPEC_LAUNCH_FIELDS) if (spec[k] !== undefined) out[k] = spec[k];
  return JSON.parse(JSON.stringify(out)) as Record<string, unknown>;
}

export function sameLaunch(a: ModelSpec, b: ModelSpec): boolean {
  return isDeepStrictEqual(launchIdentity(a), launchIdentity(b));
}

/** The revision an assignment runs. */
export function revisionOf(plan: Pick<PlacementPlan, 'revision'>, a: Assignment): number {
  return a.revision ?? plan.revision ?? 1;
}

/** The spec of revision `rev` as the plan knows it. */
export function specOfRevision(plan: PlacementPlan, rev: number): ModelSpec | undefined {
  if ((plan.revision ?? 1) === rev) return plan.spec;
  return plan.specs?.[String(rev)];
}

export interface TargetInput {
  prev: PlacementPlan | undefined;
  /** The deployment's `spec_revision` (absent on stores written before revisions). */
  specRevision: number | undefined;
  spec: ModelSpec;
}

export interface Target {
  revision: number;
  spec: ModelSpec;
  /** The wanted revision was rolled back automatically: the plan stays on its own revision. */
  held: boolean;
}

/**
 * Which revision the plan should run. The deployment's `spec_revision` names it; without one, a change of
 * the spec's launch identity counts as revision plan.revision+1. A revision the scheduler rolled back is
 * not tried again until the deployment names another one: the plan keeps its own revision and spec.
 */
export function resolveTarget(input: TargetInput): Target {
  const { prev, spec } = input;
  const prevRev = prev?.revision ?? 1;
  if (input.specRevision === undefined) {
    if (!prev) return { revision: 1, spec, held: false };
    return { revision: sameLaunch(prev.spec, spec) ? prevRev : prevRev + 1, spec, held: false };
  }
  const r = prev?.rollout;
  if (prev && r?.phase === 'rolled_back' && r.from_revision === input.specRevision) {
    return { revision: prevRev, spec: prev.spec, held: true };
  }
  return { revision: input.specRevision, spec, held: false };
}

/**
 * The plan with every assignment carrying its revision, and assignments whose revision differs from the
 * target only in fields that do not reach the engine (description, labels, routing) moved to the target
 * without a restart.
 */
export function normalizePlan(
  prev: PlacementPlan,
  target: { revision: number; spec: ModelSpec },
): PlacementPlan {
  const assignments = prev.assignments.map((a) => {
    const rev = revisionOf(prev, a);
    if (rev === target.revision) return { ...a, revision: rev };
    const s = specOfRevision(prev, rev);
    return s && sameLaunch(s, target.spec) ? { ...a, revision: target.revision } : { ...a, revision: rev };
  });
  return { ...prev, revision: prev.revision ?? 1, assignments };
}

/** True when the plan needs the rollout step (rather than the plain planner) to reach the target. */
export function needsRollout(
  prev: PlacementPlan,
  target: { revision: number },
  drains: readonly DrainRequest[],
  drainingNodes: ReadonlySet<string>,
): boolean {
  if (prev.assignments.length === 0) return false;
  if (prev.assignments.some((a) => revisionOf(prev, a) !== target.revision)) return true;
  const ids = new Set(prev.assignments.map((a) => a.replica_id));
  if (drains.some((d) => ids.has(d.replica_id))) return true;
  return prev.assignments.some((a) => drainingNodes.has(a.node_id));
}

function isReady(a: Assignment, eps: ReadonlyMap<number, ReadinessEndpoint>): boolean {
  const e = eps.get(a.replica_id);
  if (!e || e.status !== 'ready' || e.node_id !== a.node_id) return false;
  return e.revision === undefined || e.revision === a.revision;
}

function where(a: Assignment): string {
  const gpus = a.gpu_indices.length > 0 ? `GPU ${a.gpu_indices.join(',')}` : 'no GPU';
  return `${a.node_id} (${gpus}, port ${a.port})`;
}

/** Effective surge and unavailability, and the sentence that explains a chosen default. */
interface Budget {
  surge: number;
  unavailable: number;
  why: string | undefined;
}

function chooseBudget(policy: RolloutPolicy | undefined, replicas: number, fits: () => number): Budget {
  const explicitSurge = policy?.max_surge;
  const explicitUnavail = policy?.max_unavailable;
  if (explicitSurge !== undefined || explicitUnavail !== undefined) {
    const surge = explicitSurge ?? 0;
    let unavailable = explicitUnavail ?? 0;
    // Neither surge nor unavailability: the rollout could never move; one at a time is the least harm.
    if (surge === 0 && unavailable === 0) unavailable = 1;
    return { surge, unavailable, why: undefined };
  }
  const room = fits();
  if (room >= replicas) {
    return {
      surge: replicas,
      unavailable: 0,
      why: `the cluster has room: all ${replicas} new replica(s) at once`,
    };
  }
  if (room >= 1) {
    return {
      surge: 1,
      unavailable: 0,
      why: `room for only ${room} of ${replicas} new replica(s): one at a time, full capacity kept`,
    };
  }
  return {
    surge: 0,
    unavailable: 1,
    why: 'no room for even one extra replica: one at a time, one replica down at a time (max_unavailable 1)',
  };
}

/**
 * Fresh replica ids: above every id in use (assignments, and endpoints that still exist, such as a retiring
 * replica's), so that an id is not reused while a node may still be retiring it; the lowest free ones when
 * the range runs out.
 */
function freshIds(count: number, used: ReadonlySet<number>): number[] {
  const out: number[] = [];
  const top = used.size > 0 ? Math.max(...used) : -1;
  for (let id = top + 1; out.length < count && id <= MAX_REPLICA_ID; id++) out.push(id);
  for (let id = 0; out.length < count && id <= top; id++) if (!used.has(id)) out.push(id);
  return out;
}

/** One rollout step. `prev` must be normalized (`normalizePlan`) and need it (`needsRollout`). */
export function rolloutStep(input: RolloutInput): RolloutOutput {
  const { prev, now, replicas: wanted } = input;
  const base = { model_uid: input.model_uid, source: 'scheduler' as const };
  const events: NewModelEvent[] = [];
  const eps = new Map(input.endpoints.map((e) => [e.replica_id, e]));
  const drainIds = new Set(input.drains.map((d) => d.replica_id));
  const policy = input.policy;
  let target = input.target;

  const prevStatus = prev.rollout;
  const fromRevision = (): number | undefined => {
    const olds = prev.assignments.map((a) => a.revision ?? 1).filter((r) => r !== target.revision);
    return olds.length > 0 ? Math.max(...olds) : undefined;
  };
  const isRevisionChange = prev.assignments.some((a) => a.revision !== target.revision);

  let status: RolloutStatus | undefined = prevStatus;
  const live = (s: RolloutStatus | undefined) =>
    s !== undefined &&
    s.to_revision === target.revision &&
    (s.phase === 'progressing' || s.phase === 'paused');
  const rolledBackTo = prevStatus?.phase === 'rolled_back' && prevStatus.to_revision === target.revision;
  /** The status describes a rollback to the revision now targeted (itself rolled out). */
  const isRollback = (s: RolloutStatus | undefined) =>
    s?.phase === 'rolled_back' && s.to_revision === target.revision;

  // A rollout that missed its deadline: back to the revision it came from (a rollback is itself rolled out,
  // so ready replicas of the failed revision serve until the old ones are ready again).
  if (
    isRevisionChange &&
    prevStatus &&
    live(prevStatus) &&
    prevStatus.phase === 'progressing' &&
    prevStatus.deadline_at !== undefined &&
    now >= Date.parse(prevStatus.deadline_at)
  ) {
    const back = prevStatus.from_revision ?? fromRevision();
    const backSpec = back === undefined ? undefined : specOfRevision(prev, back);
    const failing = prev.assignments
      .filter((a) => a.revision === target.revision && !isReady(a, eps))
      .map((a) => a.replica_id);
    const reason =
      `revision ${target.revision} not ready within ${policy?.progress_deadline_seconds ?? DEFAULT_DEADLINE_S}s ` +
      `(${prevStatus.updated_ready}/${prevStatus.wanted} ready` +
      (failing.length > 0 ? `; not ready: replica(s) ${failing.join(', ')})` : ')');
    if (back === undefined || !backSpec) {
      status = { ...prevStatus, phase: 'failed', reason: `${reason}; no earlier revision to go back to` };
      events.push({
        ...base,
        type: 'rollout',
        level: 'error',
        message: `rollout to r${target.revision} failed: ${status.reason}`,
      });
      return keepAsIs(input, status, events);
    }
    events.push({
      ...base,
      type: 'rollout',
      level: 'warning',
      message: `rollout to r${target.revision} rolled back to r${back}: ${reason}`,
    });
    const failed = target.revision;
    target = { revision: back, spec: backSpec };
    status = {
      from_revision: failed,
      to_revision: back,
      phase: 'rolled_back',
      updated_ready: 0,
      wanted,
      started_at: new Date(now).toISOString(),
      reason,
    };
  }

  const retiringWhy = (a: Assignment): string | undefined => {
    if (a.revision !== target.revision) return `runs r${a.revision}, wanted r${target.revision}`;
    if (drainIds.has(a.replica_id)) return 'drain requested';
    if (input.drainingNodes.has(a.node_id)) return `node ${a.node_id} is draining`;
    return undefined;
  };
  const current = prev.assignments.filter((a) => retiringWhy(a) === undefined);
  const retiring = prev.assignments.filter((a) => retiringWhy(a) !== undefined);
  const revisionRollout = retiring.some((a) => a.revision !== target.revision);

  // Paused: leave every assignment where it is.
  if (policy?.paused && revisionRollout && !isRollback(status)) {
    const updatedReady = current.filter((a) => isReady(a, eps)).length;
    const next: RolloutStatus = {
      ...(status && live(status) ? status : startStatus(prev, target.revision, wanted, now, fromRevision())),
      phase: 'paused',
      updated_ready: updatedReady,
      wanted,
    };
    delete next.deadline_at;
    if (prevStatus?.phase !== 'paused' || prevStatus.to_revision !== target.revision) {
      events.push({
        ...base,
        type: 'rollout',
        message: `rollout to r${target.revision} paused (${updatedReady}/${wanted} updated)`,
      });
    }
    return keepAsIs(input, next, events);
  }

  // The budget: the policy's, or chosen when a rollout (or its rollback) starts, then kept while it runs.
  const avoid = retiring.filter((a) => a.revision === target.revision);
  let budget: Budget;
  const carry =
    status === prevStatus &&
    prevStatus !== undefined &&
    (live(prevStatus) || rolledBackTo) &&
    prevStatus.phase !== 'paused' &&
    prevStatus.max_surge !== undefined &&
    prevStatus.max_unavailable !== undefined;
  if (!revisionRollout) {
    // Only migrations: a replacement first for each, nobody down for it.
    budget = { surge: Math.max(1, retiring.length), unavailable: 0, why: undefined };
  } else if (carry) {
    budget = {
      surge: prevStatus.max_surge ?? 0,
      unavailable: prevStatus.max_unavailable ?? 0,
      why: undefined,
    };
  } else {
    budget = chooseBudget(policy, wanted, () => {
      const trial = input.place({
        spec: target.spec,
        count: wanted,
        keep: [],
        reserve: prev.assignments,
        avoid,
      });
      return trial.assignments.length;
    });
  }

  // 1. Retire what may go: not-ready retiring replicas at once (they serve nothing), ready ones while
  // enough replicas stay ready (`wanted - max_unavailable`). Replacements placed below are never ready yet.
  const minReady = Math.max(0, wanted - budget.unavailable);
  const currentReady = current.filter((a) => isReady(a, eps)).length;
  let ready = currentReady + retiring.filter((a) => isReady(a, eps)).length;
  const order = [...retiring].sort((a, b) => {
    const ra = isReady(a, eps) ? 1 : 0;
    const rb = isReady(b, eps) ? 1 : 0;
    if (ra !== rb) return ra - rb;
    // Old revisions before migrations, then the highest ids first.
    const oa = a.revision !== target.revision ? 0 : 1;
    const ob = b.revision !== target.revision ? 0 : 1;
    if (oa !== ob) return oa - ob;
    return b.replica_id - a.replica_id;
  });
  const staying: Assignment[] = [];
  const removed: Assignment[] = [];
  for (const a of order) {
    const r = isReady(a, eps);
    if (r && ready - 1 < minReady) {
      staying.push(a);
      continue;
    }
    removed.push(a);
    if (r) ready -= 1;
    events.push({
      ...base,
      type: drainIds.has(a.replica_id) || input.drainingNodes.has(a.node_id) ? 'drain' : 'rollout',
      node_id: a.node_id,
      replica_id: a.replica_id,
      message: `retiring replica ${a.replica_id} (r${a.revision}) on ${where(a)}: ${retiringWhy(a) ?? ''}${
        r ? `; ${currentReady} replica(s) of r${target.revision} ready` : '; it was not ready'
      }`,
    });
  }

  // 2. Place (or keep) replicas of the target revision, up to the surge allowance.
  const allowance = wanted + budget.surge - (current.length + staying.length);
  const count = Math.min(wanted, current.length + Math.max(0, allowance));
  const decision =
    count > 0 || current.length > 0
      ? input.place({ spec: target.spec, count, keep: current, reserve: staying, avoid })
      : undefined;
  const used = new Set<number>([...prev.assignments.map((a) => a.replica_id), ...eps.keys()]);
  for (const a of decision?.assignments ?? []) if (!decision?.added.includes(a)) used.add(a.replica_id);
  const ids = freshIds(decision?.added.length ?? 0, used);
  const added: Assignment[] = [];
  const placed: Assignment[] = (decision?.assignments ?? []).flatMap((a) => {
    if (!decision?.added.includes(a)) return [{ ...a, revision: target.revision }];
    const id = ids.shift();
    if (id === undefined) return [];
    const fresh = { ...a, replica_id: id, revision: target.revision };
    added.push(fresh);
    return [fresh];
  });
  removed.push(...(decision?.removed ?? []));
  const newReady = currentReady;

  // Scale-down or overshoot of the target revision is the planner's (it drops the highest ids).
  const assignments = [...placed, ...staying].sort((a, b) => a.replica_id - b.replica_id);

  // 3. Drain requests: done once their replica left the plan; moot when it is not in the plan.
  const drainsDone: number[] = [];
  const inPrev = new Set(prev.assignments.map((a) => a.replica_id));
  const inNext = new Set(assignments.map((a) => a.replica_id));
  for (const d of input.drains) {
    if (!inPrev.has(d.replica_id)) {
      drainsDone.push(d.replica_id);
      events.push({
        ...base,
        type: 'drain',
        replica_id: d.replica_id,
        message: `drain of replica ${d.replica_id}: not in the plan, nothing to move`,
      });
    } else if (!inNext.has(d.replica_id)) {
      drainsDone.push(d.replica_id);
      const rep = newReady > 0 ? `; ${newReady} replacement(s) ready` : '';
      events.push({
        ...base,
        type: 'drain',
        replica_id: d.replica_id,
        message: `drain of replica ${d.replica_id} done: it retires gracefully${rep}`,
      });
    }
  }
  for (const a of added) {
    const migrating = retiring.filter((r) => r.revision === target.revision);
    if (!revisionRollout && migrating.length > 0) {
      events.push({
        ...base,
        type: 'drain',
        node_id: a.node_id,
        replica_id: a.replica_id,
        message: `placing replica ${a.replica_id} on ${where(a)} to replace ${migrating.map((m) => `replica ${m.replica_id} on ${m.node_id}`).join(', ')} (it keeps serving until this one is ready)`,
      });
    }
  }

  // 4. Unplaced: say why a replacement could not be placed (the retiring replica keeps serving).
  let unplaced: Unplaced | null = decision?.unplaced ?? null;
  if (unplaced && !revisionRollout && retiring.length > 0) {
    unplaced = {
      replicas: unplaced.replicas,
      reason: `no room to migrate replica(s) ${retiring.map((a) => a.replica_id).join(', ')} (they keep serving): ${unplaced.reason}`,
    };
  }

  // 5. The status.
  const stillOld = assignments.filter((a) => a.revision !== target.revision);
  const updatedReady = assignments.filter(
    (a) => a.revision === target.revision && isReady(a, eps) && !drainIds.has(a.replica_id),
  ).length;
  let wakeAt: number | undefined;
  if (revisionRollout) {
    const deadlineS = policy?.progress_deadline_seconds ?? DEFAULT_DEADLINE_S;
    if (status !== undefined && isRollback(status)) {
      // A rollback is rolled out like any change; its status stays `rolled_back` with the reason.
      status = {
        ...status,
        updated_ready: updatedReady,
        wanted,
        max_surge: budget.surge,
        max_unavailable: budget.unavailable,
      };
    } else {
      const starting = !live(status) || status?.phase === 'paused';
      const s: RolloutStatus = starting
        ? startStatus(prev, target.revision, wanted, now, fromRevision())
        : { ...(status as RolloutStatus) };
      s.phase = 'progressing';
      s.max_surge = budget.surge;
      s.max_unavailable = budget.unavailable;
      // The deadline counts from the last progress: a rollout that keeps making replicas ready goes on.
      if (starting || updatedReady > s.updated_ready || s.deadline_at === undefined) {
        s.deadline_at = new Date(now + deadlineS * 1000).toISOString();
      }
      s.updated_ready = updatedReady;
      s.wanted = wanted;
      if (starting) {
        const how = budget.why ?? `max_surge ${budget.surge}, max_unavailable ${budget.unavailable}`;
        events.push({
          ...base,
          type: 'rollout',
          message:
            prevStatus?.phase === 'paused' && prevStatus.to_revision === target.revision
              ? `rollout to r${target.revision} resumed (${updatedReady}/${wanted} updated)`
              : `rolling update r${s.from_revision ?? '?'} -> r${target.revision} of ${wanted} replica(s): ${how}`,
        });
      } else if (updatedReady !== prevStatus?.updated_ready) {
        events.push({
          ...base,
          type: 'rollout',
          message: `rollout to r${target.revision}: ${updatedReady}/${wanted} ready`,
        });
      }
      if (stillOld.length === 0 && updatedReady >= wanted) {
        s.phase = 'complete';
        delete s.deadline_at;
        events.push({
          ...base,
          type: 'rollout',
          message: `rollout to r${target.revision} complete: ${updatedReady}/${wanted} ready`,
        });
      }
      status = s;
      if (s.deadline_at !== undefined) wakeAt = Date.parse(s.deadline_at) + 10;
    }
  } else if (isRollback(status) || live(status)) {
    // The failed revision's last replicas just left (or a rollout finished on this step).
    status = { ...(status as RolloutStatus), updated_ready: updatedReady, wanted };
    if (status.phase !== 'rolled_back' && updatedReady >= wanted) {
      status.phase = 'complete';
      delete status.deadline_at;
    }
  }

  return {
    assignments,
    spec: target.spec,
    revision: target.revision,
    specs: specsFor(prev, assignments, target.revision),
    rollout: status,
    unplaced,
    events,
    drainsDone,
    added,
    moved: decision?.moved ?? [],
    removed,
    plannerRemoved: decision?.removed ?? [],
    wakeAt,
  };
}

function startStatus(
  prev: PlacementPlan,
  to: number,
  wanted: number,
  now: number,
  from: number | undefined,
): RolloutStatus {
  const s: RolloutStatus = {
    to_revision: to,
    phase: 'progressing',
    updated_ready: 0,
    wanted,
    started_at: new Date(now).toISOString(),
  };
  const f = from ?? prev.revision;
  if (f !== undefined && f !== to) s.from_revision = f;
  return s;
}

/** The specs of the revisions `assignments` still run, besides the plan's own. */
export function specsFor(
  prev: PlacementPlan,
  assignments: readonly Assignment[],
  revision: number,
): Record<string, ModelSpec> | undefined {
  const out: Record<string, ModelSpec> = {};
  for (const a of assignments) {
    const r = a.revision ?? revision;
    if (r === revision) continue;
    const s = specOfRevision(prev, r);
    if (s) out[String(r)] = s;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

function keepAsIs(input: RolloutInput, status: RolloutStatus, events: NewModelEvent[]): RolloutOutput {
  const { prev } = input;
  return {
    assignments: prev.assignments,
    spec: prev.spec,
    revision: prev.revision ?? 1,
    specs: prev.specs,
    rollout: status,
    unplaced: prev.unplaced,
    events,
    drainsDone: [],
    added: [],
    moved: [],
    removed: [],
    plannerRemoved: [],
    wakeAt: undefined,
  };
}

/** The grace period the plan carries for replicas it removes. */
export function drainGraceSeconds(policy: RolloutPolicy | undefined): number {
  return policy?.drain_grace_seconds ?? DEFAULT_GRACE_S;
}
