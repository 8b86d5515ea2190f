import type { Assignment, ModelSpec, PlacementPlan } from '../../core/domain/index.js';
import { launchFingerprint } from './fingerprint.js';

/** One replica this node should run, as the latest placement plan describes it. */
export interface DesiredReplica {
  key: string;
  modelUid: string;
  replicaId: number;
  planVersion: number;
  spec: ModelSpec;
  assignment: Assignment;
  fingerprint: string;
  /** The spec revision the replica runs (undefined on plans without revisions). */
  revision: number | undefined;
  /** How long the replica may finish in-flight requests when it leaves the plan (plan's drain grace). */
  drainGraceMs: number;
}

/** The plan's drain grace when it sets none (PlacementPlan.drain_grace_seconds). */
export const DEFAULT_DRAIN_GRACE_MS = 30_000;

/** Drain grace of a plan, in ms. */
export function drainGraceOf(plan: Pick<PlacementPlan, 'drain_grace_seconds'>): number {
  return plan.drain_grace_seconds === undefined ? DEFAULT_DRAIN_GRACE_MS : plan.drain_grace_seconds * 1000;
}

/**
 * The spec an assignment runs: `plan.specs[revision]` when it names a revision other than the plan's,
 * else `plan.spec`. Undefined when the plan lacks that revision's spec (nothing to launch).
 */
export function specOfAssignment(
  plan: PlacementPlan,
  a: Assignment,
): { spec: ModelSpec; revision: number | undefined } | undefined {
  if (a.revision === undefined || a.revision === plan.revision)
    return { spec: plan.spec, revision: plan.revision };
  const spec = plan.specs?.[String(a.revision)];
  return spec ? { spec, revision: a.revision } : undefined;
}

/** Map key of a replica: `model_uid/replica_id`. */
export function replicaKey(modelUid: string, replicaId: number): string {
  return `${modelUid}/${replicaId}`;
}

/**
 * The replicas that the plans assign to `nodeId`. A plan that names the same replica twice on this node
 * (a scheduler bug) keeps the first assignment, so the node never starts twins. An assignment whose
 * revision's spec the plan does not carry (a scheduler bug too) is left out: the node never guesses a spec.
 * During a rollout one plan holds replicas of several revisions side by side (surge); each keeps its own
 * spec, so moving the plan to a new revision restarts none whose assignment is unchanged.
 */
export function desiredReplicas(plans: Iterable<PlacementPlan>, nodeId: string): Map<string, DesiredReplica> {
  const out = new Map<string, DesiredReplica>();
  for (const plan of plans) {
    for (const a of plan.assignments) {
      if (a.node_id !== nodeId) continue;
      const key = replicaKey(plan.model_uid, a.replica_id);
      if (out.has(key)) continue;
      const run = specOfAssignment(plan, a);
      if (!run) continue;
      out.set(key, {
        key,
        modelUid: plan.model_uid,
        replicaId: a.replica_id,
        planVersion: plan.plan_version,
        spec: run.spec,
        assignment: a,
        fingerprint: launchFingerprint(run.spec, a),
        revision: run.revision,
        drainGraceMs: drainGraceOf(plan),
      });
    }
  }
  return out;
}
