import type { RouterMetrics } from '../../api/types.ts';

/** One point of the overview's traffic charts. */
export interface TrafficPoint {
  /** Scrape time, epoch ms. */
  t: number;
  label: string;
  rate: number;
  errors: number | null;
  p50: number | null;
  p90: number | null;
  p99: number | null;
  ttft: number | null;
  tokens: number | null;
}

export const HISTORY_POINTS = 60;

const ms = (s: number | null | undefined) => (s === null || s === undefined ? null : Math.round(s * 1000));

/**
 * Adds a router scrape to the chart history (pure): a repeated scrape (same time) is ignored, the
 * history keeps the last HISTORY_POINTS, and the first scrape (rate still unknown) counts as 0 req/s.
 */
export function appendScrape(history: readonly TrafficPoint[], m: RouterMetrics): TrafficPoint[] {
  const t = Date.parse(m.scraped_at);
  if (!Number.isFinite(t)) return [...history];
  const last = history.at(-1);
  if (last && last.t >= t) return [...history];
  const d = new Date(t);
  const p = (n: number) => String(n).padStart(2, '0');
  const point: TrafficPoint = {
    t,
    label: `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`,
    rate: Math.round((m.totals.request_rate ?? 0) * 100) / 100,
    errors: m.totals.errors_total,
    p50: ms(m.totals.latency_seconds.p50),
    p90: ms(m.totals.latency_seconds.p90),
    p99: ms(m.totals.latency_seconds.p99),
    ttft: ms(m.totals.ttft_seconds.p50),
    tokens: m.totals.tokens_rate === null ? null : Math.round(m.totals.tokens_rate * 10) / 10,
  };
  return [...history, point].slice(-HISTORY_POINTS);
}
