import type { Context } from 'hono';
import { DiskAlert, ModelCacheEntry, NodeDiskStatus, NodeSettings } from '../../core/domain/index.js';
import { keys } from '../../core/keys.js';
import { decode, encode } from '../../store/json.js';
import { buildNodeDetail, buildNodeView, knownNodeIds } from '../aggregation/node-view.js';
import { cacheEntryView } from '../aggregation/nodes-snapshot.js';
import type { ServerContext } from '../context.js';
import { ApiError, errors } from '../errors.js';
import type { ServerEnv } from '../http/env.js';
import { actor, expected, withEtag } from '../http/helpers.js';
import { implement, type Implementation } from '../http/route.js';
import { api } from '../../api/index.js';
import { checkExpected } from '../models/service.js';
import { NodeSettingsView } from '../../api/schemas/nodes.js';

/** True when the store knows the node: it is online, or was configured, reported or planned on. */
async function nodeKnown(ctx: ServerContext, nodeId: string): Promise<boolean> {
  const found = await Promise.all([
    ctx.store.get(keys.nodeStatus(nodeId)),
    ctx.store.get(keys.nodeSettings(nodeId)),
    ctx.store.get(keys.nodeDisk(nodeId)),
  ]);
  return found.some((kv) => kv !== undefined);
}

/** Writes operator intent for a node (cordon / drain), compared on the settings' revision. */
async function writeSettings(
  ctx: ServerContext,
  c: Context<ServerEnv>,
  nodeId: string,
  bodyVersion: number | undefined,
  patch: Partial<Pick<NodeSettings, 'cordoned' | 'draining'>>,
): Promise<NodeSettingsView> {
  const kv = await ctx.store.get(keys.nodeSettings(nodeId));
  if (!kv && !(await nodeKnown(ctx, nodeId))) {
    throw errors.notFound('NODE_NOT_FOUND', `node "${nodeId}" is not known`, { node_id: nodeId });
  }
  const cur = kv ? decode(NodeSettings, kv) : undefined;
  checkExpected(expected(c, bodyVersion), cur?.modRevision);
  const next = NodeSettings.parse({
    ...(cur?.value ?? { node_id: nodeId, labels: {} }),
    ...patch,
    updated_at: new Date(ctx.clock.now()).toISOString(),
    updated_by: actor(c),
  });
  const res = await ctx.store.txn({
    compare: [{ key: keys.nodeSettings(nodeId), modRevision: cur?.modRevision ?? 0 }],
    success: [{ op: 'put', key: keys.nodeSettings(nodeId), value: encode(NodeSettings, next) }],
  });
  if (!res.succeeded) throw new ApiError(409, 'CONFLICT', 'the node settings changed concurrently; retry');
  return withEtag(c, { ...next, resource_version: res.revision });
}

export function nodeRoutes(ctx: ServerContext): Implementation[] {
  const action = (e: typeof api.nodes.cordon, patch: Partial<Pick<NodeSettings, 'cordoned' | 'draining'>>) =>
    implement(e, async (c, { params, body }) =>
      writeSettings(ctx, c, params.node_id, body.resource_version, patch),
    );
  return [
    implement(api.nodes.list, async () => {
      const snap = await ctx.views.nodes();
      const now = ctx.clock.now();
      return { items: knownNodeIds(snap).map((id) => buildNodeView(snap, id, now)) };
    }),
    implement(api.nodes.get, async (c, { params }) => {
      const [snap, cache] = await Promise.all([ctx.views.nodes(), ctx.views.cacheEntries()]);
      if (!knownNodeIds(snap).includes(params.node_id) && !cache.some((e) => e.node_id === params.node_id)) {
        throw errors.notFound('NODE_NOT_FOUND', `node "${params.node_id}" is not known`, {
          node_id: params.node_id,
        });
      }
      const view = buildNodeDetail(snap, params.node_id, ctx.clock.now(), cache);
      c.header('ETag', `"${view.settings_resource_version}"`);
      return view;
    }),
    action(api.nodes.cordon, {
      cordoned: true,
    }),
    action(api.nodes.uncordon, {
      cordoned: false,
      draining: false,
    }),
    action(api.nodes.drain, {
      cordoned: true,
      draining: true,
    }),
    implement(api.nodes.cache, async (_c, { params }) => {
      const res = await ctx.reader.list(keys.modelCacheOf(params.node_id), ModelCacheEntry);
      if (res.items.length === 0 && !(await nodeKnown(ctx, params.node_id))) {
        throw errors.notFound('NODE_NOT_FOUND', `node "${params.node_id}" is not known`, {
          node_id: params.node_id,
        });
      }
      const items = res.items.map(cacheEntryView);
      return { node_id: params.node_id, items, total_bytes: items.reduce((n, e) => n + e.size_bytes, 0) };
    }),
    implement(api.nodes.disk, async (_c, { params }) => {
      const [disk, alerts] = await Promise.all([
        ctx.reader.get(keys.nodeDisk(params.node_id), NodeDiskStatus),
        ctx.reader.list(keys.alertsOf(params.node_id), DiskAlert),
      ]);
      if (!disk && alerts.items.length === 0 && !(await nodeKnown(ctx, params.node_id))) {
        throw errors.notFound('NODE_NOT_FOUND', `node "${params.node_id}" is not known`, {
          node_id: params.node_id,
        });
      }
      return {
        node_id: params.node_id,
        disk: disk?.value ?? null,
        alerts: alerts.items.map((t) => t.value),
      };
    }),
  ];
}
