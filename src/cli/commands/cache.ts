/** `nebula cache list [--node]` and `nebula disk status [--node]`: model files on the nodes and their disks. */
import type { Command } from 'commander';
import { NODE_ID_PATTERN } from '../../core/ids.js';
import type { DiskAlert, NodeDiskStatus } from '../../core/domain/index.js';
import { group, leaf } from '../define.js';
import { UsageError } from '../errors.js';
import { formatAge, formatBytes, formatPercent } from '../output/human.js';
import { colorState } from '../output/style.js';
import { renderTable, type Column } from '../output/table.js';
import type { CommandContext } from '../runtime.js';

export function checkNodeId(id: string): string {
  if (!NODE_ID_PATTERN.test(id)) throw new UsageError(`invalid node id "${id}"`, 'INVALID_NODE_ID');
  return id;
}

interface DiskRow {
  node_id: string;
  disk: NodeDiskStatus | null;
  alerts: DiskAlert[];
}

export function diskTable(rows: readonly DiskRow[], color: (s: string) => string): string {
  return renderTable(
    [
      { header: 'NODE', value: (r) => r.node_id },
      { header: 'PATH', value: (r) => r.disk?.path },
      { header: 'TOTAL', value: (r) => (r.disk ? formatBytes(r.disk.total_bytes) : undefined) },
      { header: 'USED', value: (r) => (r.disk ? formatBytes(r.disk.used_bytes) : undefined) },
      { header: 'AVAILABLE', value: (r) => (r.disk ? formatBytes(r.disk.available_bytes) : undefined) },
      { header: 'USAGE', value: (r) => (r.disk ? formatPercent(r.disk.usage_percent) : undefined) },
      {
        header: 'ALERT',
        value: (r) =>
          r.alerts
            .map((a) => a.level)
            .sort()
            .reverse()[0] ?? 'ok',
        decorate: (t) => (t === 'ok' ? t : color(t)),
      },
    ],
    rows,
  );
}

/** Which GGUF files each model holds (GGUF repositories keep only the variants models load). */
export function ggufLines(
  items: readonly { model_name: string; gguf_files?: string[] | undefined }[],
): string {
  const withGguf = items.filter((i) => i.gguf_files && i.gguf_files.length > 0);
  if (withGguf.length === 0) return '';
  return `GGUF files cached:\n${withGguf.map((i) => `  ${i.model_name}: ${(i.gguf_files ?? []).join(', ')}\n`).join('')}`;
}

const ago = (iso: string | null | undefined, nowMs: number): string | undefined =>
  iso ? `${formatAge(iso, nowMs)} ago` : undefined;

type CachedRow = { model_name: string; source: string; revision: string | null; size_bytes: number };

/**
 * Prints a cache listing (the cluster's, or one node's): the whole response with -o json/yaml (totals
 * included); otherwise the model columns both start with, then `columns`, a total line and the GGUF files.
 */
function printCache<T extends CachedRow & { gguf_files?: string[] | undefined }>(
  ctx: CommandContext,
  res: { items: T[] },
  columns: Column<T>[],
  total: string,
  empty: string,
): void {
  if (ctx.format !== 'table') return ctx.print(res, () => '');
  ctx.printList(
    res.items,
    (items) =>
      renderTable(
        [
          { header: 'MODEL', value: (e) => e.model_name, maxWidth: 48 },
          { header: 'SOURCE', value: (e) => e.source },
          { header: 'REVISION', value: (e) => e.revision, maxWidth: 12 },
          { header: 'SIZE', value: (e) => formatBytes(e.size_bytes) },
          ...columns,
        ],
        items,
      ) +
      `${total}\n` +
      ggufLines(items),
    empty,
  );
}

export function registerCacheCommands(program: Command): void {
  const cache = group(program, 'cache', 'model files cached on the nodes', [
    'nebula cache list',
    'nebula cache list --node gpu-1',
  ]);
  leaf(cache, {
    name: 'list',
    description: 'cached models across the cluster, or on one node with --node',
    options: [['--node <node_id>', 'only this node (with paths and file counts)']],
    examples: ['nebula cache list', 'nebula cache list --node gpu-1 -o json'],
    run: async (ctx) => {
      const node = ctx.str('node');
      if (node !== undefined) {
        const res = await ctx.client().nodes.cache(checkNodeId(node));
        printCache(
          ctx,
          res,
          [
            { header: 'FILES', value: (e) => e.file_count },
            { header: 'COMPLETE', value: (e) => (e.complete ? 'yes' : 'no') },
            { header: 'LAST USED', value: (e) => ago(e.last_used_at, ctx.now()) },
            { header: 'PATH', value: (e) => e.path },
          ],
          `Total: ${formatBytes(res.total_bytes)}`,
          `No cached models on node ${node}.`,
        );
        return;
      }
      const summary = await ctx.client().cache.summary();
      printCache(
        ctx,
        summary,
        [
          { header: 'NODES', value: (c) => `${c.complete_nodes}/${c.node_count}` },
          { header: 'LAST USED', value: (c) => ago(c.last_used_at, ctx.now()) },
          {
            header: 'USED BY',
            value: (c) => c.models.map((m) => `${m.model_uid}(${m.state})`).join(','),
            maxWidth: 60,
          },
        ],
        `Total: ${formatBytes(summary.total_bytes)} on ${summary.node_count} node(s)`,
        'No cached models.',
      );
    },
  });

  const disk = group(program, 'disk', "disk usage of the nodes' model caches", ['nebula disk status']);
  leaf(disk, {
    name: 'status',
    description: 'disk usage and alerts (85% warning, 95% critical) per node',
    options: [['--node <node_id>', 'only this node']],
    examples: ['nebula disk status', 'nebula disk status --node gpu-1 -o json'],
    run: async (ctx) => {
      const node = ctx.str('node');
      const red = (s: string): string => colorState(ctx.style, s);
      if (node !== undefined) {
        const res = await ctx.client().nodes.disk(checkNodeId(node));
        ctx.print(res, () => diskTable([res], red));
        return;
      }
      const { items } = await ctx.client().nodes.list();
      const rows = items.map((n) => ({ node_id: n.node_id, disk: n.disk, alerts: n.alerts }));
      ctx.printList(rows, (r) => diskTable(r, red), 'No nodes.');
    },
  });
}
