import type { ServerContext } from '../context.js';
import { implement, type Implementation } from '../http/route.js';
import { api } from '../../api/index.js';
import { type EngineRow } from '../../api/schemas/engines.js';

/** `GET /api/v2/engines`: the engines each online node can launch, from the nodes' own status. */
export function engineRoutes(ctx: ServerContext): Implementation[] {
  return [
    implement(api.engines.list, async (_c, { query }) => {
      const snap = await ctx.views.nodes();
      const items: EngineRow[] = [];
      const unreported: string[] = [];
      for (const id of [...snap.statuses.keys()].sort()) {
        if (query.node_id !== undefined && id !== query.node_id) continue;
        const st = snap.statuses.get(id)?.value;
        if (!st) continue;
        if (!st.engines) {
          unreported.push(id);
          continue;
        }
        for (const e of st.engines) {
          items.push({
            node_id: id,
            type: e.type,
            status: 'available',
            version: e.version,
            path: e.path,
            error: null,
          });
        }
        for (const e of st.engine_errors ?? []) {
          items.push({
            node_id: id,
            type: e.type,
            status: 'unusable',
            version: null,
            path: e.path,
            error: e.error,
          });
        }
      }
      return {
        items: query.type === undefined ? items : items.filter((r) => r.type === query.type),
        unreported_nodes: unreported,
      };
    }),
  ];
}
