import { DiskAlert } from '../../core/domain/index.js';
import { kindFilter, prefixes } from '../../core/keys.js';
import { summariseCache } from '../aggregation/cache-summary.js';
import type { ServerContext } from '../context.js';
import { implement, type Implementation } from '../http/route.js';
import { api } from '../../api/index.js';

export function cacheRoutes(ctx: ServerContext): Implementation[] {
  return [
    implement(api.cache.summary, async () => {
      const [entries, models] = await Promise.all([ctx.views.cacheEntries(), ctx.views.models()]);
      return summariseCache(entries, models.views);
    }),
    implement(api.alerts.list, async (_c, { query }) => {
      const res = await ctx.reader.list(prefixes.alerts, DiskAlert, kindFilter('alert'));
      const items = res.items
        .map((t) => t.value)
        .filter(
          (a) => (!query.node_id || a.node_id === query.node_id) && (!query.level || a.level === query.level),
        )
        .sort((a, b) =>
          a.level === b.level ? a.node_id.localeCompare(b.node_id) : a.level === 'critical' ? -1 : 1,
        );
      return { items };
    }),
  ];
}
