/** `nebula events`, `nebula audit`, `nebula alerts`: what happened, who did what, what needs attention. */
import { Option, type Command } from 'commander';
import type { AuditEvent, DiskAlert, ModelEvent } from '../../core/domain/index.js';
import { checkModelUid } from '../args.js';
import { leaf, type OptionEntry } from '../define.js';
import { UsageError } from '../errors.js';
import { formatAge, formatPercent } from '../output/human.js';
import { colorState, type Style } from '../output/style.js';
import { renderTable } from '../output/table.js';
import { checkNodeId } from './cache.js';

const ALERT_LEVELS = ['warning', 'critical'] as const;

/** `--limit` of the event lists. */
const LIMIT: OptionEntry = ['--limit <n>', 'how many (newest)', '100'];

/** The filters that were given and not empty (an empty `--actor ""` filters nothing). */
function nonEmpty<T extends Record<string, string | undefined>>(filters: T): Partial<T> {
  return Object.fromEntries(Object.entries(filters).filter(([, v]) => v)) as Partial<T>;
}

/** Oldest first, like a log. */
function chronological<T extends { time: string }>(items: readonly T[]): T[] {
  return [...items].sort((a, b) => a.time.localeCompare(b.time));
}

export function eventsTable(items: readonly ModelEvent[], style: Style): string {
  return renderTable(
    [
      { header: 'TIME', value: (e) => e.time },
      { header: 'MODEL', value: (e) => e.model_uid },
      { header: 'TYPE', value: (e) => e.type },
      { header: 'LEVEL', value: (e) => e.level, decorate: (t) => colorState(style, t) },
      { header: 'SOURCE', value: (e) => `${e.source}${e.node_id ? `/${e.node_id}` : ''}` },
      { header: 'REPLICA', value: (e) => e.replica_id },
      { header: 'MESSAGE', value: (e) => e.message, maxWidth: 100 },
    ],
    items,
  );
}

export function auditTable(items: readonly AuditEvent[], style: Style): string {
  return renderTable(
    [
      { header: 'TIME', value: (e) => e.time },
      { header: 'ACTOR', value: (e) => e.actor },
      { header: 'ROLE', value: (e) => e.role },
      { header: 'ACTION', value: (e) => e.action },
      { header: 'RESOURCE', value: (e) => e.resource, maxWidth: 48 },
      { header: 'RESULT', value: (e) => e.result, decorate: (t) => colorState(style, t) },
      { header: 'STATUS', value: (e) => e.status_code },
      { header: 'SOURCE IP', value: (e) => e.source_ip },
    ],
    items,
  );
}

export function alertsTable(items: readonly DiskAlert[], style: Style, nowMs: number): string {
  return renderTable(
    [
      { header: 'NODE', value: (a) => a.node_id },
      { header: 'TYPE', value: (a) => a.alert_type },
      { header: 'LEVEL', value: (a) => a.level, decorate: (t) => colorState(style, t) },
      { header: 'USAGE', value: (a) => formatPercent(a.usage_percent) },
      { header: 'SINCE', value: (a) => `${formatAge(a.since, nowMs)} ago` },
      { header: 'MESSAGE', value: (a) => a.message, maxWidth: 80 },
    ],
    items,
  );
}

export function registerEventCommands(program: Command): void {
  leaf(program, {
    name: 'events',
    description: 'model lifecycle events: scheduled, downloading, started, crashed...',
    options: [['--model <model_uid>', 'only this model'], LIMIT],
    examples: ['nebula events', 'nebula events --model qwen2-5-7b --limit 20', 'nebula events -o json'],
    run: async (ctx) => {
      const limit = ctx.int('limit', 1, 1000);
      const model = ctx.str('model');
      const res =
        model === undefined
          ? await ctx.client().events.list({ limit })
          : await ctx.client().models.events(checkModelUid(model), limit);
      ctx.printList(chronological(res.items), (items) => eventsTable(items, ctx.style), 'No events.');
    },
  });

  leaf(program, {
    name: 'audit',
    description: 'the audit trail: every change, who made it, and whether it worked (admin)',
    options: [
      LIMIT,
      ['--actor <name>', 'only this user or key'],
      ['--action <action>', 'only this action (e.g. model.create)'],
      ['--since <time>', 'only after this ISO time (2025-01-31T00:00:00Z)'],
    ],
    examples: [
      'nebula audit',
      'nebula audit --actor alice --since 2025-01-31T00:00:00Z',
      'nebula audit --action model.delete -o json',
    ],
    run: async (ctx) => {
      const limit = ctx.int('limit', 1, 1000);
      const since = ctx.str('since');
      if (since !== undefined && Number.isNaN(Date.parse(since)))
        throw new UsageError(`--since must be an ISO time (got "${since}")`);
      const res = await ctx.client().audit.list({
        limit,
        ...nonEmpty(ctx.strs({ actor: 'actor', action: 'action' })),
        ...(since ? { since: new Date(since).toISOString() } : {}),
      });
      ctx.printList(chronological(res.items), (items) => auditTable(items, ctx.style), 'No audit events.');
    },
  });

  leaf(program, {
    name: 'alerts',
    description: 'active alerts (disk usage >= 85% warning, >= 95% critical)',
    options: [
      ['--node <node_id>', 'only this node'],
      new Option('--level <level>', 'only this level').choices(ALERT_LEVELS),
    ],
    examples: ['nebula alerts', 'nebula alerts --level critical -o json'],
    run: async (ctx) => {
      const node = ctx.str('node');
      const level = ctx.choice('level', ALERT_LEVELS);
      const res = await ctx.client().alerts.list({
        ...(node ? { node_id: checkNodeId(node) } : {}),
        ...(level ? { level } : {}),
      });
      ctx.printList(res.items, (items) => alertsTable(items, ctx.style, ctx.now()), 'No active alerts.');
    },
  });
}
