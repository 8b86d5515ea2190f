import { ModelPull } from '../../core/domain/index.js';
import { keys } from '../../core/keys.js';
import type { ServerContext } from '../context.js';
import { actor } from '../http/helpers.js';
import { defineRoute, type AnyRoute } from '../http/route.js';
import { requestModelPull } from '../models/pull.js';
import { UidParams } from '../schemas/models.js';
import { PullBody, PullList, PullResponse } from '../schemas/pull.js';

const tags = ['models'];

/** Pre-pull: download a model's files onto nodes without starting it. */
export function pullRoutes(ctx: ServerContext): AnyRoute[] {
  return [
    defineRoute({
      method: 'post',
      path: '/api/v2/models/{uid}/pull',
      summary: "Download a model's files onto nodes without starting it (pre-pull)",
      description:
        'Without `nodes`, the nodes the scheduler would run the model on (a dry run of the planner for max(1, replicas) replicas; 409 PULL_UNPLACEABLE with its reason when nothing fits). Named nodes must be alive (404 NODE_NOT_FOUND) and schedulable (409 NODE_UNSCHEDULABLE). Each node downloads through its cache manager and reports progress in `GET .../pulls` and the model detail; a later start finds the files cached. 422 NOTHING_TO_PULL for local models.',
      tags,
      params: UidParams,
      body: PullBody,
      bodyOptional: true,
      response: PullResponse,
      status: 202,
      handler: async (c, { params, body }) => {
        const r = await requestModelPull(ctx, params.uid, body.nodes, actor(c));
        c.set('auditDetails', { nodes: r.nodes });
        return {
          model_uid: params.uid,
          nodes: r.nodes,
          chosen_by: r.chosenBy,
          unplaced: r.unplaced,
          pulls: r.pulls,
        };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v2/models/{uid}/pulls',
      summary: "A model's pre-pulls per node: status, bytes and files done, error",
      description: 'Finished pulls stay listed for 10 minutes after they end.',
      tags,
      params: UidParams,
      response: PullList,
      handler: async (_c, { params }) => {
        await ctx.models.require(params.uid);
        const list = await ctx.reader.list(keys.pullsOf(params.uid), ModelPull);
        return { items: list.items.map((t) => t.value) };
      },
    }),
  ];
}
