import { ModelEvent } from '../../core/domain/index.js';
import { keys, parseKey, prefixes } from '../../core/keys.js';
import type { ServerContext } from '../context.js';
import { errors } from '../errors.js';
import { readModelEvents } from '../http/helpers.js';
import { defineRoute, type AnyRoute } from '../http/route.js';
import { AuditList, AuditQuery, EventList, EventsQuery, ModelEventsQuery } from '../../api/schemas/events.js';
import { UidParams } from '../../api/schemas/models.js';

export function eventRoutes(ctx: ServerContext): AnyRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api/v2/events',
      summary: 'Lifecycle events (scheduled, unplaceable, downloading, started, crashed...), newest first',
      tags: ['events'],
      query: EventsQuery,
      response: EventList,
      handler: async (_c, { query }) => {
        if (query.model_uid) return { items: await readModelEvents(ctx, query.model_uid, query.limit) };
        const res = await ctx.reader.list(prefixes.events, ModelEvent, (k) => parseKey(k)?.kind === 'event');
        // Keys group events by model; ids are time-ordered, so sort by id across models.
        const items = res.items.map((t) => t.value).sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
        return { items: items.slice(0, query.limit) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v2/models/{uid}/events',
      summary: "A model's events, newest first",
      tags: ['events', 'models'],
      params: UidParams,
      query: ModelEventsQuery,
      response: EventList,
      handler: async (_c, { params, query }) => {
        const items = await readModelEvents(ctx, params.uid, query.limit);
        if (items.length === 0 && !(await ctx.store.get(keys.modelSpec(params.uid)))) {
          throw errors.notFound('MODEL_NOT_FOUND', `model "${params.uid}" not found`, {
            model_uid: params.uid,
          });
        }
        return { items };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v2/audit',
      summary:
        'Audit trail of mutating requests, newest first (filters: actor, action or action prefix like "model.", since)',
      tags: ['audit'],
      query: AuditQuery,
      response: AuditList,
      handler: async (_c, { query }) => ({ items: await ctx.audit.query(query) }),
    }),
  ];
}
