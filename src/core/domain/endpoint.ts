import { z } from 'zod';
import { ReplicaOnNodeShape, Timestamp } from './common.js';
import { EngineType } from './model.js';

/**
 * `draining`: leaving service on purpose (rollout, scale-down, drain, stop): the router no longer picks
 * it, its in-flight requests finish within the plan's grace period, then the node stops the engine.
 */
export const EndpointStatus = z.enum(['downloading', 'starting', 'ready', 'draining', 'failed', 'stopping']);
export type EndpointStatus = z.infer<typeof EndpointStatus>;

/** `/endpoints/{model_uid}/{replica_id}`: a replica as its node sees it, under the node's lease. */
export const Endpoint = z.object({
  ...ReplicaOnNodeShape,
  address: z.string().min(1),
  port: z.number().int().min(1).max(65535),
  engine_type: EngineType,
  served_model_name: z.string().min(1),
  status: EndpointStatus,
  plan_version: z.number().int().min(0),
  /** The spec revision this replica runs. */
  revision: z.number().int().min(1).optional(),
  gpu_indices: z.array(z.number().int().min(0)).default([]),
  /**
   * The LoRA adapters this replica loaded (spec `adapters`), each with the id the engine knows it by
   * (llama.cpp: its position among the `--lora` flags, what a request's `lora: [{id, scale}]` names).
   */
  adapters: z
    .array(z.object({ name: z.string().min(1).max(63), id: z.number().int().min(0).max(1023) }))
    .optional(),
  pid: z.number().int().optional(),
  restarts: z.number().int().min(0).default(0),
  last_error: z.string().optional(),
  started_at: Timestamp.optional(),
  ready_at: Timestamp.optional(),
  /** When the supervisor will try again after a crash (backoff). */
  next_restart_at: Timestamp.optional(),
  updated_at: Timestamp,
});
export type Endpoint = z.infer<typeof Endpoint>;
