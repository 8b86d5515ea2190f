import { z } from 'zod';
import { Slug } from '../ids.js';
import { Timestamp } from './common.js';
import { ModelSpec } from './model.js';

export const ModelRequestStatus = z.enum(['Pending', 'Scheduled', 'Running', 'Unloading', 'Failed']);
export type ModelRequestStatus = z.infer<typeof ModelRequestStatus>;

/**
 * `/model_requests/{request_id}`: the v1, request-driven way to load a model. The server writes Pending
 * (load) or Unloading (unload); the scheduler moves Pending -> Scheduled (plan written) or Failed, the
 * Running status is set once an endpoint is ready, and Unloading ends with the plan and the request removed.
 */
export const ModelRequest = z.object({
  request_id: Slug,
  spec: ModelSpec,
  replicas: z.number().int().min(1).max(1000),
  status: ModelRequestStatus,
  reason: z.string().optional(),
  created_at: Timestamp,
  updated_at: Timestamp,
});
export type ModelRequest = z.infer<typeof ModelRequest>;
