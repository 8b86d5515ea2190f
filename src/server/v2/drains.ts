/**
 * Drain that migrates (seed 001: "offline plus migration"): an operator asks for one replica to move; the
 * server records a DrainRequest (`/drains/{uid}/{replica}`) and the scheduler places a replacement first,
 * waits until it is ready, retires the old replica gracefully and deletes the request. The model keeps
 * serving throughout; when nothing has room the replica stays where it is and an event says why.
 */
import { DrainRequest, ModelDeployment, PlacementPlan } from '../../core/domain/index.js';
import { keys } from '../../core/keys.js';
import { decode, encode } from '../../store/json.js';
import type { ServerContext } from '../context.js';
import { ApiError, errors } from '../errors.js';
import { actor } from '../http/helpers.js';
import { implement, type Implementation } from '../http/route.js';
import { api } from '../../api/index.js';

/** The drain routes of one replica: ask for it, cancel it. */
export function drainRoutes(ctx: ServerContext): Implementation[] {
  return [
    implement(api.models.drainReplica, async (c, { params }) => {
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
    }),
    implement(api.models.cancelDrain, async (_c, { params }) => {
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
    }),
  ];
}
