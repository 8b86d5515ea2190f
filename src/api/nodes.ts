import type { z } from 'zod';
import { endpoint } from './endpoint.js';
import {
  AlertList,
  AlertsQuery,
  CacheSummary,
  EngineList,
  EnginesQuery,
  NodeActionBody,
  NodeCacheResponse,
  NodeDetailView,
  NodeDiskResponse,
  NodeList,
  NodeParams,
  NodeSettingsView,
  PurgeParams,
  PurgeResult,
} from './schemas/index.js';

/** cordon, uncordon, drain: operator intent for a node, compared on its settings' revision. */
const nodeAction = (name: 'cordon' | 'uncordon' | 'drain', summary: string) =>
  endpoint({
    method: 'post',
    path: `/api/v2/nodes/{node_id}/${name}`,
    minRole: 'operator',
    action: `node.${name}`,
    resource: 'node/{node_id}',
    summary,
    tags: ['nodes'],
    params: NodeParams,
    body: NodeActionBody,
    bodyOptional: true,
    response: NodeSettingsView,
  });

/** A viewer's read of one node (`/api/v2/nodes/{node_id}` and what lies below it). */
const nodeRead = <R extends z.ZodType>(
  sub: '' | '/cache' | '/disk',
  action: string,
  summary: string,
  tags: string[],
  response: R,
) =>
  endpoint({
    method: 'get',
    path: `/api/v2/nodes/{node_id}${sub}`,
    minRole: 'viewer',
    action,
    resource: 'node/{node_id}',
    summary,
    tags,
    params: NodeParams,
    response,
  });

/** Inference engines each node can launch. */
export const engines = {
  list: endpoint({
    method: 'get',
    path: '/api/v2/engines',
    minRole: 'viewer',
    action: 'engine.list',
    resource: 'engines',
    summary: 'Engines per node: type, version and executable path, and engines found but unusable',
    description:
      "Read from the node agents' status (online nodes only). Nodes whose agent does not report engines " +
      'are listed in unreported_nodes; the scheduler places any engine there.',
    tags: ['engines', 'nodes'],
    query: EnginesQuery,
    response: EngineList,
  }),
};

/** Nodes: status, GPUs, cache, disk; cordon / drain. */
export const nodes = {
  purgeCache: endpoint({
    method: 'delete',
    path: '/api/v2/nodes/{node_id}/cache/{hash}',
    minRole: 'admin',
    action: 'cache.purge',
    resource: 'node/{node_id}/cache/{hash}',
    summary: "Deletes one model's files from a node's cache (refused while a running replica uses them)",
    description:
      'Writes a purge request the node handles; answers with its outcome, or `pending` (202) when the node has not answered within 15 s. `hash` is the cache entry key (`model_name_hash`).',
    tags: ['nodes', 'cache'],
    params: PurgeParams,
    response: PurgeResult,
  }),
  list: endpoint({
    method: 'get',
    path: '/api/v2/nodes',
    minRole: 'viewer',
    action: 'node.list',
    resource: 'nodes',
    summary: 'List nodes: status, settings, GPUs with reserved memory, replicas, disk, alerts',
    description:
      'Offline nodes the store still remembers (settings, disk, plans) are listed with online=false.',
    tags: ['nodes'],
    response: NodeList,
  }),
  get: nodeRead(
    '',
    'node.get',
    'Node detail: status, settings, GPUs, assignments, endpoints, disk, alerts, cache',
    ['nodes'],
    NodeDetailView,
  ),
  cordon: nodeAction('cordon', 'Cordon a node: no new replicas are placed on it'),
  uncordon: nodeAction('uncordon', 'Uncordon a node (also ends a drain)'),
  drain: nodeAction('drain', 'Drain a node: cordon it and let the scheduler move its replicas away'),
  cache: nodeRead('/cache', 'cache.list', "A node's model cache", ['nodes', 'cache'], NodeCacheResponse),
  disk: nodeRead(
    '/disk',
    'disk.get',
    "A node's cache disk status and alerts",
    ['nodes', 'cache'],
    NodeDiskResponse,
  ),
};

/** The cluster's model cache. */
export const cache = {
  summary: endpoint({
    method: 'get',
    path: '/api/v2/cache/summary',
    minRole: 'viewer',
    action: 'cache.summary',
    resource: 'cache',
    summary:
      'Cluster-wide cache: each model’s files, on which nodes, sizes, last use, and the models using them',
    tags: ['cache'],
    response: CacheSummary,
  }),
};

/** Disk alerts of the nodes' caches. */
export const alerts = {
  list: endpoint({
    method: 'get',
    path: '/api/v2/alerts',
    minRole: 'viewer',
    action: 'alert.list',
    resource: 'alerts',
    summary: 'Active alerts (disk usage >= 85 % warning, >= 95 % critical), critical first',
    tags: ['cache', 'nodes'],
    query: AlertsQuery,
    response: AlertList,
  }),
};
