import { z } from 'zod';
import { Timestamp } from './common.js';

/**
 * Who may set raw engine overrides (`engine_config.extra_args` / `engine_config.env` beyond empty):
 * `operators` (and admins), or `admins` only. Either way the engine's contract applies to everyone.
 */
export const EngineOverrides = z.enum(['operators', 'admins']);
export type EngineOverrides = z.infer<typeof EngineOverrides>;

/** `/settings/cluster`: cluster-wide settings, changed by admins at run time. Written by the server. */
export const ClusterSettings = z.object({
  /** Default `operators`: what every release before this setting allowed. */
  engine_overrides: EngineOverrides.default('operators'),
  updated_at: Timestamp.optional(),
  updated_by: z.string().max(200).optional(),
});
export type ClusterSettings = z.infer<typeof ClusterSettings>;

/** The settings a cluster has before an admin changes any. */
export const DEFAULT_CLUSTER_SETTINGS: ClusterSettings = { engine_overrides: 'operators' };
