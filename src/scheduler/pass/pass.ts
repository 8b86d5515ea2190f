/**
 * One reconcile pass as a pure function: the state of the touched models in, the writes to make out.
 * Deployments and v1 requests become workloads, the planner places them, changed plans are written,
 * plans without a workload are removed, and v1 requests move through Pending -> Scheduled (or Failed)
 * -> Running, and Unloading -> gone.
 */
import type { ModelCacheEntry } from '../../core/domain/cache.js';
import type { ModelDeployment, ModelSpec } from '../../core/domain/model.js';
import type { PlacementPlan } from '../../core/domain/placement.js';
import type { ModelRequest, ModelRequestStatus } from '../../core/domain/request.js';
import type { DrainRequest } from '../../core/domain/revision.js';
import { keys } from '../../core/keys.js';
import type { Typed } from '../../store/json.js';
import { decisionEvents, removalEvent } from './decision-events.js';
import { desiredWorkloads } from './desired.js';
import { buildPlan, planChanged } from './plan-build.js';
import { planWorkloads } from '../planner/index.js';
import type { ReadinessEndpoint } from '../rollout/index.js';
import type { ClusterNode, PlanDecision, Workload } from '../types.js';
import { prepareRollouts, rollModel, stampRevision, type Prepared } from './rolling.js';
import { emptyOp, touchesPlan, touchesRequest, type WriteOp } from './writer.js';

export interface PassInput {
  now: number;
  knownRevision: number;
  /** Models to look at. Uids of active requests are always looked at. */
  targets: ReadonlySet<string>;
  /** Every current plan (the ledger needs them all). */
  plans: ReadonlyMap<string, Typed<PlacementPlan>>;
  /** Every v1 request, by request_id. */
  requests: ReadonlyMap<string, Typed<ModelRequest>>;
  deploymentOf: (uid: string) => ModelDeployment | undefined;
  specOf: (uid: string) => ModelSpec | undefined;
  nodes: readonly ClusterNode[];
  heldNodeIds: ReadonlySet<string>;
  cache: readonly ModelCacheEntry[];
  /** True when one of these replicas of `uid` has a ready endpoint. */
  anyReady: (uid: string, replicaIds: readonly number[]) => boolean;
  /** The endpoints of `uid` (readiness gates rollouts and drains; absent: none known). */
  endpointsOf?: (uid: string) => readonly ReadinessEndpoint[];
  /** Drain requests of `uid` (absent: none). */
  drainsOf?: (uid: string) => readonly DrainRequest[];
}

export interface PassOutput {
  ops: WriteOp[];
  decisions: PlanDecision[];
  /** Running deployments without a spec (skipped). */
  missingSpecs: string[];
  /** Models to look at again at a time (a rollout's progress deadline), by model_uid. */
  wakeAt: Map<string, number>;
}

const WATCHED: ReadonlySet<ModelRequestStatus> = new Set(['Pending', 'Scheduled', 'Unloading']);

export function computePass(input: PassInput): PassOutput {
  const targets = new Set(input.targets);
  for (const r of input.requests.values())
    if (WATCHED.has(r.value.status)) targets.add(r.value.spec.model_uid);

  const uids = new Set([...targets, ...[...input.requests.values()].map((r) => r.value.spec.model_uid)]);
  const deployments = new Map<string, ModelDeployment>();
  const specs = new Map<string, ModelSpec>();
  for (const uid of uids) {
    const d = input.deploymentOf(uid);
    if (d) deployments.set(uid, d);
    const s = input.specOf(uid);
    if (s) specs.set(uid, s);
  }
  const requests = new Map([...input.requests].map(([id, t]) => [id, t.value]));
  const desired = desiredWorkloads({ deployments, specs, requests });
  const plans = new Map([...input.plans].map(([uid, t]) => [uid, t.value]));
  // Revisions: which models move between revisions or migrate replicas (the rollout step, one by one,
  // after the batch), and which the planner handles as before (in one batch).
  const prepared = prepareRollouts({
    workloads: [...targets].flatMap((uid) => desired.workloads.get(uid) ?? []),
    deploymentOf: (uid) => deployments.get(uid),
    plans,
    drainsOf: (uid) => input.drainsOf?.(uid) ?? [],
    nodes: input.nodes,
  });
  const workloads: Workload[] = prepared.filter((p) => !p.rolling).map((p) => p.workload);
  const decisions = planWorkloads(
    { nodes: input.nodes, heldNodeIds: input.heldNodeIds, plans, cache: input.cache },
    workloads,
  );
  const preparedOf = new Map<string, Prepared>(prepared.map((p) => [p.workload.model_uid, p]));
  const wakeAt = new Map<string, number>();

  const ops = new Map<string, WriteOp>();
  const opFor = (uid: string) => {
    let op = ops.get(uid);
    if (!op) ops.set(uid, (op = emptyOp(uid, uid, input.plans.get(uid))));
    return op;
  };
  const stamp = (r: ModelRequest, status: ModelRequestStatus, reason: string | undefined): ModelRequest => {
    const next: ModelRequest = { ...r, status, updated_at: new Date(input.now).toISOString() };
    if (reason === undefined) delete next.reason;
    else next.reason = reason;
    return next;
  };

  for (const d of decisions) {
    const w = desired.workloads.get(d.model_uid);
    if (!w) continue;
    const prev = plans.get(w.model_uid);
    const req = w.request_id === undefined ? undefined : input.requests.get(w.request_id);
    if (req?.value.status === 'Pending' && d.assignments.length === 0 && w.replicas > 0) {
      const op = opFor(w.model_uid);
      if (prev) op.planDelete = true;
      op.prevRequest = req;
      op.requestPut = stamp(req.value, 'Failed', d.unplaced?.reason ?? 'nothing fits');
      op.events.push({
        model_uid: w.model_uid,
        source: 'scheduler',
        type: 'unplaceable',
        level: 'error',
        message: `request ${req.value.request_id} failed: ${d.unplaced?.reason ?? 'nothing fits'}`,
      });
      continue;
    }
    const p = preparedOf.get(w.model_uid);
    const next = p
      ? stampRevision(buildPlan(p.workload, d, prev, input.knownRevision, input.now), p)
      : buildPlan(w, d, prev, input.knownRevision, input.now);
    if (p) {
      const op = opFor(w.model_uid);
      const done = p.drains.filter((r) => !next.assignments.some((a) => a.replica_id === r.replica_id));
      for (const r of done) {
        op.drainDeletes.push(keys.drain(w.model_uid, r.replica_id));
        op.events.push({
          model_uid: w.model_uid,
          source: 'scheduler',
          type: 'drain',
          replica_id: r.replica_id,
          message: `drain of replica ${r.replica_id}: not in the plan, nothing to move`,
        });
      }
    }
    if (planChanged(prev, next)) {
      const op = opFor(w.model_uid);
      op.planPut = next;
      op.events.push(...decisionEvents(prev, next, d));
      op.counts = { scheduled: d.added.length, rescheduled: d.moved.length, removed: d.removed.length };
    }
    if (req?.value.status === 'Pending') {
      const op = opFor(w.model_uid);
      op.prevRequest = req;
      const reason = d.unplaced
        ? `${d.unplaced.replicas} replica(s) not placed: ${d.unplaced.reason}`
        : undefined;
      op.requestPut = stamp(req.value, 'Scheduled', reason);
    }
  }

  // Rollouts and migrations, one model at a time against the plans decided so far.
  for (const p of prepared) {
    if (!p.rolling) continue;
    const uid = p.workload.model_uid;
    const current = new Map(plans);
    for (const op of ops.values()) {
      if (op.planPut) current.set(op.uid, op.planPut);
      else if (op.planDelete) current.delete(op.uid);
    }
    const r = rollModel(p, {
      now: input.now,
      knownRevision: input.knownRevision,
      plans: current,
      nodes: input.nodes,
      heldNodeIds: input.heldNodeIds,
      cache: input.cache,
      endpoints: input.endpointsOf?.(uid) ?? [],
    });
    const op = opFor(uid);
    op.drainDeletes.push(...r.drainsDone.map((id) => keys.drain(uid, id)));
    op.events.push(...r.events);
    if (r.plan && planChanged(plans.get(uid), r.plan)) {
      op.planPut = r.plan;
      op.counts = r.counts;
    }
    if (r.wakeAt !== undefined) wakeAt.set(uid, r.wakeAt);
  }

  // Drain requests of models nothing runs: nothing to move.
  for (const uid of targets) {
    if (desired.workloads.has(uid)) continue;
    for (const r of input.drainsOf?.(uid) ?? []) {
      const op = opFor(uid);
      op.drainDeletes.push(keys.drain(uid, r.replica_id));
    }
  }

  const missing = new Set(desired.missingSpecs);
  for (const uid of targets) {
    const prev = input.plans.get(uid);
    if (!prev || desired.workloads.has(uid) || missing.has(uid)) continue;
    const op = opFor(uid);
    op.planDelete = true;
    op.counts.removed = prev.value.assignments.length;
    op.events.push(removalEvent(prev.value, removalWhy(uid, prev.value, input)));
  }

  for (const t of input.requests.values()) {
    const r = t.value;
    const uid = r.spec.model_uid;
    const refusal = desired.refused.get(r.request_id);
    const ownsPlan = (p: PlacementPlan | undefined) =>
      p?.source === 'request' && p.request_id === r.request_id;
    const requestOp = () => {
      const op = ops.get(uid);
      if (op && (ownsPlan(op.planPut) || ownsPlan(op.prevPlan?.value)) && !op.requestPut && !op.requestDelete)
        return op;
      const id = `req:${r.request_id}`;
      const own = ops.get(id) ?? emptyOp(id, uid, undefined);
      ops.set(id, own);
      return own;
    };
    if (refusal !== undefined && r.status !== 'Failed' && r.status !== 'Unloading') {
      const op = requestOp();
      op.prevRequest = t;
      op.requestPut = stamp(r, 'Failed', refusal);
    } else if (r.status === 'Unloading') {
      const op = requestOp();
      op.prevRequest = t;
      op.requestDelete = true;
    } else if (r.status === 'Scheduled') {
      const plan = ops.get(uid)?.planPut ?? plans.get(uid);
      if (
        ownsPlan(plan) &&
        plan &&
        input.anyReady(
          uid,
          plan.assignments.map((a) => a.replica_id),
        )
      ) {
        const op = requestOp();
        op.prevRequest = t;
        op.requestPut = stamp(r, 'Running', undefined);
      }
    }
  }
  return {
    ops: [...ops.values()].filter((o) => touchesPlan(o) || touchesRequest(o) || o.drainDeletes.length > 0),
    decisions,
    missingSpecs: desired.missingSpecs,
    wakeAt,
  };
}

function removalWhy(uid: string, plan: PlacementPlan, input: PassInput): string {
  if (plan.source === 'request') {
    const r = plan.request_id === undefined ? undefined : input.requests.get(plan.request_id);
    return r
      ? `request ${r.value.request_id} is ${r.value.status}`
      : `request ${plan.request_id ?? '?'} is gone`;
  }
  const d = input.deploymentOf(uid);
  return d ? `deployment is ${d.desired_state}` : 'deployment deleted';
}
