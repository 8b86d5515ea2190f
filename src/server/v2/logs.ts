import { Endpoint, PlacementPlan } from '../../core/domain/index.js';
import { keys } from '../../core/keys.js';
import { z } from 'zod';
import type { ServerContext } from '../context.js';
import { ApiError, errors } from '../errors.js';
import { defineRoute, type AnyRoute } from '../http/route.js';
import { endQuietly } from '../http/stream.js';
import { QueryBool } from '../../api/schemas/common.js';
import { ReplicaParams } from '../../api/schemas/models.js';

const LogsQuery = z.object({
  tail: z.coerce.number().int().min(1).max(10_000).default(200),
  follow: QueryBool.optional(),
});

export function logRoutes(ctx: ServerContext): AnyRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api/v2/models/{uid}/replicas/{replica_id}/logs',
      summary: "A replica's engine log, from its node (text; `follow=true` streams Server-Sent Events)",
      description:
        'Proxied from the node admin API `GET /admin/models/{uid}/replicas/{rid}/logs?tail=N`. The node is the one the endpoint or plan names.',
      tags: ['models', 'logs'],
      params: ReplicaParams,
      query: LogsQuery,
      produces: 'text/plain',
      handler: async (c, { params, query }) => {
        const [ep, plan] = await Promise.all([
          ctx.reader.get(keys.endpoint(params.uid, params.replica_id), Endpoint),
          ctx.reader.get(keys.placement(params.uid), PlacementPlan),
        ]);
        const nodeId =
          ep?.value.node_id ??
          plan?.value.assignments.find((a) => a.replica_id === params.replica_id)?.node_id;
        if (!nodeId) {
          throw errors.notFound(
            'REPLICA_NOT_FOUND',
            `replica ${params.replica_id} of "${params.uid}" is not placed on any node`,
            {
              model_uid: params.uid,
              replica_id: params.replica_id,
            },
          );
        }
        const follow = query.follow ?? false;
        const upstream = await ctx.nodes.logs(nodeId, params.uid, params.replica_id, {
          tail: query.tail,
          follow,
          traceparent: c.var.traceparent,
          signal: c.req.raw.signal,
        });
        if (!upstream.ok) {
          await upstream.body?.cancel();
          if (upstream.status === 404) {
            throw errors.notFound(
              'REPLICA_NOT_FOUND',
              `node "${nodeId}" has no log for replica ${params.replica_id} of "${params.uid}"`,
            );
          }
          throw new ApiError(502, 'NODE_UNREACHABLE', `node "${nodeId}" answered HTTP ${upstream.status}`, {
            details: { node_id: nodeId, status: upstream.status },
          });
        }
        const headers = new Headers({
          'content-type':
            upstream.headers.get('content-type') ??
            (follow ? 'text/event-stream' : 'text/plain; charset=utf-8'),
          'cache-control': 'no-cache',
          'x-nebula-node': nodeId,
        });
        if (follow) headers.set('x-accel-buffering', 'no');
        return new Response(upstream.body ? endQuietly(upstream.body) : null, {
          status: upstream.status,
          headers,
        });
      },
    }),
  ];
}
