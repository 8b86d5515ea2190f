import { ModelCacheEntry } from '../../core/domain/index.js';
import { keys } from '../../core/keys.js';
import type { ServerContext } from '../context.js';
import { errors } from '../errors.js';
import { actor } from '../http/helpers.js';
import { implement, type Implementation } from '../http/route.js';
import { api } from '../../api/index.js';
import { awaitCachePurge, requestCachePurge } from '../models/cache-purge.js';

/** How long the request waits for the node's answer before replying `pending` (202). */
const WAIT_MS = 15_000;

export function cachePurgeRoutes(ctx: ServerContext): Implementation[] {
  return [
    implement(api.nodes.purgeCache, async (c, { params }) => {
      const entry = await ctx.reader.get(keys.modelCache(params.node_id, params.hash), ModelCacheEntry);
      if (!entry) {
        throw errors.notFound(
          'CACHE_ENTRY_NOT_FOUND',
          `node "${params.node_id}" has no cache entry ${params.hash}`,
          { node_id: params.node_id, hash: params.hash },
        );
      }
      const { model_name, source } = entry.value;
      await requestCachePurge(ctx.store, ctx.clock, {
        nodeId: params.node_id,
        nameHash: params.hash,
        modelName: model_name,
        source,
        requestedBy: actor(c),
      });
      const outcome = await awaitCachePurge(ctx.store, ctx.clock, params.node_id, params.hash, WAIT_MS);
      const status = outcome?.status ?? 'done';
      if (status === 'refused') {
        throw errors.conflict(
          'CACHE_IN_USE',
          outcome?.reason ?? `"${model_name}" is in use on ${params.node_id}`,
          {
            node_id: params.node_id,
            model_name,
          },
        );
      }
      const body = {
        node_id: params.node_id,
        name_hash: params.hash,
        model_name,
        status,
        ...(outcome?.reason ? { reason: outcome.reason } : {}),
        ...(outcome?.freed_bytes !== undefined ? { freed_bytes: outcome.freed_bytes } : {}),
      };
      return status === 'pending' ? c.json(body, 202) : body;
    }),
  ];
}
