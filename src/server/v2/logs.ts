import { Endpoint, PlacementPlan } from '../../core/domain/index.js';
import { keys } from '../../core/keys.js';
import type { ServerContext } from '../context.js';
import { ApiError, errors } from '../errors.js';
import { implement, type Implementation } from '../http/route.js';
import { api } from '../../api/index.js';
import { endQuietly } from '../http/stream.js';

export function logRoutes(ctx: ServerContext): Implementation[] {
  return [
    implement(api.models.logs, async (c, { params, query }) => {
      const [ep, plan] = await Promise.all([
        ctx.reader.get(keys.endpoint(params.uid, params.replica_id), Endpoint),
        ctx.reader.get(keys.placement(params.uid), PlacementPlan),
      ]);
      const nodeId =
        ep?.value.node_id ?? plan?.value.assignments.find((a) => a.replica_id === params.replica_id)?.node_id;
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
    }),
  ];
}
