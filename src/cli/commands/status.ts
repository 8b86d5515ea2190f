/** `nebula status`: cluster health at a glance (store, router, scheduler, nodes, models, alerts). */
import type { Command } from 'commander';
import type { Health, Overview } from '../client.js';
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

/** The status page as text (pure). */
export function statusText(o: Overview, h: Health, server: string, style: Style): string {
  const ok = (good: boolean, text: string): string => (good ? style.green(text) : style.red(text));
  const router = h.router.ok
    ? ok(true, 'ok')
    : ok(false, `unreachable${h.router.error ? `: ${h.router.error}` : ''}`);
  const lagging = h.plan_consistency.lagging.length;
  return renderFields([
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
  ]);
}

export function registerStatusCommand(program: Command): void {
  const status = program
    .command('status')
    .description('cluster health: store, router, scheduler, nodes, models, alerts');
  withConnection(withOutput(status));
  examples(status, ['nebula status', 'nebula status -o json']);
  status.action(
    action(async (ctx) => {
      const client = ctx.client();
      const [overview, health] = await Promise.all([client.overview(), client.health()]);
      ctx.print({ overview, health }, () => statusText(overview, health, ctx.connection().server, ctx.style));
    }),
  );
}
