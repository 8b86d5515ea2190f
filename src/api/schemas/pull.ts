import { z } from 'zod';
import { ModelPull } from '../../core/domain/index.js';
import { ModelUid, NodeId } from '../../core/ids.js';

/** `POST /api/v2/models/{uid}/pull`: which nodes (absent: the nodes the scheduler would run the model on). */
export const PullBody = z
  .strictObject({
    nodes: z
      .array(NodeId)
      .min(1)
      .max(256)
      .refine((n) => new Set(n).size === n.length, 'nodes must not repeat')
      .optional(),
  })
  .meta({ id: 'PullModelBody' });
export type PullBody = z.infer<typeof PullBody>;

export const PullResponse = z
  .object({
    model_uid: ModelUid,
    /** The nodes asked to download, sorted. */
    nodes: z.array(NodeId),
    /** How the nodes were chosen: named by the caller, or the scheduler's placement (dry run). */
    chosen_by: z.enum(['request', 'planner']),
    /** Replicas the planner could not place (their nodes are not pulled onto), with its reason. */
    unplaced: z.object({ replicas: z.number().int(), reason: z.string() }).nullable(),
    pulls: z.array(ModelPull),
  })
  .meta({ id: 'PullModelResponse' });
export type PullResponse = z.infer<typeof PullResponse>;

export const PullList = z.object({ items: z.array(ModelPull) }).meta({ id: 'ModelPullList' });
export type PullList = z.infer<typeof PullList>;
