import { AutoscaleStatus } from '../../core/domain/index.js';
import { keys } from '../../core/keys.js';
import { decode } from '../../store/json.js';
import type { ServerContext } from '../context.js';
import { actor, expected, readModelView, withEtag } from '../http/helpers.js';
import { defineRoute, type AnyRoute } from '../http/route.js';
import { AutoscalingBody, AutoscalingView } from '../schemas/autoscaling.js';
import { ModelView, UidParams } from '../schemas/models.js';

const tags = ['models'];

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
export function autoscalingRoutes(ctx: ServerContext): AnyRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api/v2/models/{uid}/autoscaling',
      summary: "A model's autoscaling policy and the autoscaler's last decision",
      tags,
      params: UidParams,
      response: AutoscalingView,
      handler: async (_c, { params }) => readAutoscaling(ctx, params.uid),
    }),
    defineRoute({
      method: 'put',
      path: '/api/v2/models/{uid}/autoscaling',
      summary: 'Set the autoscaling policy (min/max replicas, target, windows, scale to zero)',
      description:
        'The replica count moves into min..max at once; within it the autoscaler follows the load. While a policy is set, `PUT .../scale` answers 409 AUTOSCALED.',
      tags,
      params: UidParams,
      body: AutoscalingBody,
      response: ModelView,
      handler: async (c, { params, body }) => {
        await ctx.models.autoscale(params.uid, body.policy, expected(c, body.resource_version), actor(c));
        c.set('auditDetails', { min: body.policy.min_replicas, max: body.policy.max_replicas });
        return withEtag(c, await readModelView(ctx, params.uid));
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/api/v2/models/{uid}/autoscaling',
      summary: 'Turn autoscaling off (the replica count stays; an idle model gets 1)',
      tags,
      params: UidParams,
      response: ModelView,
      handler: async (c, { params }) => {
        await ctx.models.autoscale(params.uid, null, expected(c), actor(c));
        return withEtag(c, await readModelView(ctx, params.uid));
      },
    }),
  ];
}
