import { z } from 'zod';
import { DurationString } from '../duration.js';
import { ModelUid } from '../ids.js';
import { Timestamp } from './common.js';

/**
 * What the autoscaler aims for, per ready replica:
 * - `inflight`: requests in flight through the routers (plus those held for an idle model);
 * - `queue`: requests waiting (queued at the router plus waiting in the engines' own queues);
 * - `kv_cache`: the engines' KV-cache usage, a fraction 0-1 (e.g. 0.7).
 */
export const AutoscaleMetric = z.enum(['inflight', 'queue', 'kv_cache']);
export type AutoscaleMetric = z.infer<typeof AutoscaleMetric>;

export const AutoscaleTarget = z
  .object({ metric: AutoscaleMetric, value: z.number().positive().max(100_000) })
  .refine((t) => t.metric !== 'kv_cache' || t.value <= 1, {
    message: 'a kv_cache target is a fraction between 0 and 1 (e.g. 0.7)',
    path: ['value'],
  });
export type AutoscaleTarget = z.infer<typeof AutoscaleTarget>;

/**
 * `deployment.autoscaling`: the replica count follows the load between min and max. Windows are
 * stabilisation windows (as in Kubernetes' HPA): a scale-up takes the lowest recommendation of the last
 * `scale_up_window`, a scale-down the highest of the last `scale_down_window`, so noisy load does not flap.
 */
export const AutoscalingPolicy = z
  .object({
    min_replicas: z.number().int().min(0).max(1000),
    max_replicas: z.number().int().min(1).max(1000),
    target: AutoscaleTarget.default({ metric: 'inflight', value: 8 }),
    scale_up_window: DurationString(0, 3_600_000).default('0s'),
    scale_down_window: DurationString(1_000, 86_400_000).default('5m'),
    /** With min_replicas 0: after this long without a request the model goes `idle` (0 replicas). */
    scale_to_zero_after: DurationString(1_000, 7 * 86_400_000).optional(),
    /** Decide and record, but never change the replica count. */
    dry_run: z.boolean().default(false),
  })
  .refine((p) => p.min_replicas <= p.max_replicas, {
    message: 'min_replicas must not exceed max_replicas',
    path: ['min_replicas'],
  })
  .refine((p) => p.scale_to_zero_after === undefined || p.min_replicas === 0, {
    message: 'scale_to_zero_after needs min_replicas 0',
    path: ['scale_to_zero_after'],
  });
export type AutoscalingPolicy = z.infer<typeof AutoscalingPolicy>;

/**
 * `/load/{model_uid}/{router_instance}` (under the router's lease): one router's live view of a model,
 * published at a bounded rate (every few seconds, and only when it changed), never per request.
 */
export const LoadSignal = z.object({
  model_uid: ModelUid,
  router: z.string().min(1).max(128),
  /** Requests in flight through this router right now. */
  inflight: z.number().int().min(0),
  /** Requests held by this router for an idle model (waiting for a wake). */
  held: z.number().int().min(0).default(0),
  /** Requests waiting in the engines' queues (vLLM num_requests_waiting, llama.cpp deferred), summed over replicas. */
  engine_waiting: z.number().min(0).default(0),
  /** Mean KV-cache usage of the replicas that report one (0-1); absent when none does. */
  kv_cache_usage: z.number().min(0).max(1).optional(),
  /** Requests per second over the last publish interval. */
  rps: z.number().min(0),
  /** Median time to first byte over the last interval, when there were requests. */
  ttft_ms_p50: z.number().min(0).optional(),
  /** The last time a request for this model arrived at this router. */
  last_request_at: Timestamp.optional(),
  updated_at: Timestamp,
});
export type LoadSignal = z.infer<typeof LoadSignal>;

/** `/wake/{model_uid}`: a router holds requests for an idle model and asks for a replica. */
export const WakeRequest = z.object({
  model_uid: ModelUid,
  router: z.string().min(1).max(128),
  requested_at: Timestamp,
});
export type WakeRequest = z.infer<typeof WakeRequest>;

export const AutoscaleReason = z.enum([
  'load',
  'min',
  'max',
  'stabilising',
  'scale-to-zero',
  'wake',
  'capacity',
  'steady',
  'no-signal',
]);
export type AutoscaleReason = z.infer<typeof AutoscaleReason>;

/** One decision and what it was made from (an event, and `/autoscaler/{uid}` for `model get`). */
export const AutoscaleDecision = z.object({
  at: Timestamp,
  current: z.number().int().min(0),
  desired: z.number().int().min(0),
  /** What the load alone asks for, before windows and limits. */
  recommended: z.number().int().min(0),
  reason: AutoscaleReason,
  message: z.string().max(500),
  dry_run: z.boolean().default(false),
  inputs: z.object({
    inflight: z.number().min(0),
    held: z.number().min(0),
    queue: z.number().min(0),
    kv_cache_usage: z.number().min(0).max(1).optional(),
    rps: z.number().min(0),
    ready: z.number().int().min(0),
    idle_for_ms: z.number().min(0).optional(),
  }),
});
export type AutoscaleDecision = z.infer<typeof AutoscaleDecision>;

/** `/autoscaler/{model_uid}`: the autoscaler's last decision and the last change it made. */
export const AutoscaleStatus = z.object({
  model_uid: ModelUid,
  last_decision: AutoscaleDecision,
  last_change: AutoscaleDecision.optional(),
  /** When the model went idle (scaled to zero), and when it was last woken and how long that took. */
  idle_since: Timestamp.optional(),
  last_wake: z
    .object({
      requested_at: Timestamp,
      ready_at: Timestamp.optional(),
      latency_ms: z.number().min(0).optional(),
    })
    .optional(),
});
export type AutoscaleStatus = z.infer<typeof AutoscaleStatus>;
