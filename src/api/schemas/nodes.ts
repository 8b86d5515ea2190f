import { z } from 'zod';
import {
  DiskAlert,
  Endpoint,
  Gpu,
  GpuSource,
  Labels,
  NodeDiskStatus,
  NodeEngine,
  NodeEngineError,
  NodeSettings,
  NodeStatus,
  PortRange,
} from '../../core/domain/index.js';
import { ModelUid, NodeId } from '../../core/ids.js';
import { CacheEntryView } from './cache.js';
import { listOf, ResourceVersion, WithResourceVersion } from './common.js';

export const NodeParams = z.object({ node_id: NodeId });

export const GpuView = Gpu.extend({
  /** GPU memory the scheduler's plans reserve on this GPU. */
  reserved_memory_bytes: z.number().int(),
  replicas: z.array(z.object({ model_uid: ModelUid, replica_id: z.number().int() })),
});

/** A node as lists show it: status (when online) + operator settings + reservations. */
export const NodeView = z
  .object({
    node_id: NodeId,
    online: z.boolean(),
    address: z.string().nullable(),
    admin_port: z.number().int().nullable(),
    version: z.string().nullable(),
    heartbeat_at: z.string().nullable(),
    heartbeat_age_seconds: z.number().nullable(),
    cordoned: z.boolean(),
    draining: z.boolean(),
    labels: Labels,
    gpu_source: GpuSource.nullable(),
    port_range: PortRange.nullable(),
    /** Engines the node can launch; null when offline or its agent does not report them (any allowed). */
    engines: z.array(NodeEngine).nullable(),
    /** Engines found on the node but unusable, with why. */
    engine_errors: z.array(NodeEngineError),
    gpus: z.array(GpuView),
    gpu_memory_total_bytes: z.number(),
    gpu_memory_used_bytes: z.number(),
    gpu_memory_reserved_bytes: z.number(),
    replicas: z.number().int(),
    ready_replicas: z.number().int(),
    disk: NodeDiskStatus.nullable(),
    alerts: z.array(DiskAlert),
    settings_resource_version: ResourceVersion,
  })
  .meta({ id: 'NodeView' });
export type NodeView = z.infer<typeof NodeView>;
export const NodeList = listOf(NodeView);

export const NodeDetailView = NodeView.extend({
  status: NodeStatus.nullable(),
  settings: NodeSettings.nullable(),
  endpoints: z.array(Endpoint),
  assignments: z.array(
    z.object({
      model_uid: ModelUid,
      replica_id: z.number().int(),
      gpu_indices: z.array(z.number().int()),
      gpu_memory_bytes: z.number(),
      port: z.number().int(),
      plan_version: z.number().int(),
    }),
  ),
  cache: z.array(CacheEntryView),
}).meta({ id: 'NodeDetailView' });
export type NodeDetailView = z.infer<typeof NodeDetailView>;

export const NodeActionBody = z.strictObject({ ...WithResourceVersion });

export const NodeSettingsView = NodeSettings.extend({ resource_version: ResourceVersion }).meta({
  id: 'NodeSettingsView',
});
export type NodeSettingsView = z.infer<typeof NodeSettingsView>;
