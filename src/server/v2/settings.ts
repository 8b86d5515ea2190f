import type { ServerContext } from '../context.js';
import { actor, expected, withEtag } from '../http/helpers.js';
import { implement, type Implementation } from '../http/route.js';
import { api } from '../../api/index.js';

/** Cluster settings: everyone signed in reads them (they explain 403s), admins change them. */
export function settingsRoutes(ctx: ServerContext): Implementation[] {
  const read = async () => {
    const s = await ctx.settings.get();
    return { ...s.value, resource_version: s.modRevision };
  };
  return [
    implement(api.settings.cluster, async (c) => withEtag(c, await read())),
    implement(api.settings.updateCluster, async (c, { body }) => {
      const { resource_version, ...patch } = body;
      await ctx.settings.update(patch, expected(c, resource_version), actor(c));
      c.set('auditDetails', patch);
      return withEtag(c, await read());
    }),
  ];
}
