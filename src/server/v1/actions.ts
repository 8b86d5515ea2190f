import { ModelRequest } from '../../core/domain/index.js';
import { randomId } from '../../core/ids.js';
import { keys, prefixes } from '../../core/keys.js';
import { decode, encode, type Typed } from '../../store/json.js';
import type { ServerContext } from '../context.js';
import { ApiError, errors } from '../errors.js';
import { implement, type Implementation } from '../http/route.js';
import { api } from '../../api/index.js';
import { enforceEngineOverrides } from '../models/engine-config-policy.js';
import { buildSpec } from '../models/service.js';

export function v1ActionRoutes(ctx: ServerContext): Implementation[] {
  /** Marks requests Unloading (compared on their revisions); the scheduler removes plan and request. */
  const unload = async (reqs: Typed<ModelRequest>[]): Promise<ModelRequest[]> => {
    const now = new Date(ctx.clock.now()).toISOString();
    const out: ModelRequest[] = [];
    for (const r of reqs) {
      if (r.value.status === 'Unloading') {
        out.push(r.value);
        continue;
      }
      const next = ModelRequest.parse({ ...r.value, status: 'Unloading', updated_at: now });
      const res = await ctx.store.txn({
        compare: [{ key: r.key, modRevision: r.modRevision }],
        success: [{ op: 'put', key: r.key, value: encode(ModelRequest, next) }],
      });
      if (!res.succeeded)
        throw new ApiError(409, 'CONFLICT', `request ${r.value.request_id} changed concurrently; retry`);
      out.push(next);
    }
    return out;
  };

  return [
    implement(api.v1.load, async (c, { body }) => {
      const { request_id, replicas, model_uid, ...spec } = body;
      const id = request_id ?? randomId('req');
      c.set('auditResource', `model_request/${id}`);
      await enforceEngineOverrides(ctx, c, spec.engine_config);
      const now = new Date(ctx.clock.now()).toISOString();
      const req = ModelRequest.parse({
        request_id: id,
        spec: buildSpec(model_uid, spec, now),
        replicas,
        status: 'Pending',
        created_at: now,
        updated_at: now,
      });
      const res = await ctx.store.txn({
        compare: [{ key: keys.modelRequest(id), modRevision: 0 }],
        success: [{ op: 'put', key: keys.modelRequest(id), value: encode(ModelRequest, req) }],
      });
      if (!res.succeeded) throw errors.conflict('CONFLICT', `request "${id}" already exists`);
      c.set('auditDetails', { model_uid });
      return req;
    }),
    implement(api.v1.unload, async (c, { body }) => {
      let reqs: Typed<ModelRequest>[];
      if (body.request_id) {
        const kv = await ctx.store.get(keys.modelRequest(body.request_id));
        reqs = kv ? [decode(ModelRequest, kv)] : [];
      } else {
        const all = await ctx.reader.list(prefixes.modelRequests, ModelRequest);
        reqs = all.items.filter((t) => t.value.spec.model_uid === body.model_uid);
      }
      if (reqs.length === 0)
        throw errors.notFound('REQUEST_NOT_FOUND', 'no matching model request', { ...body });
      c.set(
        'auditResource',
        body.request_id ? `model_request/${body.request_id}` : `model/${body.model_uid}`,
      );
      return { items: await unload(reqs) };
    }),
    implement(api.v1.deleteRequest, async (_c, { params }) => {
      const kv = await ctx.store.get(keys.modelRequest(params.request_id));
      if (!kv) throw errors.notFound('REQUEST_NOT_FOUND', `request "${params.request_id}" not found`);
      const [out] = await unload([decode(ModelRequest, kv)]);
      if (!out) throw errors.notFound('REQUEST_NOT_FOUND', `request "${params.request_id}" not found`);
      return out;
    }),
    implement(api.v1.forceStop, async (c, { params, query }) => {
      const r = await ctx.nodes.stopModel(params.node_id, params.uid, c.var.traceparent, query.replica_id);
      if (r.status === 404) {
        throw errors.notFound(
          'REPLICA_NOT_FOUND',
          `node "${params.node_id}" runs no replica of "${params.uid}"`,
          {
            node_id: params.node_id,
            model_uid: params.uid,
          },
        );
      }
      if (r.status >= 400) {
        const why =
          r.status === 401
            ? 'refused the node admin token (check --node-token)'
            : `answered HTTP ${r.status}`;
        throw new ApiError(502, 'NODE_UNREACHABLE', `node "${params.node_id}" ${why}`, {
          details: { node_id: params.node_id, node_status: r.status, node_answer: r.body },
        });
      }
      return { node_id: params.node_id, model_uid: params.uid, node_status: r.status, result: r.body };
    }),
  ];
}
