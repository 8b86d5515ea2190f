import { AutoscaleStatus } from '../../core/domain/index.js';
import { keys } from '../../core/keys.js';
import { decode } from '../../store/json.js';
import type { ServerContext } from '../context.js';
import { actor, expected, readModelView, withEtag } from '../http/helpers.js';
import { implement, type Implementation } from '../http/route.js';
import { api } from '../../api/index.js';
import type { AutoscalingView } from '../../api/schemas/autoscaling.js';

async function readAutoscaling(ctx: ServerContext, uid: string): Promise<AutoscalingView> {
  const pair = await ctx.models.require(uid);
  const raw = await ctx.store.get(keys.autoscaler(uid));
  let status: AutoscaleStatus | null = null;
  try {
    status = raw ? decode(AutoscaleStatus, raw).value : null;
  } catch {
    status = null; // a record of an older shape: the next decision rewrites it
  }
  return { model_uid: uid, policy: pair.deployment?.value.autoscaling ?? null, status };
}

/** A model's autoscaling policy and the autoscaler's last decision (issue 19). */
export function autoscalingRoutes(ctx: ServerContext): Implementation[] {
  return [
    implement(api.models.autoscaling, async (_c, { params }) => readAutoscaling(ctx, params.uid)),
    implement(api.models.setAutoscaling, async (c, { params, body }) => {
      await ctx.models.autoscale(params.uid, body.policy, expected(c, body.resource_version), actor(c));
      c.set('auditDetails', { min: body.policy.min_replicas, max: body.policy.max_replicas });
      return withEtag(c, await readModelView(ctx, params.uid));
    }),
    implement(api.models.clearAutoscaling, async (c, { params }) => {
      await ctx.models.autoscale(params.uid, null, expected(c), actor(c));
      return withEtag(c, await readModelView(ctx, params.uid));
    }),
  ];
}
