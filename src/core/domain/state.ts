import { z } from 'zod';

/**
 * The seven aggregated model states of seed 002 (computed, never stored), plus `idle` (autoscaled to zero
 * replicas after no requests: running, not stopped, the next request wakes it) and `updating` (a rollout to
 * a new revision is under way while replicas serve: planned churn, neither degraded nor failed).
 */
export const AggregatedState = z.enum([
  'stopped',
  'idle',
  'downloading',
  'starting',
  'running',
  'degraded',
  'failed',
  'stopping',
  'updating',
]);
export type AggregatedState = z.infer<typeof AggregatedState>;

/** Leader record `/leader/{name}` bound to the leader's lease. */
export const LeaderRecord = z.object({
  holder: z.string(),
  since: z.iso.datetime({ offset: true }),
});
export type LeaderRecord = z.infer<typeof LeaderRecord>;
