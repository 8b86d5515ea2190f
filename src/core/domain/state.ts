import { z } from 'zod';

/**
 * The seven aggregated model states of seed 002 (computed, never stored), and `updating`: a rollout to a new
 * revision is under way while replicas serve (planned churn, neither degraded nor failed).
 */
export const AggregatedState = z.enum([
  'stopped',
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
