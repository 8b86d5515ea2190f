import { DownloadProgress, Endpoint, ModelPull, PlacementPlan } from '../../core/domain/index.js';
import { memoryEstimateView } from '../aggregation/estimate-view.js';
import { keys } from '../../core/keys.js';
import { filterModelViews } from '../aggregation/model-view.js';
import type { ServerContext } from '../context.js';
import {
  actor,
  author,
  expected,
  readModelEvents,
  readModelView,
  slicePage,
  withEtag,
} from '../http/helpers.js';
import { implement, type Implementation } from '../http/route.js';
import { api } from '../../api/index.js';
import { enforceEngineOverrides } from '../models/engine-config-policy.js';
import { pullAfterCreate } from '../models/pull.js';
import type { ModelStats } from '../../api/schemas/models.js';

/** Router stats for one model, if the router answers within a second (details must stay fast). */
async function statsFor(
  ctx: ServerContext,
  served: string,
  uid: string,
  traceparent: string,
): Promise<ModelStats | null> {
  const timeout = new Promise<undefined>((r) => setTimeout(() => r(undefined), 1000).unref());
  const m = await Promise.race([ctx.router.metrics(traceparent).catch(() => undefined), timeout]);
  return m?.models.find((s) => s.model === served || s.model === uid) ?? null;
}

export function modelRoutes(ctx: ServerContext): Implementation[] {
  return [
    implement(api.models.create, async (c, { body }) => {
      const {
        model_uid,
        replicas,
        node_selector,
        placement_strategy,
        auto_start,
        rollout,
        autoscaling,
        pull,
        ...spec
      } = body;
      if (model_uid) c.set('auditResource', `model/${model_uid}`);
      await enforceEngineOverrides(ctx, c, spec.engine_config);
      await ctx.catalog.checkGgufChoice(spec);
      const uid = await ctx.models.create(
        { model_uid, spec, replicas, node_selector, placement_strategy, auto_start, rollout, autoscaling },
        actor(c),
        author(c),
      );
      c.set('auditResource', `model/${uid}`);
      // Download only: the weights go onto the nodes that would run it (never fails the create).
      if (pull && !auto_start) c.set('auditDetails', { pull: await pullAfterCreate(ctx, uid, actor(c)) });
      return withEtag(c, await readModelView(ctx, uid));
    }),
    implement(api.models.list, async (_c, { query }) => {
      const { views } = await ctx.views.models();
      const { items, counts } = filterModelViews(views, query);
      return { ...slicePage(items, query), counts };
    }),
    implement(api.models.get, async (c, { params }) => {
      const uid = params.uid;
      const view = await readModelView(ctx, uid);
      const [plan, endpoints, downloads, events, cache, stats, pulls] = await Promise.all([
        ctx.reader.get(keys.placement(uid), PlacementPlan),
        ctx.reader.list(keys.endpointsOf(uid), Endpoint),
        ctx.reader.list(keys.downloadProgressOf(uid), DownloadProgress),
        readModelEvents(ctx, uid, 50),
        ctx.views.cacheEntries(),
        statsFor(ctx, view.served_model_name, uid, c.var.traceparent),
        ctx.reader.list(keys.pullsOf(uid), ModelPull),
      ]);
      return withEtag(c, {
        ...view,
        plan: plan?.value ?? null,
        endpoints: endpoints.items.map((t) => t.value),
        downloads: downloads.items.map((t) => t.value),
        cache: cache.filter((e) => e.model_name === view.model_name && e.source === view.model_source),
        events,
        stats,
        memory_estimate: memoryEstimateView(view.spec),
        pulls: pulls.items.map((t) => t.value),
      });
    }),
    implement(api.models.update, async (c, { params, body }) => {
      if (body.engine_config) {
        const cur = await ctx.models.require(params.uid);
        await enforceEngineOverrides(ctx, c, body.engine_config, cur.spec.value.engine_config);
      }
      await ctx.models.update(params.uid, body, expected(c, body.resource_version), actor(c), author(c));
      return withEtag(c, await readModelView(ctx, params.uid));
    }),
    implement(api.models.delete, async (c, { params, query }) => {
      const purge = await ctx.models.delete(params.uid, expected(c), query.purge ?? false, actor(c));
      if (query.purge) c.set('auditDetails', { purge });
      return { model_uid: params.uid, deleted: true as const, purge };
    }),
    implement(api.models.start, async (c, { params, body }) => {
      await ctx.models.start(params.uid, body.replicas, expected(c, body.resource_version), actor(c));
      return withEtag(c, await readModelView(ctx, params.uid));
    }),
    implement(api.models.stop, async (c, { params, body }) => {
      await ctx.models.stop(params.uid, expected(c, body.resource_version), actor(c));
      return withEtag(c, await readModelView(ctx, params.uid));
    }),
    implement(api.models.scale, async (c, { params, body }) => {
      await ctx.models.scale(params.uid, body.replicas, expected(c, body.resource_version), actor(c));
      c.set('auditDetails', { replicas: body.replicas });
      return withEtag(c, await readModelView(ctx, params.uid));
    }),
  ];
}
