import type { ServerContext } from '../context.js';
import { actor, expected, withEtag } from '../http/helpers.js';
import { defineRoute, type AnyRoute } from '../http/route.js';
import { ClusterSettingsView, UpdateClusterSettingsBody } from '../../api/schemas/settings.js';

const tags = ['settings'];

/** Cluster settings: everyone signed in reads them (they explain 403s), admins change them. */
export function settingsRoutes(ctx: ServerContext): AnyRoute[] {
  const read = async () => {
    const s = await ctx.settings.get();
    return { ...s.value, resource_version: s.modRevision };
  };
  return [
    defineRoute({
      method: 'get',
      path: '/api/v2/settings/cluster',
      summary: 'Cluster settings (engine_overrides: who may set engine_config.extra_args / env)',
      tags,
      response: ClusterSettingsView,
      handler: async (c) => withEtag(c, await read()),
    }),
    defineRoute({
      method: 'put',
      path: '/api/v2/settings/cluster',
      summary: 'Change cluster settings (partial; fields left out keep their value)',
      description:
        '`engine_overrides`: `operators` (default) lets operators and admins set engine_config.extra_args and env; `admins` lets only admins (operators get 403). The engine contract applies to everyone either way.',
      tags,
      body: UpdateClusterSettingsBody,
      response: ClusterSettingsView,
      handler: async (c, { body }) => {
        const { resource_version, ...patch } = body;
        await ctx.settings.update(patch, expected(c, resource_version), actor(c));
        c.set('auditDetails', patch);
        return withEtag(c, await read());
      },
    }),
  ];
}
