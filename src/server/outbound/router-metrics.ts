import type { ModelStats } from '../../api/schemas/models.js';
import type { RouterMetrics } from '../../api/schemas/v1.js';
import { histogramQuantile, type ParsedMetrics, type Sample } from './prometheus.js';

/** Counters of one scrape, kept to turn the next scrape's totals into rates. */
export interface ScrapeTotals {
  atMs: number;
  requests: Map<string, number>;
  tokens: Map<string, number>;
}

const MODEL_LABELS = ['model', 'model_name', 'served_model_name', 'model_uid'];
const STATUS_LABELS = ['status', 'code', 'status_code'];

function modelOf(s: Sample): string | undefined {
  for (const l of MODEL_LABELS) if (s.labels[l]) return s.labels[l];
  return undefined;
}

function isError(s: Sample): boolean {
  for (const l of STATUS_LABELS) {
    const v = s.labels[l];
    if (v === undefined) continue;
    if (/^[0-9]{3}$/.test(v)) return Number(v) >= 400;
    if (/^[0-9]xx$/i.test(v)) return v[0] === '4' || v[0] === '5';
    return /error|fail/i.test(v);
  }
  return s.labels['result'] === 'error' || s.labels['outcome'] === 'error';
}

type Kind = 'requests' | 'latency' | 'ttft' | 'tokens';

/**
 * Which role a metric name plays. The router's names are matched by shape (`*_requests_total`,
 * `*request_duration_seconds_bucket`, `*ttft*_bucket` / `*time_to_first_token*_bucket`, `*tokens_total`),
 * so engines' and routers' spellings both work.
 */
export function classify(name: string): Kind | undefined {
  if (/(ttft|time_to_first_token)[a-z_]*_bucket$/.test(name)) return 'ttft';
  if (/request_(duration|latency)_seconds_bucket$/.test(name)) return 'latency';
  if (/_requests_total$/.test(name) && !/retries|inflight|in_flight/.test(name)) return 'requests';
  if (/tokens_total$/.test(name)) return 'tokens';
  return undefined;
}

function tokenKind(s: Sample): 'prompt' | 'completion' | undefined {
  const v = (s.labels['type'] ?? s.labels['kind'] ?? s.labels['direction'] ?? '').toLowerCase();
  if (/prompt|input/.test(v) || /prompt|input/.test(s.name)) return 'prompt';
  if (/completion|output|generat/.test(v) || /completion|output|generat/.test(s.name)) return 'completion';
  return undefined;
}

interface Acc {
  requests: number;
  errors: number;
  latency: Map<number, number>;
  ttft: Map<number, number>;
  prompt: number;
  completion: number;
}

const newAcc = (): Acc => ({
  requests: 0,
  errors: 0,
  latency: new Map(),
  ttft: new Map(),
  prompt: 0,
  completion: 0,
});

function quantiles(b: Map<number, number>) {
  const buckets = [...b.entries()].map(([le, count]) => ({ le, count }));
  return {
    p50: histogramQuantile(0.5, buckets),
    p90: histogramQuantile(0.9, buckets),
    p99: histogramQuantile(0.99, buckets),
  };
}

/**
 * Turns a router scrape into per-model and total stats: request and error counts, rate since the previous
 * scrape, latency and TTFT quantiles from histograms, prompt/completion token counts. Pure.
 */
export function summariseRouterMetrics(
  parsed: ParsedMetrics,
  nowMs: number,
  previous: ScrapeTotals | undefined,
): { models: ModelStats[]; totals: Omit<ModelStats, 'model'>; families: string[]; scrape: ScrapeTotals } {
  const per = new Map<string, Acc>();
  const total = newAcc();
  const families = new Set<string>();
  for (const s of parsed.samples) {
    const kind = classify(s.name);
    if (!kind || !Number.isFinite(s.value)) continue;
    families.add(s.name.replace(/_bucket$/, ''));
    const model = modelOf(s);
    let acc = model === undefined ? undefined : per.get(model);
    if (model !== undefined && !acc) per.set(model, (acc = newAcc()));
    const targets = acc ? [total, acc] : [total];
    for (const a of targets) {
      if (kind === 'requests') {
        a.requests += s.value;
        if (isError(s)) a.errors += s.value;
      } else if (kind === 'latency' || kind === 'ttft') {
        const le = s.labels['le'] === '+Inf' ? Infinity : Number(s.labels['le']);
        if (Number.isNaN(le)) continue;
        const m = kind === 'latency' ? a.latency : a.ttft;
        m.set(le, (m.get(le) ?? 0) + s.value);
      } else {
        const tk = tokenKind(s);
        if (tk === 'prompt') a.prompt += s.value;
        else if (tk === 'completion') a.completion += s.value;
      }
    }
  }
  const dt = previous ? (nowMs - previous.atMs) / 1000 : 0;
  const rate = (now: number, before: number | undefined) =>
    previous && dt > 0 && before !== undefined && now >= before ? (now - before) / dt : null;
  const scrape: ScrapeTotals = { atMs: nowMs, requests: new Map(), tokens: new Map() };
  const stats = (name: string, a: Acc): ModelStats => {
    scrape.requests.set(name, a.requests);
    scrape.tokens.set(name, a.prompt + a.completion);
    return {
      model: name,
      requests_total: a.requests,
      errors_total: a.errors,
      request_rate: rate(a.requests, previous?.requests.get(name)),
      latency_seconds: quantiles(a.latency),
      ttft_seconds: quantiles(a.ttft),
      prompt_tokens_total: a.prompt,
      completion_tokens_total: a.completion,
      tokens_rate: rate(a.prompt + a.completion, previous?.tokens.get(name)),
    };
  };
  const models = [...per.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([m, a]) => stats(m, a));
  const { model: _model, ...totals } = stats('\u0000total', total);
  return { models, totals, families: [...families].sort(), scrape };
}

export type { RouterMetrics };
