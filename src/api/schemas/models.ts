import { z } from 'zod';
import {
  AutoscalingPolicy,
  AggregatedState,
  DeploymentInputShape,
  DownloadProgress,
  EngineType,
  Endpoint,
  Labels,
  ModelDeployment,
  ModelEvent,
  ModelPull,
  ModelSource,
  ModelSpec,
  PlacementPlan,
  RevisionNumber,
  RolloutStatus,
  SpecInputShape,
  SpecUpdateShape,
} from '../../core/domain/index.js';
import { ModelUid } from '../../core/ids.js';
import { CacheEntryView } from './cache.js';
import { pageOf, QueryBool, queryInt, ResourceVersion, WithResourceVersion } from './common.js';
import { RolloutInput } from './revisions.js';

/**
 * The spec fields a client may set (everything but identity and timestamps), derived from ModelSpec: the
 * same validators as the stored spec, defaults left to the server.
 */
export const SpecFields = SpecInputShape;

/** The deployment fields a client may set, derived from ModelDeployment. */
export const DeploymentFields = DeploymentInputShape;

/** A local model needs a path, unless the simulator runs it (no weights). */
export function checkLocalPath(
  v: {
    model_source?: string | undefined;
    model_path?: string | undefined | null;
    engine_type?: string | undefined;
  },
  ctx: z.RefinementCtx,
): void {
  if (v.model_source === 'local' && !v.model_path && v.engine_type !== 'sim') {
    ctx.addIssue({
      code: 'custom',
      path: ['model_path'],
      message: 'model_path is required when model_source is "local"',
    });
  }
}

/**
 * `gguf_file` / `gguf_quant` choose what llama.cpp loads: one of them at most, and only with engine
 * `llamacpp` (other engines would silently ignore them). The message, or undefined when fine.
 */
export function ggufChoiceProblem(v: {
  gguf_file?: string | undefined | null;
  gguf_quant?: string | undefined | null;
  engine_type?: string | undefined;
}): { path: string; message: string } | undefined {
  const file = v.gguf_file ?? undefined;
  const quant = v.gguf_quant ?? undefined;
  if (file !== undefined && quant !== undefined)
    return { path: 'gguf_quant', message: 'give gguf_file or gguf_quant, not both' };
  if ((file !== undefined || quant !== undefined) && v.engine_type !== 'llamacpp')
    return {
      path: file !== undefined ? 'gguf_file' : 'gguf_quant',
      message: `gguf_file and gguf_quant apply to engine "llamacpp" only (engine is "${v.engine_type ?? ''}")`,
    };
  return undefined;
}

function checkGgufChoice(v: Parameters<typeof ggufChoiceProblem>[0], ctx: z.RefinementCtx): void {
  const p = ggufChoiceProblem(v);
  if (p) ctx.addIssue({ code: 'custom', path: [p.path], message: p.message });
}

export const CreateModelBody = z
  .strictObject({
    model_uid: ModelUid.optional(),
    ...SpecFields,
    ...DeploymentFields,
    rollout: RolloutInput.optional(),
    /** Load-based replica count (see `PUT /models/{uid}/autoscaling`); `replicas` is then its starting point. */
    autoscaling: AutoscalingPolicy.optional(),
    auto_start: z.boolean().default(false),
    /**
     * Download only: with `auto_start` false, download the weights onto the nodes that would run the model
     * (a pre-pull, see `POST /models/{uid}/pull`) so a later start finds them cached. Default false.
     */
    pull: z.boolean().optional(),
  })
  .superRefine(checkLocalPath)
  .superRefine(checkGgufChoice)
  .meta({ id: 'CreateModelBody' });
export type CreateModelBody = z.infer<typeof CreateModelBody>;

/** Partial update: fields left out keep their value; `null` clears an optional field (`model_path: null`). */
export const UpdateModelBody = z
  .strictObject({
    ...SpecUpdateShape,
    ...DeploymentFields,
    rollout: RolloutInput.optional(),
    /** The autoscaling policy; `null` turns autoscaling off. */
    autoscaling: AutoscalingPolicy.nullable().optional(),
    ...WithResourceVersion,
  })
  .meta({ id: 'UpdateModelBody' });
export type UpdateModelBody = z.infer<typeof UpdateModelBody>;

export const ScaleBody = z
  .strictObject({ replicas: z.number().int().min(0).max(1000), ...WithResourceVersion })
  .meta({ id: 'ScaleBody' });
export const StartBody = z.strictObject({
  replicas: z.number().int().min(1).max(1000).optional(),
  ...WithResourceVersion,
});
export const StopBody = z.strictObject({ ...WithResourceVersion });

export const UidParams = z.object({ uid: ModelUid });
export const ReplicaParams = z.object({
  uid: ModelUid,
  // A string in the path (OpenAPI: a required, non-null parameter), a number to the handler. z.coerce
  // would make the documented input `unknown` (nullable, optional): an invalid path parameter.
  replica_id: z
    .string()
    .regex(/^(0|[1-9][0-9]{0,3})$/, 'replica_id is a whole number 0-9999')
    .transform(Number),
});

/** `POST .../replicas/{replica_id}/drain` takes no options (an empty object or no body). */
export const DrainBody = z.strictObject({});

export const ListModelsQuery = z.object({
  state: AggregatedState.optional(),
  /** Substring of model_uid or model_name (case-insensitive). */
  q: z.string().max(200).optional(),
  /** `key=value` label selector. */
  label: z
    .string()
    .max(300)
    .regex(/^[^=]+=.*$/, 'label must look like key=value')
    .optional(),
  engine_type: EngineType.optional(),
  limit: queryInt(1, 5000, 100),
  offset: queryInt(0, 1_000_000, 0),
});

export const DeleteModelQuery = z.object({ purge: QueryBool.optional() });

export const DeploymentView = ModelDeployment.extend({ resource_version: ResourceVersion }).meta({
  id: 'Deployment',
});

export const DownloadSummary = z.object({
  bytes_done: z.number(),
  bytes_total: z.number(),
  percent: z.number().min(0).max(100),
  replicas: z.number().int(),
});

/** One model in lists: spec + deployment summary + aggregated state + replica counts. */
export const ModelView = z
  .object({
    model_uid: ModelUid,
    model_name: z.string(),
    model_source: ModelSource,
    engine_type: EngineType,
    served_model_name: z.string(),
    state: AggregatedState,
    state_reason: z.string().nullable(),
    desired_state: z.enum(['running', 'stopped']),
    desired_replicas: z.number().int(),
    ready_replicas: z.number().int(),
    total_replicas: z.number().int(),
    plan_version: z.number().int().nullable(),
    download: DownloadSummary.nullable(),
    /** The spec revision the deployment wants (null: a model from before revisions, not yet read). */
    revision: RevisionNumber.nullable().optional(),
    /** Ready replicas that run the current revision. */
    replicas_current: z.number().int().optional(),
    /** The scheduler's rollout to the current revision (or the last one), from the plan. */
    rollout: RolloutStatus.nullable().optional(),
    spec: ModelSpec.meta({ id: 'ModelSpec' }),
    deployment: DeploymentView.nullable(),
    labels: Labels,
    created_at: z.string(),
    updated_at: z.string(),
    resource_version: ResourceVersion,
  })
  .meta({ id: 'ModelView' });
export type ModelView = z.infer<typeof ModelView>;

export const ModelList = pageOf(ModelView)
  .extend({ counts: z.record(z.string(), z.number().int()) })
  .meta({ id: 'ModelList' });
export type ModelList = z.infer<typeof ModelList>;

const Quantiles = z.object({
  p50: z.number().nullable(),
  p90: z.number().nullable(),
  p99: z.number().nullable(),
});

/** Traffic of one model as the router reports it (from its /metrics). */
export const ModelStats = z
  .object({
    model: z.string(),
    requests_total: z.number(),
    errors_total: z.number(),
    /** Requests per second since the previous scrape (null on the first one). */
    request_rate: z.number().nullable(),
    latency_seconds: Quantiles,
    ttft_seconds: Quantiles,
    prompt_tokens_total: z.number(),
    completion_tokens_total: z.number(),
    tokens_rate: z.number().nullable(),
  })
  .meta({ id: 'ModelStats' });
export type ModelStats = z.infer<typeof ModelStats>;

/** The memory one replica reserves, in parts, and where each number came from (scheduler/estimate/estimator.ts). */
export const MemoryEstimateView = z
  .object({
    gpu_count: z.number().int(),
    /** Bytes reserved on each GPU; null = size unknown, whole GPUs. 0 with gpu_count 0 (CPU). */
    per_gpu_bytes: z.number().nullable(),
    basis: z.enum(['explicit', 'facts', 'weights', 'params', 'name-guess', 'sim-default', 'cpu', 'unknown']),
    /** e.g. "22.4 GiB/GPU = 15.2 weights + 6.1 KV at 32k + 1.1 runtime". */
    summary: z.string(),
    parts: z
      .object({
        weights_bytes: z.number(),
        kv_bytes: z.number(),
        runtime_bytes: z.number(),
        weights_from: z.enum(['files', 'spec', 'params', 'name-guess']),
        kv_from: z.enum(['config.json', 'gguf-header', 'heuristic', 'none']),
        kv_tokens: z.number().int().nullable(),
        kv_bytes_per_token: z.number().nullable(),
        weights_what: z.string(),
        kv_what: z.string(),
        runtime_what: z.string(),
      })
      .nullable(),
  })
  .meta({ id: 'MemoryEstimate' });
export type MemoryEstimateView = z.infer<typeof MemoryEstimateView>;

export const ModelDetailView = ModelView.extend({
  plan: PlacementPlan.nullable(),
  endpoints: z.array(Endpoint),
  downloads: z.array(DownloadProgress),
  cache: z.array(CacheEntryView),
  events: z.array(ModelEvent),
  stats: ModelStats.nullable(),
  /** What one replica reserves (optional: servers before model files facts do not send it). */
  memory_estimate: MemoryEstimateView.optional(),
  /** Pre-pulls per node (`nebula model pull`): pending, downloading, and finished ones for 10 minutes. */
  pulls: z.array(ModelPull).optional(),
}).meta({ id: 'ModelDetailView' });
export type ModelDetailView = z.infer<typeof ModelDetailView>;

export const DeleteModelResponse = z.object({
  model_uid: ModelUid,
  deleted: z.literal(true),
  purge: z.enum(['not_requested', 'requested', 'unsupported', 'failed']),
});
export type DeleteModelResponse = z.infer<typeof DeleteModelResponse>;
