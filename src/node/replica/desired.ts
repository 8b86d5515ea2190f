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
}

/** Map key of a replica: `model_uid/replica_id`. */
export function replicaKey(modelUid: string, replicaId: number): string {
  return `${modelUid}/${replicaId}`;
}

/**
 * The replicas that the plans assign to `nodeId`. A plan that names the same replica twice on this node
 * (a scheduler bug) keeps the first assignment, so the node never starts twins.
 */
export function desiredReplicas(plans: Iterable<PlacementPlan>, nodeId: string): Map<string, DesiredReplica> {
  const out = new Map<string, DesiredReplica>();
  for (const plan of plans) {
    for (const a of plan.assignments) {
      if (a.node_id !== nodeId) continue;
      const key = replicaKey(plan.model_uid, a.replica_id);
      if (out.has(key)) continue;
      out.set(key, {
        key,
        modelUid: plan.model_uid,
        replicaId: a.replica_id,
        planVersion: plan.plan_version,
        spec: plan.spec,
        assignment: a,
        fingerprint: launchFingerprint(plan.spec, a),
      });
    }
  }
  return out;
}
