import { z } from 'zod';
import { ModelUid } from '../ids.js';
import { Timestamp } from './common.js';

/** A revision number: 1 for the spec a model was created with, +1 for every change. */
export const RevisionNumber = z.number().int().min(1).max(99_999_999);
export type RevisionNumber = z.infer<typeof RevisionNumber>;

export const RolloutStrategy = z.enum(['rolling', 'recreate']);
export type RolloutStrategy = z.infer<typeof RolloutStrategy>;

/**
 * How a running model moves to a new revision (on the deployment). `max_surge` / `max_unavailable` are
 * replica counts; absent means "choose": surge every replica when the cluster has room, else one at a
 * time (said in an event).
 */
export const RolloutPolicy = z.object({
  strategy: RolloutStrategy.default('rolling'),
  max_surge: z.number().int().min(0).max(1000).optional(),
  max_unavailable: z.number().int().min(0).max(1000).optional(),
  /** A new revision that is not fully ready after this many seconds is rolled back automatically. */
  progress_deadline_seconds: z.number().int().min(10).max(86_400).default(600),
  /** A paused rollout keeps the replicas as they are (old and new) until resumed. */
  paused: z.boolean().default(false),
  /** How long a retiring replica may finish its in-flight requests before SIGTERM. */
  drain_grace_seconds: z.number().int().min(0).max(3_600).default(30),
});
export type RolloutPolicy = z.infer<typeof RolloutPolicy>;

export const RolloutPhase = z.enum(['progressing', 'paused', 'complete', 'rolled_back', 'failed']);
export type RolloutPhase = z.infer<typeof RolloutPhase>;

/** The scheduler's account of a rollout, on the plan (the model view shows it: `updating 1/2 on r3`). */
export const RolloutStatus = z.object({
  from_revision: RevisionNumber.optional(),
  to_revision: RevisionNumber,
  phase: RolloutPhase,
  /** Replicas of `to_revision` that are ready, of the wanted count. */
  updated_ready: z.number().int().min(0),
  wanted: z.number().int().min(0),
  started_at: Timestamp,
  /** When it stops counting as progressing and rolls back. */
  deadline_at: Timestamp.optional(),
  reason: z.string().max(1_000).optional(),
  /** The surge and unavailability the scheduler chose for this rollout (the policy's, or its defaults). */
  max_surge: z.number().int().min(0).max(1000).optional(),
  max_unavailable: z.number().int().min(0).max(1000).optional(),
});
export type RolloutStatus = z.infer<typeof RolloutStatus>;

/**
 * `/drains/{model_uid}/{replica_id}`: an operator's request to move one replica elsewhere (written by the
 * server, carried out and deleted by the scheduler once the replacement is ready and the old one retired).
 */
export const DrainRequest = z.object({
  model_uid: ModelUid,
  replica_id: z.number().int().min(0).max(9999),
  requested_by: z.string().min(1).max(200),
  requested_at: Timestamp,
  /** `replica`: `nebula drain --model-uid --replica-id`; `node`: part of a node drain. */
  reason: z.enum(['replica', 'node']).default('replica'),
});
export type DrainRequest = z.infer<typeof DrainRequest>;
