import { ModelTemplate } from '../../core/domain/index.js';
import type { ServerContext } from '../context.js';
import { actor, author, expected, readModelView, withEtag } from '../http/helpers.js';
import { implement, type Implementation } from '../http/route.js';
import { api } from '../../api/index.js';
import { enforceEngineOverrides } from '../models/engine-config-policy.js';
import { deriveTemplateId } from '../models/uid.js';
import { TemplateView } from '../../api/schemas/templates.js';
import type { Typed } from '../../store/json.js';
const view = (t: Typed<ModelTemplate>): TemplateView => ({ ...t.value, resource_version: t.modRevision });

export function templateRoutes(ctx: ServerContext): Implementation[] {
  return [
    implement(api.templates.list, async () => ({ items: (await ctx.templates.list()).map(view) })),
    implement(api.templates.get, async (c, { params }) =>
      withEtag(c, view(await ctx.templates.require(params.template_id))),
    ),
    implement(api.templates.create, async (c, { body }) => {
      await enforceEngineOverrides(ctx, c, body.spec.engine_config);
      const id = await ctx.templates.create(body, actor(c));
      c.set('auditResource', `template/${id}`);
      return withEtag(c, view(await ctx.templates.require(id)));
    }),
    implement(api.templates.update, async (c, { params, body }) => {
      if (body.spec?.engine_config) {
        const cur = await ctx.templates.require(params.template_id);
        await enforceEngineOverrides(ctx, c, body.spec.engine_config, cur.value.spec.engine_config);
      }
      await ctx.templates.update(params.template_id, body, expected(c, body.resource_version));
      return withEtag(c, view(await ctx.templates.require(params.template_id)));
    }),
    implement(api.templates.delete, async (c, { params }) => {
      await ctx.templates.delete(params.template_id, expected(c));
      return { ok: true as const };
    }),
    implement(api.templates.deploy, async (c, { params, body }) => {
      const t = (await ctx.templates.require(params.template_id)).value;
      const spec = {
        ...t.spec,
        labels: { ...t.spec.labels, ...(body.labels ?? {}) },
        ...(body.description !== undefined ? { description: body.description } : {}),
      };
      const uid = await ctx.models.create(
        {
          model_uid: body.model_uid,
          spec,
          replicas: body.replicas ?? t.deployment.replicas,
          node_selector: body.node_selector ?? t.deployment.node_selector,
          placement_strategy: body.placement_strategy ?? t.deployment.placement_strategy,
          auto_start: body.auto_start ?? true,
        },
        actor(c),
        author(c),
      );
      c.set('auditDetails', { model_uid: uid });
      return withEtag(c, await readModelView(ctx, uid));
    }),
    implement(api.models.saveAsTemplate, async (c, { params, body }) => {
      const pair = await ctx.models.require(params.uid);
      const { model_uid: _u, created_at: _c, updated_at: _up, ...spec } = pair.spec.value;
      const taken = body.template_id
        ? new Set<string>()
        : new Set((await ctx.templates.list()).map((t) => t.value.template_id));
      const now = new Date(ctx.clock.now()).toISOString();
      const dep = pair.deployment?.value;
      const id = await ctx.templates.insert(
        ModelTemplate.parse({
          template_id: body.template_id ?? deriveTemplateId(body.name, taken),
          name: body.name,
          description: body.description ?? `saved from model ${params.uid} by ${actor(c)}`,
          category: body.category,
          source: 'user',
          spec,
          deployment: {
            replicas: dep && dep.replicas > 0 ? dep.replicas : 1,
            node_selector: dep?.node_selector ?? {},
            placement_strategy: dep?.placement_strategy ?? 'binpack',
          },
          created_at: now,
          updated_at: now,
        }),
      );
      c.set('auditDetails', { template_id: id });
      return withEtag(c, view(await ctx.templates.require(id)));
    }),
  ];
}
