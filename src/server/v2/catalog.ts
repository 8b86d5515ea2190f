import type { ServerContext } from '../context.js';
import { actor, author, readModelView } from '../http/helpers.js';
import { pullAfterCreate } from '../models/pull.js';
import { implement, type Implementation } from '../http/route.js';
import { api } from '../../api/index.js';

export function catalogRoutes(ctx: ServerContext): Implementation[] {
  return [
    implement(api.catalog.search, async (_c, { query }) =>
      ctx.catalog.search(query.provider, query.q, query.page, query.limit),
    ),
    implement(api.catalog.get, async (_c, { params, query }) =>
      ctx.catalog.detail(params.provider, params.model_id, query.revision),
    ),
    implement(api.catalog.getOwned, async (_c, { params, query }) =>
      ctx.catalog.detail(params.provider, `${params.owner}/${params.name}`, query.revision),
    ),
    implement(api.catalog.import, async (c, { body }) => {
      c.set('auditDetails', { provider: body.provider, model_id: body.model_id });
      const { uid, warnings } = await ctx.catalog.import(body, actor(c), author(c));
      c.set('auditResource', `model/${uid}`);
      if (!body.auto_start && body.pull !== false) {
        // A download-only import: the weights go onto the nodes that would run it.
        const pulled = await pullAfterCreate(ctx, uid, actor(c));
        if ('warning' in pulled) warnings.push(pulled.warning);
        else return { model: await readModelView(ctx, uid), warnings, pull_nodes: pulled.nodes };
      }
      return { model: await readModelView(ctx, uid), warnings };
    }),
  ];
}
