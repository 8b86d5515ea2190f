import { ModelEvent } from '../../core/domain/index.js';
import { keys, kindFilter, prefixes } from '../../core/keys.js';
import type { ServerContext } from '../context.js';
import { errors } from '../errors.js';
import { readModelEvents } from '../http/helpers.js';
import { implement, type Implementation } from '../http/route.js';
import { api } from '../../api/index.js';

export function eventRoutes(ctx: ServerContext): Implementation[] {
  return [
    implement(api.events.list, async (_c, { query }) => {
      if (query.model_uid) return { items: await readModelEvents(ctx, query.model_uid, query.limit) };
      const res = await ctx.reader.list(prefixes.events, ModelEvent, kindFilter('event'));
      // Keys group events by model; ids are time-ordered, so sort by id across models.
      const items = res.items.map((t) => t.value).sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
      return { items: items.slice(0, query.limit) };
    }),
    implement(api.models.events, async (_c, { params, query }) => {
      const items = await readModelEvents(ctx, params.uid, query.limit);
      if (items.length === 0 && !(await ctx.store.get(keys.modelSpec(params.uid)))) {
        throw errors.notFound('MODEL_NOT_FOUND', `model "${params.uid}" not found`, {
          model_uid: params.uid,
        });
      }
      return { items };
    }),
    implement(api.audit.list, async (_c, { query }) => ({ items: await ctx.audit.query(query) })),
  ];
}
