/**
 * Closed-loop HTTP load generator for the router benchmark. It runs in its own process (so it never shares
 * an event loop with the servers under test) and takes one JSON job per stdin line, answering each with one
 * JSON result line: `concurrency` virtual users each send a request, read the whole response and send the
 * next, for `durationS` after a warm-up; req/s, latency percentiles and time to first body byte.
 */
import { createInterface } from 'node:readline';
import { Pool } from 'undici';

export interface LoadJob {
  url: string;
  /** plain: non-streamed chat; stream: streamed chat; prefix: streamed chat, 8 shared system prompts. */
  mode: 'plain' | 'stream' | 'prefix';
  concurrency: number;
  durationS: number;
  warmupS: number;
  token?: string;
  model?: string;
  /**
   * Open loop: requests start on a fixed schedule of `rate` per second (over at most `concurrency`
   * connections) whatever the answers do, and latency counts from each request's scheduled start, so a
   * stalled server cannot hide its queue (no coordinated omission). Without it: closed loop.
   */
  rate?: number;
  /** prefix mode: number of system prompts and their length in words. */
  prompts?: number;
  systemWords?: number;
}

export interface LoadResult {
  mode: string;
  concurrency: number;
  /** Requests measured (after the warm-up). */
  requests: number;
  /** Requests completed including the warm-up. */
  total: number;
  rps: number;
  p50_ms: number | null;
  p90_ms: number | null;
  p99_ms: number | null;
  ttft_p50_ms: number | null;
  ttft_p90_ms: number | null;
  errors: number;
  status_errors: number;
}

function pct(sorted: number[], p: number): number | null {
  if (sorted.length === 0) return null;
  const v = sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
  return Math.round(v * 1000) / 1000;
}

export async function runLoad(job: LoadJob): Promise<LoadResult> {
  const url = new URL(job.url);
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (job.token) headers['authorization'] = `Bearer ${job.token}`;
  const model = job.model ?? 'demo';
  const systems = Array.from(
    { length: job.prompts ?? 8 },
    (_, p) =>
      `You are assistant ${p}. ` +
      Array.from({ length: job.systemWords ?? 160 }, (_, w) => `rule${p}x${w % 97}`).join(' '),
  );
  const plainBody = JSON.stringify({
    model,
    max_tokens: 16,
    stream: job.mode === 'stream',
    messages: [{ role: 'user', content: 'hello, how are you today?' }],
  });
  let seq = 0;
  const body = (): string => {
    if (job.mode !== 'prefix') return plainBody;
    const p = Math.floor(Math.random() * systems.length);
    seq++;
    return JSON.stringify({
      model,
      stream: true,
      max_tokens: 4,
      messages: [
        { role: 'system', content: systems[p] },
        { role: 'user', content: `user ${seq} asks: what is rule ${seq % 97} about?` },
      ],
    });
  };

  const pool = new Pool(url.origin, {
    connections: job.concurrency,
    pipelining: 1,
    keepAliveTimeout: 60_000,
  });
  const latencies: number[] = [];
  const ttfts: number[] = [];
  let errors = 0;
  let statusErrors = 0;
  let total = 0;
  let measuring = false;
  const start = performance.now();
  const measureFrom = start + job.warmupS * 1000;
  const stopAt = measureFrom + job.durationS * 1000;
  const warm = setTimeout(() => (measuring = true), job.warmupS * 1000);

  /** One request from `t0` (its start, or its scheduled start in open loop); counted when measured. */
  const one = async (t0: number, measured: () => boolean): Promise<void> => {
    try {
      let first = 0;
      const res = await pool.request({ path: url.pathname, method: 'POST', headers, body: body() });
      for await (const chunk of res.body) {
        if (first === 0 && (chunk as Buffer).length > 0) first = performance.now();
      }
      const t1 = performance.now();
      total++;
      if (res.statusCode !== 200) statusErrors++;
      if (measured()) {
        latencies.push(t1 - t0);
        if (first !== 0) ttfts.push(first - t0);
      }
    } catch {
      errors++;
    }
  };
  const user = async (): Promise<void> => {
    while (performance.now() < stopAt) await one(performance.now(), () => measuring || job.warmupS === 0);
  };
  const scheduled = async (): Promise<void> => {
    const interval = 1000 / (job.rate ?? 1);
    let next = performance.now();
    const inflight = new Set<Promise<void>>();
    while (performance.now() < stopAt) {
      const now = performance.now();
      for (; next <= now; next += interval) {
        const t0 = next;
        const p = one(t0, () => measuring && t0 < stopAt);
        inflight.add(p);
        void p.finally(() => inflight.delete(p));
      }
      // A timer tick (~1 ms) between batches: the generator must not spin on a core the servers need.
      await new Promise((r) => setTimeout(r, 1));
    }
    await Promise.all(inflight);
  };
  if (job.rate !== undefined) await scheduled();
  else await Promise.all(Array.from({ length: job.concurrency }, user));
  clearTimeout(warm);
  const elapsed =
    (Math.min(performance.now(), job.rate !== undefined ? stopAt : Infinity) - measureFrom) / 1000;
  await pool.close();
  latencies.sort((a, b) => a - b);
  ttfts.sort((a, b) => a - b);
  return {
    mode: job.mode,
    concurrency: job.concurrency,
    requests: latencies.length,
    total,
    rps: Math.round(latencies.length / elapsed),
    p50_ms: pct(latencies, 50),
    p90_ms: pct(latencies, 90),
    p99_ms: pct(latencies, 99),
    ttft_p50_ms: pct(ttfts, 50),
    ttft_p90_ms: pct(ttfts, 90),
    errors,
    status_errors: statusErrors,
  };
}

// As a child process: one job per line in, one result per line out, until stdin closes.
if (process.argv.includes('--serve')) {
  const rl = createInterface({ input: process.stdin });
  for await (const line of rl) {
    if (line.trim() === '') continue;
    const result = await runLoad(JSON.parse(line) as LoadJob);
    process.stdout.write(`${JSON.stringify(result)}\n`);
  }
}
