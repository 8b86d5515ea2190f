import { z } from 'zod';
import {
  ComponentStatus,
  Endpoint,
  ModelRequest,
  NodeStatus,
  PlacementPlan,
} from '../../core/domain/index.js';
import { ModelUid, NodeId, Slug } from '../../core/ids.js';
import { listOf } from './common.js';
import { checkLocalPath, ModelStats, SpecFields } from './models.js';

const counts = z.record(z.string(), z.number().int());

/** `/api/overview`: counts and health of nodes, endpoints, placements, requests (and v2 models). */
export const Overview = z
  .object({
    nodes: z.object({
      total: z.number().int(),
      online: z.number().int(),
      offline: z.number().int(),
      cordoned: z.number().int(),
    }),
    gpus: z.object({
      total: z.number().int(),
      memory_total_bytes: z.number(),
      memory_used_bytes: z.number(),
      memory_reserved_bytes: z.number(),
    }),
    endpoints: z.object({ total: z.number().int(), by_status: counts }),
    placements: z.object({ total: z.number().int(), unplaced: z.number().int(), replicas: z.number().int() }),
    requests: z.object({ total: z.number().int(), by_status: counts }),
    models: z.object({ total: z.number().int(), by_state: counts }),
    alerts: z.object({ total: z.number().int(), critical: z.number().int() }),
    scheduler_leader: z.string().nullable(),
    store_revision: z.number().int(),
    generated_at: z.string(),
  })
  .meta({ id: 'Overview' });
export type Overview = z.infer<typeof Overview>;

export const V1Node = NodeStatus.extend({ heartbeat_age_seconds: z.number(), cordoned: z.boolean() });
export const V1NodeList = listOf(V1Node);
export const EndpointList = listOf(Endpoint);
export const PlacementList = listOf(PlacementPlan);
export const RequestList = listOf(ModelRequest);

export const V1Model = z.object({
  model_uid: ModelUid,
  model_name: z.string(),
  engine_type: z.string(),
  origin: z.enum(['deployment', 'request', 'placement']),
  replicas: z.number().int(),
  ready_replicas: z.number().int(),
  state: z.string(),
  plan_version: z.number().int().nullable(),
});
export const V1ModelList = listOf(V1Model);

/** Which replica, on which node, a health finding is about. */
const ReplicaOnNode = { model_uid: ModelUid, replica_id: z.number().int(), node_id: NodeId };

export const Health = z
  .object({
    status: z.enum(['ok', 'degraded']),
    store: z.object({
      ok: z.boolean(),
      kind: z.string(),
      revision: z.number().nullable(),
      error: z.string().nullable(),
    }),
    router: z.object({
      ok: z.boolean(),
      url: z.string().nullable(),
      status: z.number().nullable(),
      error: z.string().nullable(),
    }),
    scheduler: z.object({ leader: z.string().nullable(), since: z.string().nullable() }),
    nodes: z.array(
      z.object({ node_id: NodeId, heartbeat_at: z.string(), age_seconds: z.number(), healthy: z.boolean() }),
    ),
    components: z.array(ComponentStatus),
    plan_consistency: z.object({
      consistent: z.boolean(),
      lagging: z.array(
        z.object({
          ...ReplicaOnNode,
          endpoint_plan_version: z.number().int(),
          plan_version: z.number().int(),
        }),
      ),
    }),
    /** Assignments whose port is taken on their node (seed 001: 端口占用). */
    port_conflicts: z.array(
      z.object({
        node_id: NodeId,
        port: z.number().int(),
        model_uid: ModelUid,
        replica_id: z.number().int(),
        kind: z.enum(['foreign_process', 'duplicate']),
        other_model_uid: ModelUid.optional(),
        other_replica_id: z.number().int().optional(),
      }),
    ),
    /** Engine health from the endpoints: failed ones, restarts, crash loops. */
    engines: z.object({
      total: z.number().int(),
      by_status: counts,
      issues: z.array(
        z.object({
          ...ReplicaOnNode,
          status: Endpoint.shape.status,
          restarts: z.number().int(),
          crash_looping: z.boolean(),
          last_error: z.string().nullable(),
          next_restart_at: z.string().nullable(),
        }),
      ),
    }),
    /** Memory and utilisation of every GPU. */
    gpus: z.array(
      z.object({
        node_id: NodeId,
        index: z.number().int(),
        name: z.string(),
        memory_used_bytes: z.number(),
        memory_total_bytes: z.number(),
        memory_used_ratio: z.number(),
        utilization_percent: z.number(),
        memory_pressure: z.boolean(),
      }),
    ),
    /** Every problem in one line, critical ones first (status is degraded when one is critical). */
    issues: z.array(z.object({ severity: z.enum(['critical', 'warning']), message: z.string() })),
  })
  .meta({ id: 'Health' });
export type Health = z.infer<typeof Health>;

export const LoadBody = z
  .strictObject({
    model_uid: ModelUid,
    ...SpecFields,
    replicas: z.number().int().min(1).max(1000).default(1),
    request_id: Slug.optional(),
  })
  .superRefine(checkLocalPath)
  .meta({ id: 'LoadBody' });
export const UnloadBody = z
  .strictObject({ request_id: Slug.optional(), model_uid: ModelUid.optional() })
  .refine((b) => b.request_id !== undefined || b.model_uid !== undefined, 'give request_id or model_uid');
export const RequestParams = z.object({ request_id: Slug });
export const ForceStopParams = z.object({ node_id: NodeId, uid: ModelUid });
/** `replica_id`: stop only that replica (the CLI's `drain --model-uid --replica-id`); absent = every replica. */
export const ForceStopQuery = z.object({ replica_id: z.coerce.number().int().min(0).max(9999).optional() });
export const ForceStopResponse = z.object({
  node_id: NodeId,
  model_uid: ModelUid,
  node_status: z.number().int(),
  result: z.unknown(),
});

export const RouterMetrics = z
  .object({
    url: z.string(),
    scraped_at: z.string(),
    totals: ModelStats.omit({ model: true }),
    models: z.array(ModelStats),
    families: z.array(z.string()),
  })
  .meta({ id: 'RouterMetrics' });
export type RouterMetrics = z.infer<typeof RouterMetrics>;

export const MigrateResponse = z
  .object({
    total: z.number().int(),
    migrated: z.number().int(),
    skipped: z.number().int(),
    failed: z.number().int(),
    details: z.array(
      z.object({
        request_id: z.string(),
        model_uid: z.string().nullable(),
        result: z.enum(['migrated', 'skipped', 'failed']),
        reason: z.string().nullable(),
      }),
    ),
  })
  .meta({ id: 'MigrateResponse' });
export type MigrateResponse = z.infer<typeof MigrateResponse>;
