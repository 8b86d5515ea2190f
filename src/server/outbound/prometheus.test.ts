import { describe, expect, it } from 'vitest';
import { histogramQuantile, parsePrometheusText } from './prometheus.js';
import { classify, summariseRouterMetrics } from './router-metrics.js';

describe('parsePrometheusText', () => {
  it('parses samples, labels with escapes, special values and TYPE lines; skips junk', () => {
    const p = parsePrometheusText(
      [
        '# HELP x_total A counter.',
        '# TYPE x_total counter',
        'x_total{a="1",b="q\\"uote",c="back\\\\slash"} 3',
        'y 1.5e3 1700000000000',
        'z{le="+Inf"} +Inf',
        'nan_metric NaN',
        'broken{a="1" 2',
        '9bad 1',
        '',
      ].join('\n'),
    );
    expect(p.types.get('x_total')).toBe('counter');
    expect(p.samples.map((s) => s.name)).toEqual(['x_total', 'y', 'z', 'nan_metric']);
    expect(p.samples[0]?.labels).toEqual({ a: '1', b: 'q"uote', c: 'back\\slash' });
    expect(p.samples[1]?.value).toBe(1500);
    expect(p.samples[2]?.value).toBe(Infinity);
    expect(Number.isNaN(p.samples[3]?.value)).toBe(true);
  });
});

describe('histogramQuantile', () => {
  const b = [
    { le: 0.1, count: 50 },
    { le: 0.5, count: 90 },
    { le: 1, count: 100 },
    { le: Infinity, count: 100 },
  ];
  it('interpolates within buckets like Prometheus', () => {
    expect(histogramQuantile(0.5, b)).toBeCloseTo(0.1);
    expect(histogramQuantile(0.7, b)).toBeCloseTo(0.3);
    expect(histogramQuantile(0.95, b)).toBeCloseTo(0.75);
    expect(histogramQuantile(0.25, b)).toBeCloseTo(0.05);
  });
  it('answers the highest finite bound for the +Inf bucket and null without data', () => {
    expect(
      histogramQuantile(0.99, [
        { le: 1, count: 1 },
        { le: Infinity, count: 10 },
      ]),
    ).toBe(1);
    expect(histogramQuantile(0.5, [])).toBeNull();
    expect(histogramQuantile(0.5, [{ le: Infinity, count: 0 }])).toBeNull();
  });
});

describe('router metrics summary', () => {
  it('classifies metric names by shape', () => {
    expect(classify('nebula_router_requests_total')).toBe('requests');
    expect(classify('nebula_router_retries_total')).toBeUndefined();
    expect(classify('nebula_router_request_duration_seconds_bucket')).toBe('latency');
    expect(classify('nebula_router_time_to_first_token_seconds_bucket')).toBe('ttft');
    expect(classify('vllm:time_to_first_token_seconds_bucket')).toBe('ttft');
    expect(classify('nebula_router_prompt_tokens_total')).toBe('tokens');
    expect(classify('nebula_router_active_streams')).toBeUndefined();
  });
  it('sums per model and in total, counts errors, computes rates against the previous scrape', () => {
    const text = (n: number) =>
      `nebula_router_requests_total{model="a",status="200"} ${n}\nnebula_router_requests_total{model="a",status="503"} 2\nnebula_router_requests_total{model="b",status="2xx"} 1\nnebula_router_prompt_tokens_total{model="a"} ${n * 10}\nnebula_router_completion_tokens_total{model="a"} 5\n`;
    const first = summariseRouterMetrics(parsePrometheusText(text(10)), 1000, undefined);
    expect(first.models.map((m) => [m.model, m.requests_total, m.errors_total, m.request_rate])).toEqual([
      ['a', 12, 2, null],
      ['b', 1, 0, null],
    ]);
    expect(first.totals.requests_total).toBe(13);
    const second = summariseRouterMetrics(parsePrometheusText(text(30)), 11_000, first.scrape);
    expect(second.models[0]?.request_rate).toBeCloseTo(2);
    expect(second.models[0]?.tokens_rate).toBeCloseTo(20);
    // a counter that went down (router restart) gives no rate instead of a negative one
    const third = summariseRouterMetrics(parsePrometheusText(text(1)), 21_000, second.scrape);
    expect(third.models[0]?.request_rate).toBeNull();
  });
});
