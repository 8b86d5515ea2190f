import { z } from 'zod';
import { NodeId } from '../ids.js';
import { Labels, Timestamp } from './common.js';
import { EngineType } from './model.js';

export const Gpu = z.object({
  index: z.number().int().min(0),
  name: z.string(),
  uuid: z.string().optional(),
  memory_total_bytes: z.number().int().min(0),
  memory_used_bytes: z.number().int().min(0),
  utilization_percent: z.number().min(0).max(100),
  temperature_c: z.number().optional(),
});
export type Gpu = z.infer<typeof Gpu>;

export const PortRange = z
  .object({ start: z.number().int().min(1).max(65535), end: z.number().int().min(1).max(65535) })
  .refine((r) => r.start <= r.end, 'port_range.start must be <= port_range.end');
export type PortRange = z.infer<typeof PortRange>;

export const GpuSource = z.enum(['nvidia-smi', 'simulated', 'none']);
export type GpuSource = z.infer<typeof GpuSource>;

/**
 * An engine the node can launch: the program the agent runs for it (for sglang, the Python interpreter
 * that has the `sglang` package) and the version it reported. `version` is null when the version probe
 * has not answered yet or printed nothing recognisable; `sim` (nebula itself) is always listed.
 */
export const NodeEngine = z.object({
  type: EngineType,
  version: z.string().nullable(),
  path: z.string().min(1),
});
export type NodeEngine = z.infer<typeof NodeEngine>;

/**
 * An engine the node found but cannot launch, and why (configured path missing, not executable,
 * world-writable, version probe failed or hung). Shown to operators; the scheduler ignores it.
 */
export const NodeEngineError = z.object({
  type: EngineType,
  path: z.string().nullable(),
  error: z.string(),
});
export type NodeEngineError = z.infer<typeof NodeEngineError>;

/** `/nodes/{node_id}/status`: written by the node agent under its lease (vanishes with the node). */
export const NodeStatus = z.object({
  node_id: NodeId,
  address: z.string().min(1),
  admin_port: z.number().int().min(1).max(65535),
  gpus: z.array(Gpu),
  gpu_source: GpuSource,
  port_range: PortRange,
  /** Ports in use on the node by processes Nebula did not start (conflict signal for the scheduler). */
  ports_in_use: z.array(z.number().int()).default([]),
  labels: Labels.default({}),
  cache_dir: z.string().optional(),
  /**
   * Engines the node can launch. Absent: the agent predates engine detection, and the scheduler treats
   * every engine as available there (mixed-version clusters keep working).
   */
  engines: z.array(NodeEngine).optional(),
  /** Engines found but unusable, with the reason (absent with older agents). */
  engine_errors: z.array(NodeEngineError).optional(),
  version: z.string(),
  started_at: Timestamp,
  heartbeat_at: Timestamp,
});
export type NodeStatus = z.infer<typeof NodeStatus>;

/**
 * `/node_settings/{node_id}`: operator intent for a node, written by the server. Kept apart from the leased
 * status so that a heartbeat never overwrites a cordon, and a cordon survives a node restart.
 */
export const NodeSettings = z.object({
  node_id: NodeId,
  cordoned: z.boolean().default(false),
  /** Draining: cordoned, and the scheduler moves the node's replicas elsewhere. */
  draining: z.boolean().default(false),
  labels: Labels.default({}),
  updated_at: Timestamp,
  updated_by: z.string().optional(),
});
export type NodeSettings = z.infer<typeof NodeSettings>;

/** `/components/{role}/{instance_id}`: leased registration of a running role (router, server, scheduler). */
export const ComponentRole = z.enum(['router', 'server', 'scheduler', 'node']);
export type ComponentRole = z.infer<typeof ComponentRole>;
export const ComponentStatus = z.object({
  role: ComponentRole,
  instance_id: z.string().min(1),
  address: z.string(),
  /** Port of the role's main HTTP listener (router data plane, server API, scheduler metrics). */
  port: z.number().int().min(0).max(65535),
  metrics_url: z.string().optional(),
  version: z.string(),
  started_at: Timestamp,
  heartbeat_at: Timestamp,
});
export type ComponentStatus = z.infer<typeof ComponentStatus>;
