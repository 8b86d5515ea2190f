import { z } from 'zod';
import { ModelUid, NodeId, ReplicaId, Slug } from '../ids.js';
import { Timestamp } from './common.js';
import { ModelSpec } from './model.js';
import { RevisionNumber, RolloutStatus } from './revision.js';

export const Assignment = z.object({
  replica_id: ReplicaId,
  node_id: NodeId,
  /** GPUs of the node reserved for this replica (empty for CPU-only engines). */
  gpu_indices: z.array(z.number().int().min(0)),
  /** Memory reserved on each of those GPUs. */
  gpu_memory_bytes: z.number().int().min(0),
  port: z.number().int().min(1).max(65535),
  /** The spec revision this replica runs (absent: the plan's `revision`). Its spec is `plan.spec` or `plan.specs[rev]`. */
  revision: RevisionNumber.optional(),
});
export type Assignment = z.infer<typeof Assignment>;

export const PlanSource = z.enum(['deployment', 'request']);
export type PlanSource = z.infer<typeof PlanSource>;

/**
 * `/placements/{model_uid}`: the scheduler's decision. It carries a snapshot of the spec it was planned
 * from, so a node launches exactly what was planned (and a spec change is a new plan_version).
 */
export const PlacementPlan = z.object({
  model_uid: ModelUid,
  plan_version: z.number().int().min(1),
  source: PlanSource,
  /** Deployment generation or request this plan was computed from. */
  generation: z.number().int().min(0),
  request_id: Slug.optional(),
  spec: ModelSpec,
  /** The revision `spec` is (absent on plans written before revisions). */
  revision: RevisionNumber.optional(),
  /** Specs of other revisions that assignments still run during a rollout, keyed by revision number. */
  specs: z.record(z.string().regex(/^[1-9][0-9]{0,7}$/), ModelSpec).optional(),
  /** The rollout in progress or last finished (absent when none happened). */
  rollout: RolloutStatus.optional(),
  /** How long a replica removed from this plan may finish in-flight requests before SIGTERM (default 30). */
  drain_grace_seconds: z.number().int().min(0).max(3_600).optional(),
  assignments: z.array(Assignment),
  /** Replicas wanted but not placed, and why (null when everything fits). */
  unplaced: z.object({ replicas: z.number().int().min(1), reason: z.string() }).nullable(),
  updated_at: Timestamp,
});
export type PlacementPlan = z.infer<typeof PlacementPlan>;
