/** `nebula metrics [MODEL]`: traffic through the router: req/s, p50/p99 latency, TTFT, tokens. */
import type { Command } from 'commander';
import type { ModelStats, RouterMetrics } from '../../client/index.js';
import { examples, withConnection, withOutput } from '../define.js';
import { CliError } from '../errors.js';
import { formatNumber, formatSeconds } from '../output/human.js';
import { renderTable } from '../output/table.js';
import { action } from '../runtime.js';

type Row = Omit<ModelStats, 'model'> & { model: string };

/** The metrics table: one row per model and a TOTAL row (pure). */
export function metricsTable(m: Pick<RouterMetrics, 'models' | 'totals'>, withTotal = true): string {
  const rows: Row[] = [...m.models].sort((a, b) => a.model.localeCompare(b.model));
  if (withTotal) rows.push({ ...m.totals, model: 'TOTAL' });
  return renderTable<Row>(
    [
      { header: 'MODEL', value: (r) => r.model },
      { header: 'REQ/S', value: (r) => formatNumber(r.request_rate), align: 'right' },
      { header: 'REQUESTS', value: (r) => r.requests_total, align: 'right' },
      { header: 'ERRORS', value: (r) => r.errors_total, align: 'right' },
      { header: 'P50', value: (r) => formatSeconds(r.latency_seconds.p50), align: 'right' },
      { header: 'P99', value: (r) => formatSeconds(r.latency_seconds.p99), align: 'right' },
      { header: 'TTFT P50', value: (r) => formatSeconds(r.ttft_seconds.p50), align: 'right' },
      { header: 'TTFT P99', value: (r) => formatSeconds(r.ttft_seconds.p99), align: 'right' },
      { header: 'TOKENS IN', value: (r) => r.prompt_tokens_total, align: 'right' },
      { header: 'TOKENS OUT', value: (r) => r.completion_tokens_total, align: 'right' },
      { header: 'TOK/S', value: (r) => formatNumber(r.tokens_rate), align: 'right' },
    ],
    rows,
  );
}

export function registerMetricsCommand(program: Command): void {
  const metrics = program
    .command('metrics')
    .argument('[model]', 'only this model (served name)')
    .description('router traffic per model: req/s, p50/p99 latency, time to first token, tokens');
  withConnection(withOutput(metrics));
  examples(metrics, ['nebula metrics', 'nebula metrics qwen2-5-7b', 'nebula metrics -o json']);
  metrics.action(
    action(async (ctx, model) => {
      const m = await ctx.client().v1.routerMetrics();
      if (model !== undefined && model !== '') {
        const one = m.models.find((s) => s.model === model);
        if (!one) throw new CliError(`the router has no traffic for model "${model}" yet`, 'NO_METRICS');
        ctx.print(one, () => metricsTable({ models: [one], totals: one }, false));
        return;
      }
      ctx.print(m, () => `Router ${m.url}, scraped ${m.scraped_at}\n${metricsTable(m)}`);
    }),
  );
}
