import { describe, expect, it } from 'vitest';
import type { RouterMetrics } from '../../api/types.ts';
import { appendScrape, HISTORY_POINTS } from './metrics-history.ts';

const q = (p50: number | null) => ({ p50, p90: p50, p99: p50 });
const scrape = (iso: string, rate: number | null): RouterMetrics => ({
  url: 'http://router/metrics',
  scraped_at: iso,
  totals: {
    requests_total: 10,
    errors_total: 1,
    request_rate: rate,
    latency_seconds: q(0.25),
    ttft_seconds: q(0.05),
    prompt_tokens_total: 0,
    completion_tokens_total: 0,
    tokens_rate: null,
  },
  models: [],
  families: [],
});

describe('appendScrape', () => {
  it('adds a point per new scrape with milliseconds and a 0 rate before the first delta', () => {
    const h1 = appendScrape([], scrape('2025-01-01T00:00:00.000Z', null));
    expect(h1).toHaveLength(1);
    expect(h1[0]).toMatchObject({ rate: 0, p50: 250, ttft: 50 });
    const h2 = appendScrape(h1, scrape('2025-01-01T00:00:05.000Z', 2.345));
    expect(h2.map((p) => p.rate)).toEqual([0, 2.35]);
  });
  it('ignores repeated or older scrapes and bad timestamps', () => {
    const h = appendScrape([], scrape('2025-01-01T00:00:05.000Z', 1));
    expect(appendScrape(h, scrape('2025-01-01T00:00:05.000Z', 9))).toHaveLength(1);
    expect(appendScrape(h, scrape('2025-01-01T00:00:01.000Z', 9))).toHaveLength(1);
    expect(appendScrape(h, scrape('garbage', 9))).toHaveLength(1);
  });
  it('keeps only the last points', () => {
    let h = appendScrape([], scrape(new Date(0).toISOString(), 1));
    for (let i = 1; i < HISTORY_POINTS + 10; i++)
      h = appendScrape(h, scrape(new Date(i * 5000).toISOString(), i));
    expect(h).toHaveLength(HISTORY_POINTS);
    expect(h.at(-1)?.rate).toBe(HISTORY_POINTS + 9);
  });
});
