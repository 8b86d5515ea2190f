/** `nebula node list|get|cordon|uncordon|drain`: the GPU machines of the cluster. */
import type { Command } from 'commander';
import type { NebulaClient, NodeDetailView, NodeView } from '../../client/index.js';
import { group, leaf, listing, showing } from '../define.js';
import { formatBytes, formatDuration, formatPercent } from '../output/human.js';
import { colorState, type Style } from '../output/style.js';
import { renderFields, renderTable } from '../output/table.js';
import { pollUntil, type PollOptions } from '../wait.js';
import { checkNodeId } from './cache.js';
import { finishWaiting } from './lifecycle.js';

function nodeState(n: NodeView): string {
  if (!n.online) return 'offline';
  if (n.draining) return 'draining';
  if (n.cordoned) return 'cordoned';
  return 'ready';
}

function colorNodeState(style: Style, state: string): string {
  if (state === 'ready') return style.green(state);
  if (state === 'offline') return style.red(state);
  return style.yellow(state);
}

function heartbeat(n: NodeView): string | undefined {
  if (n.heartbeat_age_seconds === null) return undefined;
  return n.heartbeat_age_seconds < 1
    ? 'just now'
    : `${formatDuration(Math.floor(n.heartbeat_age_seconds) * 1000)} ago`;
}

function gpuMemory(n: NodeView): string {
  if (n.gpus.length === 0) return '-';
  return `${formatBytes(n.gpu_memory_reserved_bytes)} / ${formatBytes(n.gpu_memory_total_bytes)}`;
}

export function nodesTable(nodes: readonly NodeView[], style: Style): string {
  return renderTable(
    [
      { header: 'NODE', value: (n) => n.node_id },
      { header: 'STATE', value: nodeState, decorate: (t) => colorNodeState(style, t) },
      { header: 'ADDRESS', value: (n) => n.address },
      {
        header: 'GPUS',
        value: (n) => (n.gpus.length === 0 ? '0' : `${n.gpus.length}x ${n.gpus[0]?.name ?? ''}`),
        maxWidth: 32,
      },
      { header: 'GPU MEM (RESERVED/TOTAL)', value: gpuMemory },
      { header: 'REPLICAS', value: (n) => `${n.ready_replicas}/${n.replicas}` },
      { header: 'DISK', value: (n) => (n.disk ? formatPercent(n.disk.usage_percent) : undefined) },
      { header: 'HEARTBEAT', value: heartbeat },
    ],
    nodes,
  );
}

/** Engine rows of a node's detail, only when the agent reports engines (older agents do not). */
function engineFields(n: NodeDetailView): [string, string][] {
  const rows: [string, string][] = [];
  if (n.engines)
    rows.push(['Engines', n.engines.map((e) => `${e.type}${e.version ? ` ${e.version}` : ''}`).join(', ')]);
  if (n.engine_errors.length > 0)
    rows.push(['Unusable', n.engine_errors.map((e) => `${e.type}: ${e.error}`).join('; ')]);
  return rows;
}

function nodeDetail(n: NodeDetailView, style: Style): string {
  let out = renderFields([
    ['Node', n.node_id],
    ['State', colorNodeState(style, nodeState(n))],
    [
      'Address',
      n.address === null ? undefined : `${n.address}${n.admin_port ? ` (admin :${n.admin_port})` : ''}`,
    ],
    ['Version', n.version],
    ['Heartbeat', heartbeat(n)],
    ['GPU source', n.gpu_source],
    ['Ports', n.port_range ? `${n.port_range.start}-${n.port_range.end}` : undefined],
    ...engineFields(n),
    [
      'Labels',
      Object.entries(n.labels)
        .map(([k, v]) => `${k}=${v}`)
        .join(' '),
    ],
    [
      'Disk',
      n.disk
        ? `${formatBytes(n.disk.used_bytes)} / ${formatBytes(n.disk.total_bytes)} (${formatPercent(n.disk.usage_percent)}) at ${n.disk.path}`
        : undefined,
    ],
    ['Alerts', n.alerts.map((a) => `${a.level}: ${a.message}`).join('; ')],
  ]);
  if (n.gpus.length > 0) {
    out += '\nGPUs:\n';
    out += renderTable(
      [
        { header: 'INDEX', value: (g) => g.index },
        { header: 'NAME', value: (g) => g.name },
        {
          header: 'MEMORY USED/TOTAL',
          value: (g) => `${formatBytes(g.memory_used_bytes)} / ${formatBytes(g.memory_total_bytes)}`,
        },
        { header: 'RESERVED', value: (g) => formatBytes(g.reserved_memory_bytes) },
        { header: 'UTIL', value: (g) => formatPercent(g.utilization_percent) },
        {
          header: 'REPLICAS',
          value: (g) => g.replicas.map((r) => `${r.model_uid}/${r.replica_id}`).join(','),
        },
      ],
      n.gpus,
    );
  }
  if (n.assignments.length > 0) {
    out += '\nReplicas:\n';
    const status = new Map(n.endpoints.map((e) => [`${e.model_uid}/${e.replica_id}`, e.status]));
    out += renderTable(
      [
        { header: 'MODEL', value: (a) => a.model_uid },
        { header: 'REPLICA', value: (a) => a.replica_id },
        { header: 'GPUS', value: (a) => a.gpu_indices.join(',') },
        { header: 'MEMORY', value: (a) => formatBytes(a.gpu_memory_bytes) },
        { header: 'PORT', value: (a) => a.port },
        {
          header: 'STATUS',
          value: (a) => status.get(`${a.model_uid}/${a.replica_id}`) ?? 'pending',
          decorate: (t) => colorState(style, t),
        },
      ],
      n.assignments,
    );
  }
  return out;
}

const NODE_ARG = ['<node_id>', 'the node', checkNodeId] as const;

export function registerNodeCommands(program: Command): void {
  // `nebula node` with no subcommand is the node agent role (role-node.ts) when that is registered; the
  // client subcommands hang under the same command.
  let node = program.commands.find((c) => c.name() === 'node');
  if (!node) {
    node = group(program, 'node', 'GPU machines: list, inspect, cordon, drain', [
      'nebula node list',
      'nebula node cordon gpu-3',
      'nebula node drain gpu-3',
    ]);
  }

  leaf(node, {
    name: 'list',
    description: 'list nodes with GPUs, reservations and health',
    examples: ['nebula node list', 'nebula node list -o json'],
    run: listing(
      (ctx) => ctx.client().nodes.list(),
      (rows, ctx) => nodesTable(rows, ctx.style),
      'No nodes have registered.',
    ),
  });

  leaf(node, {
    name: 'get',
    args: [NODE_ARG],
    description: 'show a node: GPUs, replicas, disk, alerts',
    examples: ['nebula node get gpu-1', 'nebula node get gpu-1 -o yaml'],
    run: showing(
      (ctx, id) => ctx.client().nodes.get(id),
      (n, ctx) => nodeDetail(n, ctx.style),
    ),
  });

  const verbs = [
    ['cordon', 'stop placing new replicas on a node (running ones stay)', 'cordon', 'cordoned'],
    ['uncordon', 'allow new replicas on a node again (also ends a drain)', 'uncordon', 'uncordoned'],
    [
      'drain',
      'cordon a node and migrate its replicas: each gets a replacement on another node first and retires ' +
        'once that one is ready (no downtime); replicas without room elsewhere keep serving (an event says why)',
      'drain',
      'draining',
    ],
  ] as const;
  for (const [verb, description, method, done] of verbs) {
    leaf(node, {
      name: verb,
      args: [NODE_ARG],
      description,
      wait: verb === 'drain',
      examples:
        verb === 'drain'
          ? ['nebula node drain gpu-3', 'nebula node drain gpu-3 --wait --timeout 30m']
          : [`nebula node ${verb} gpu-3`],
      run: async (ctx, id) => {
        const result = await ctx.client().nodes[method](id);
        await finishWaiting(
          ctx,
          `Node ${id} ${done}.`,
          result,
          verb === 'drain'
            ? (timeoutMs) => waitForNodeDrained(ctx.client(), id, { timeoutMs, progress: ctx.progress() })
            : undefined,
        );
      },
    });
  }
}

/** `node drain --wait`: polls the node until no replica is planned on it, showing how many are left. */
async function waitForNodeDrained(
  client: NebulaClient,
  nodeId: string,
  o: PollOptions,
): Promise<NodeDetailView> {
  return pollUntil<NodeDetailView>(o, 1000, async () => {
    const n = await client.nodes.get(nodeId);
    const left = n.assignments.length;
    if (left === 0) {
      o.progress.done(`${nodeId}: drained, no replicas left`);
      return { done: n };
    }
    const names = n.assignments
      .slice(0, 5)
      .map((a) => `${a.model_uid}/${a.replica_id}`)
      .join(', ');
    const line = `${nodeId}: ${left} replica(s) still on the node (${names}${left > 5 ? ', ...' : ''})`;
    o.progress.update(line, String(left));
    return {
      waiting:
        `with ${left} replica(s) still on ${nodeId}; ` +
        'see nebula model events <uid> for why (no room elsewhere?)',
    };
  });
}
