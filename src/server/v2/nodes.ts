import type { Context } from 'hono';
import { DiskAlert, ModelCacheEntry, NodeDiskStatus, NodeSettings } from '../../core/domain/index.js';
import { keys } from '../../core/keys.js';
import { decode, encode } from '../../store/json.js';
import { buildNodeDetail, buildNodeView, knownNodeIds } from '../aggregation/node-view.js';
import type { ServerContext } from '../context.js';
import { ApiError, errors } from '../errors.js';
import type { ServerEnv } from '../http/env.js';
import { actor, expected, withEtag } from '../http/helpers.js';
import { defineRoute, type AnyRoute } from '../http/route.js';
import { checkExpected } from '../models/service.js';
import { NodeCacheResponse, NodeDiskResponse } from '../../api/schemas/cache.js';
import { NodeActionBody, NodeDetailView, NodeList, NodeParams, NodeSettingsView } from '../../api/schemas/nodes.js';

const tags = ['nodes'];

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

export function nodeRoutes(ctx: ServerContext): AnyRoute[] {
  const action = (
    path: string,
    summary: string,
    patch: Partial<Pick<NodeSettings, 'cordoned' | 'draining'>>,
  ) =>
    defineRoute({
      method: 'post',
      path,
      summary,
      tags,
      params: NodeParams,
      body: NodeActionBody,
      bodyOptional: true,
      response: NodeSettingsView,
      handler: async (c, { params, body }) =>
        writeSettings(ctx, c, params.node_id, body.resource_version, patch),
    });
  return [
    defineRoute({
      method: 'get',
      path: '/api/v2/nodes',
      summary: 'List nodes: status, settings, GPUs with reserved memory, replicas, disk, alerts',
      description:
        'Offline nodes the store still remembers (settings, disk, plans) are listed with online=false.',
      tags,
      response: NodeList,
      handler: async () => {
        const snap = await ctx.views.nodes();
        const now = ctx.clock.now();
        return { items: knownNodeIds(snap).map((id) => buildNodeView(snap, id, now)) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v2/nodes/{node_id}',
      summary: 'Node detail: status, settings, GPUs, assignments, endpoints, disk, alerts, cache',
      tags,
      params: NodeParams,
      response: NodeDetailView,
      handler: async (c, { params }) => {
        const [snap, cache] = await Promise.all([ctx.views.nodes(), ctx.views.cacheEntries()]);
        if (
          !knownNodeIds(snap).includes(params.node_id) &&
          !cache.some((e) => e.node_id === params.node_id)
        ) {
          throw errors.notFound('NODE_NOT_FOUND', `node "${params.node_id}" is not known`, {
            node_id: params.node_id,
          });
        }
        const view = buildNodeDetail(snap, params.node_id, ctx.clock.now(), cache);
        c.header('ETag', `"${view.settings_resource_version}"`);
        return view;
      },
    }),
    action('/api/v2/nodes/{node_id}/cordon', 'Cordon a node: no new replicas are placed on it', {
      cordoned: true,
    }),
    action('/api/v2/nodes/{node_id}/uncordon', 'Uncordon a node (also ends a drain)', {
      cordoned: false,
      draining: false,
    }),
    action(
      '/api/v2/nodes/{node_id}/drain',
      'Drain a node: cordon it and let the scheduler move its replicas away',
      {
        cordoned: true,
        draining: true,
      },
    ),
    defineRoute({
      method: 'get',
      path: '/api/v2/nodes/{node_id}/cache',
      summary: "A node's model cache",
      tags: ['nodes', 'cache'],
      params: NodeParams,
      response: NodeCacheResponse,
      handler: async (_c, { params }) => {
        const res = await ctx.reader.list(keys.modelCacheOf(params.node_id), ModelCacheEntry);
        if (res.items.length === 0 && !(await nodeKnown(ctx, params.node_id))) {
          throw errors.notFound('NODE_NOT_FOUND', `node "${params.node_id}" is not known`, {
            node_id: params.node_id,
          });
        }
        const items = res.items.map((t) => t.value);
        return { node_id: params.node_id, items, total_bytes: items.reduce((n, e) => n + e.size_bytes, 0) };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v2/nodes/{node_id}/disk',
      summary: "A node's cache disk status and alerts",
      tags: ['nodes', 'cache'],
      params: NodeParams,
      response: NodeDiskResponse,
      handler: async (_c, { params }) => {
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
      },
    }),
  ];
}
