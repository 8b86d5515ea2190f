import { z } from 'zod';
import { CachePurgeStatus, ModelCacheEntry } from '../../core/domain/index.js';
import { NodeId } from '../../core/ids.js';
import { keys } from '../../core/keys.js';
import type { ServerContext } from '../context.js';
import { errors } from '../errors.js';
import { actor } from '../http/helpers.js';
import { defineRoute, type AnyRoute } from '../http/route.js';
import { awaitCachePurge, requestCachePurge } from '../models/cache-purge.js';

const PurgeParams = z.object({ node_id: NodeId, hash: z.string().regex(/^[A-Za-z0-9._-]{1,128}$/) });

const PurgeResult = z.object({
  node_id: NodeId,
  name_hash: z.string(),
  model_name: z.string(),
  status: CachePurgeStatus,
  reason: z.string().optional(),
  freed_bytes: z.number().optional(),
});

/** How long the request waits for the node's answer before replying `pending` (202). */
const WAIT_MS = 15_000;

export function cachePurgeRoutes(ctx: ServerContext): AnyRoute[] {
  return [
    defineRoute({
      method: 'delete',
      path: '/api/v2/nodes/{node_id}/cache/{hash}',
      summary: "Deletes one model's files from a node's cache (refused while a running replica uses them)",
      description:
        'Writes a purge request the node handles; answers with its outcome, or `pending` (202) when the node has not answered within 15 s. `hash` is the cache entry key (`model_name_hash`).',
      tags: ['nodes', 'cache'],
      params: PurgeParams,
      response: PurgeResult,
      handler: async (c, { params }) => {
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
          throw errors.conflict('CACHE_IN_USE', outcome?.reason ?? `"${model_name}" is in use on ${params.node_id}`, {
            node_id: params.node_id,
            model_name,
          });
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
      },
    }),
  ];
}
