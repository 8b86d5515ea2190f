import { z } from 'zod';
import { EngineType } from '../../core/domain/index.js';
import { NodeId } from '../../core/ids.js';

export const EnginesQuery = z.object({
  node_id: NodeId.optional(),
  type: EngineType.optional(),
});

/** One engine on one node: launchable (`available`) or found but unusable, with why. */
export const EngineRow = z
  .object({
    node_id: NodeId,
    type: EngineType,
    status: z.enum(['available', 'unusable']),
    version: z.string().nullable(),
    path: z.string().nullable(),
    error: z.string().nullable(),
  })
  .meta({ id: 'EngineRow' });
export type EngineRow = z.infer<typeof EngineRow>;

export const EngineList = z
  .object({
    items: z.array(EngineRow),
    /**
     * Online nodes whose agent does not report engines (older than engine detection, or still
     * detecting): the scheduler lets any engine run there.
     */
    unreported_nodes: z.array(NodeId),
  })
  .meta({ id: 'EngineList' });
export type EngineList = z.infer<typeof EngineList>;
