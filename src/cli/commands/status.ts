/** `nebula status`: cluster health at a glance (store, router, scheduler, nodes, models, alerts). */
import type { Command } from 'commander';
import type { Health, Overview } from '../../client/index.js';
import { examples, withConnection, withOutput } from '../define.js';
import { formatBytes } from '../output/human.js';
import type { Style } from '../output/style.js';
import { renderFields } from '../output/table.js';
import { action } from '../runtime.js';

function counts(by: Record<string, number>): string {
  const parts = Object.entries(by)
    .filter(([, n]) => n > 0)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, n]) => `${n} ${k}`);
  return parts.length > 0 ? ` (${parts.join(', ')})` : '';
}

/** GPU memory and utilisation in one line: the fullest GPU and the average load (pure). */
export function gpuUsageText(gpus: Health['gpus']): string {
  if (gpus.length === 0) return 'no GPUs reported';
  const fullest = gpus.reduce((a, b) => (b.memory_used_ratio > a.memory_used_ratio ? b : a));
  const util = gpus.reduce((n, g) => n + g.utilization_percent, 0) / gpus.length;
  return `memory up to ${Math.round(fullest.memory_used_ratio * 100)}% (${fullest.node_id}/${fullest.index}), utilisation ${Math.round(util)}% on average`;
}

/** The status page as text (pure). */
export function statusText(o: Overview, h: Health, server: string, style: Style): string {
  const ok = (good: boolean, text: string): string => (good ? style.green(text) : style.red(text));
  const router = h.router.ok
    ? ok(true, 'ok')
    : ok(false, `unreachable${h.router.error ? `: ${h.router.error}` : ''}`);
  const lagging = h.plan_consistency.lagging.length;
  const crashLooping = h.engines.issues.filter((e) => e.crash_looping).length;
  const restarted = h.engines.issues.filter((e) => e.restarts > 0).length;
  const engineNotes = [
    crashLooping > 0 ? style.red(`${crashLooping} crash-looping`) : '',
    restarted > 0 ? style.yellow(`${restarted} restarted`) : '',
  ].filter((s) => s !== '');
  const fields = renderFields([
    ['Cluster', `${ok(h.status === 'ok', h.status)} (${server})`],
    [
      'Store',
      `${ok(h.store.ok, h.store.ok ? 'ok' : `down${h.store.error ? `: ${h.store.error}` : ''}`)} (${h.store.kind}${h.store.revision === null ? '' : `, revision ${h.store.revision}`})`,
    ],
    ['Router', `${router}${h.router.url ? ` (${h.router.url})` : ''}`],
    [
      'Scheduler',
      h.scheduler.leader
        ? `leader ${h.scheduler.leader}${h.scheduler.since ? ` since ${h.scheduler.since}` : ''}`
        : ok(false, 'no leader'),
    ],
    ['Nodes', `${o.nodes.online} online, ${o.nodes.offline} offline, ${o.nodes.cordoned} cordoned`],
    [
      'GPUs',
      `${o.gpus.total} (reserved ${formatBytes(o.gpus.memory_reserved_bytes)} of ${formatBytes(o.gpus.memory_total_bytes)})`,
    ],
    ['Models', `${o.models.total}${counts(o.models.by_state)}`],
    ['Endpoints', `${o.endpoints.total}${counts(o.endpoints.by_status)}`],
    [
      'Placements',
      `${o.placements.total} (${o.placements.replicas} replicas, ${o.placements.unplaced} with unplaced replicas)`,
    ],
    ['v1 requests', `${o.requests.total}${counts(o.requests.by_status)}`],
    [
      'Alerts',
      o.alerts.total === 0
        ? 'none'
        : ok(o.alerts.critical === 0, `${o.alerts.total} (${o.alerts.critical} critical)`),
    ],
    [
      'Plans',
      lagging === 0
        ? 'all replicas run their latest plan'
        : style.yellow(`${lagging} replica(s) behind their plan`),
    ],
    [
      'Engines',
      `${h.engines.total}${counts(h.engines.by_status)}${engineNotes.length > 0 ? `; ${engineNotes.join(', ')}` : ''}`,
    ],
    ['GPU usage', gpuUsageText(h.gpus)],
    [
      'Ports',
      h.port_conflicts.length === 0 ? 'no conflicts' : style.red(`${h.port_conflicts.length} conflict(s)`),
    ],
  ]);
  if (h.issues.length === 0) return fields;
  const lines = h.issues.map(
    (i) => `  ${i.severity === 'critical' ? style.red('critical') : style.yellow('warning ')}  ${i.message}`,
  );
  return `${fields}Issues:\n${lines.join('\n')}\n`;
}

export function registerStatusCommand(program: Command): void {
  const status = program
    .command('status')
    .description(
      'cluster health: store, router, scheduler, nodes, models, alerts, engines, GPUs, port conflicts',
    );
  withConnection(withOutput(status));
  examples(status, ['nebula status', 'nebula status -o json']);
  status.action(
    action(async (ctx) => {
      const client = ctx.client();
      const [overview, health] = await Promise.all([client.v1.overview(), client.v1.health()]);
      ctx.print({ overview, health }, () => statusText(overview, health, ctx.connection().server, ctx.style));
    }),
  );
}
