/**
 * Drain that migrates (seed 001: "offline plus migration"): an operator asks for one replica to move; the
 * server records a DrainRequest (`/drains/{uid}/{replica}`) and the scheduler places a replacement first,
 * waits until it is ready, retires the old replica gracefully and deletes the request. The model keeps
 * serving throughout; when nothing has room the replica stays where it is and an event says why.
 */
import { z } from 'zod';
import { DrainRequest, ModelDeployment, PlacementPlan } from '../../core/domain/index.js';
import { keys } from '../../core/keys.js';
import { decode, encode } from '../../store/json.js';
import type { ServerContext } from '../context.js';
import { ApiError, errors } from '../errors.js';
import { actor } from '../http/helpers.js';
import { defineRoute, type AnyRoute } from '../http/route.js';
import { ReplicaParams } from '../schemas/models.js';

const tags = ['models'];
const DrainBody = z.strictObject({});

export function drainRoutes(ctx: ServerContext): AnyRoute[] {
  return [
    defineRoute({
      method: 'post',
      path: '/api/v2/models/{uid}/replicas/{replica_id}/drain',
      summary: 'Drain one replica: the scheduler places a replacement, then retires this one gracefully',
      description:
        'Writes a drain request; the scheduler places a replacement on another node or GPUs with room, waits until it is ready, removes the old replica (in-flight requests finish) and deletes the request. Without room, the replica keeps serving and an event says why. Asking again returns the pending request. To stop a replica at once instead, use the v1 force-stop.',
      tags,
      params: ReplicaParams,
      body: DrainBody,
      bodyOptional: true,
      status: 202,
      response: DrainRequest,
      handler: async (c, { params }) => {
        const uid = params.uid;
        const [dep, plan, existing] = await Promise.all([
          ctx.store.get(keys.deployment(uid)),
          ctx.store.get(keys.placement(uid)),
          ctx.store.get(keys.drain(uid, params.replica_id)),
        ]);
        if (!dep) throw errors.notFound('MODEL_NOT_FOUND', `model "${uid}" not found`, { model_uid: uid });
        if (decode(ModelDeployment, dep).value.desired_state !== 'running') {
          throw errors.conflict('CONFLICT', `model "${uid}" is stopped: there is nothing to drain`);
        }
        const placed = plan
          ? decode(PlacementPlan, plan).value.assignments.some((a) => a.replica_id === params.replica_id)
          : false;
        if (!placed) {
          throw errors.notFound('REPLICA_NOT_FOUND', `model "${uid}" has no replica ${params.replica_id}`, {
            model_uid: uid,
            replica_id: params.replica_id,
          });
        }
        if (existing) return decode(DrainRequest, existing).value;
        const req: DrainRequest = {
          model_uid: uid,
          replica_id: params.replica_id,
          requested_by: `user:${actor(c)}`,
          requested_at: new Date(ctx.clock.now()).toISOString(),
          reason: 'replica',
        };
        const key = keys.drain(uid, params.replica_id);
        const res = await ctx.store.txn({
          compare: [{ key, modRevision: 0 }],
          success: [{ op: 'put', key, value: encode(DrainRequest, req) }],
        });
        if (!res.succeeded) {
          const now = await ctx.store.get(key);
          if (now) return decode(DrainRequest, now).value;
          throw new ApiError(409, 'CONFLICT', 'the drain request changed concurrently; retry');
        }
        return req;
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/api/v2/models/{uid}/replicas/{replica_id}/drain',
      summary: 'Cancel a pending drain (a replacement already placed is removed again; the replica stays)',
      tags,
      params: ReplicaParams,
      response: DrainRequest,
      handler: async (_c, { params }) => {
        const key = keys.drain(params.uid, params.replica_id);
        const kv = await ctx.store.get(key);
        if (!kv) {
          throw errors.notFound(
            'NOT_FOUND',
            `no drain of replica ${params.replica_id} of "${params.uid}" is pending`,
            { model_uid: params.uid, replica_id: params.replica_id },
          );
        }
        await ctx.store.txn({
          compare: [{ key, modRevision: kv.modRevision }],
          success: [{ op: 'delete', key }],
        });
        return decode(DrainRequest, kv).value;
      },
    }),
  ];
}
