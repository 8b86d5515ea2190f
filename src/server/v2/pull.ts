import { ModelPull } from '../../core/domain/index.js';
import { keys } from '../../core/keys.js';
import type { ServerContext } from '../context.js';
import { actor } from '../http/helpers.js';
import { implement, type Implementation } from '../http/route.js';
import { api } from '../../api/index.js';
import { requestModelPull } from '../models/pull.js';

/** Pre-pull: download a model's files onto nodes without starting it. */
export function pullRoutes(ctx: ServerContext): Implementation[] {
  return [
    implement(api.models.pull, async (c, { params, body }) => {
      const r = await requestModelPull(ctx, params.uid, body.nodes, actor(c));
      c.set('auditDetails', { nodes: r.nodes });
      return {
        model_uid: params.uid,
        nodes: r.nodes,
        chosen_by: r.chosenBy,
        unplaced: r.unplaced,
        pulls: r.pulls,
      };
    }),
    implement(api.models.pulls, async (_c, { params }) => {
      await ctx.models.require(params.uid);
      const list = await ctx.reader.list(keys.pullsOf(params.uid), ModelPull);
      return { items: list.items.map((t) => t.value) };
    }),
  ];
}
