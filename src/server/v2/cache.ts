import { DiskAlert } from '../../core/domain/index.js';
import { parseKey, prefixes } from '../../core/keys.js';
import { summariseCache } from '../aggregation/cache-summary.js';
import type { ServerContext } from '../context.js';
import { defineRoute, type AnyRoute } from '../http/route.js';
import { AlertList, AlertsQuery, CacheSummary } from '../../api/schemas/cache.js';

export function cacheRoutes(ctx: ServerContext): AnyRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api/v2/cache/summary',
      summary:
        'Cluster-wide cache: each model’s files, on which nodes, sizes, last use, and the models using them',
      tags: ['cache'],
      response: CacheSummary,
      handler: async () => {
        const [entries, models] = await Promise.all([ctx.views.cacheEntries(), ctx.views.models()]);
        return summariseCache(entries, models.views);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v2/alerts',
      summary: 'Active alerts (disk usage >= 85 % warning, >= 95 % critical), critical first',
      tags: ['cache', 'nodes'],
      query: AlertsQuery,
      response: AlertList,
      handler: async (_c, { query }) => {
        const res = await ctx.reader.list(prefixes.alerts, DiskAlert, (k) => parseKey(k)?.kind === 'alert');
        const items = res.items
          .map((t) => t.value)
          .filter(
            (a) =>
              (!query.node_id || a.node_id === query.node_id) && (!query.level || a.level === query.level),
          )
          .sort((a, b) =>
            a.level === b.level ? a.node_id.localeCompare(b.node_id) : a.level === 'critical' ? -1 : 1,
          );
        return { items };
      },
    }),
  ];
}
