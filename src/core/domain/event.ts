import { z } from 'zod';
import { ModelUid, NodeId, ReplicaId } from '../ids.js';
import { Timestamp } from './common.js';

export const EventType = z.enum([
  'scheduled',
  'rescheduled',
  'unplaceable',
  'unscheduled',
  'downloading',
  'downloaded',
  'download_failed',
  'starting',
  'ready',
  'crashed',
  'restarted',
  'stopped',
  'failed',
  'created',
  'updated',
  'deleted',
  'scaled',
  /** The server read (or could not read) the model's files facts. */
  'facts',
  /** The autoscaler changed (or, in a dry run, would change) the replica count; the message has its inputs. */
  'autoscaled',
  /** An idle model got its first ready replica after a wake request; the message has the wake latency. */
  'woken',
  /** A download without a start was requested (`nebula model pull`, a download-only import). */
  'pull',
  /** The scheduler moved a model between revisions (started, progressed, finished, paused, rolled back). */
  'rollout',
  /** The scheduler migrated a replica away (an operator's drain, or a node drain). */
  'drain',
]);
export type EventType = z.infer<typeof EventType>;

export const EventLevel = z.enum(['info', 'warning', 'error']);
export type EventLevel = z.infer<typeof EventLevel>;

/** `/events/{model_uid}/{time-ordered id}` under a retention lease: a model's lifecycle history. */
export const ModelEvent = z.object({
  id: z.string(),
  model_uid: ModelUid,
  time: Timestamp,
  type: EventType,
  level: EventLevel.default('info'),
  message: z.string(),
  source: z.enum(['scheduler', 'node', 'server']),
  node_id: NodeId.optional(),
  replica_id: ReplicaId.optional(),
  plan_version: z.number().int().optional(),
});
export type ModelEvent = z.infer<typeof ModelEvent>;
