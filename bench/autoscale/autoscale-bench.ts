/**
 * Autoscaling benchmark (bench/README.md, "Autoscaling"). One in-process all-in-one (`startUp`, real
 * router, real scheduler + autoscaler, real simulator engine processes on sim GPUs) replays the same seeded
 * bursty trace three ways: autoscaled (min 1, max 4), fixed at the minimum (1) and fixed at the maximum (4).
 * For each: replica-seconds (ready replicas sampled from the API and integrated over the run), client-side
 * TTFT of streamed requests (time to the first non-empty content chunk) and failed requests. Then the wake
 * latency from zero (min 0, scale_to_zero_after): the client TTFT of the first request after idle, and the
 * wake latency the autoscaler recorded. Writes bench/autoscale/autoscaled-run.svg and results.json.
 *
 *   npx vite-node bench/autoscale/autoscale-bench.ts -- [--duration 60] [--seed 7] [--wakes 3]
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NebulaClient } from '../../src/client/index.js';
import { readSse } from '../../src/core/sse.js';
import { seededRandom } from '../../test/helpers/seeded-random.js';
import { tempDir } from '../../test/helpers/tmp.js';
import { startTestUp } from '../../test/helpers/up.js';
import { benchOption } from '../cli-args.js';

const DURATION_S = Number(benchOption('duration', '60'));
const SEED = Number(benchOption('seed', '7'));
const WAKES = Number(benchOption('wakes', '3'));
const MAX = 4;
const MODEL = 'bursty';
const here = dirname(fileURLToPath(import.meta.url));

/**
 * The arrival rate (req/s) at time t of a trace of length T: a compressed "day" (a raised cosine from
 * 0.5 req/s at night to 6 req/s at midday) plus two bursts (+12 req/s for 8 % of T from 25 %,
 * +10 req/s for 10 % of T from 60 %), then a quiet tail (the last 15 % at 0.5 req/s).
 */
function rate(t: number, T: number): number {
  const x = t / T;
  if (x >= 0.85) return 0.5;
  let r = 0.5 + 5.5 * ((1 - Math.cos((2 * Math.PI * x) / 0.85)) / 2);
  if (x >= 0.25 && x < 0.33) r += 12;
  if (x >= 0.6 && x < 0.7) r += 10;
  return r;
}

interface Arrival {
  at: number;
  maxTokens: number;
}

/** A non-homogeneous Poisson process by thinning (Lewis-Shedler) at the peak rate. */
function trace(T: number, seed: number): Arrival[] {
  const rand = seededRandom(seed);
  const peak = 20;
  const out: Arrival[] = [];
  let t = 0;
  for (;;) {
    t += -Math.log(1 - rand()) / peak;
    if (t >= T) break;
    if (rand() < rate(t, T) / peak) out.push({ at: t, maxTokens: 10 + Math.floor(rand() * 31) });
  }
  return out;
}

interface Sample {
  t: number;
  ready: number;
  desired: number;
  inflight: number;
}
interface RunResult {
  name: string;
  requests: number;
  failed: number;
  ttftP50: number;
  ttftP90: number;
  ttftP99: number;
  replicaSeconds: number;
  durationS: number;
  samples: Sample[];
  changes: number;
}

const quantile = (xs: number[], q: number): number => {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)] as number;
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One streamed chat request; resolves with the time to the first non-empty content chunk. */
async function streamed(routerUrl: string, token: string, maxTokens: number): Promise<number> {
  const t0 = performance.now();
  const res = await fetch(`${routerUrl}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({
      model: MODEL,
      messages: [{ role: 'user', content: 'tell me a story' }],
      max_tokens: maxTokens,
      stream: true,
    }),
  });
  if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
  let ttft: number | undefined;
  let done = false;
  for await (const { data } of readSse(res.body)) {
    if (data === '[DONE]') {
      done = true;
      continue;
    }
    const j = JSON.parse(data) as { choices?: { delta?: { content?: string } }[]; error?: unknown };
    if (j.error) throw new Error(`stream error ${JSON.stringify(j.error)}`);
    if (ttft === undefined && (j.choices?.[0]?.delta?.content ?? '') !== '') ttft = performance.now() - t0;
  }
  if (ttft === undefined || !done) throw new Error('stream ended without content or [DONE]');
  return ttft;
}

async function waitFor<T>(what: string, f: () => Promise<T | undefined>, timeoutMs = 120_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await f().catch(() => undefined);
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(250);
  }
}

async function replay(
  name: string,
  arrivals: Arrival[],
  client: NebulaClient,
  routerUrl: string,
  token: string,
): Promise<RunResult> {
  const ttfts: number[] = [];
  let failed = 0;
  let inflight = 0;
  const samples: Sample[] = [];
  const t0 = performance.now();
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const m = await client.models.get(MODEL).catch(() => undefined);
      if (m)
        samples.push({
          t: (performance.now() - t0) / 1000,
          ready: m.ready_replicas,
          desired: m.deployment?.replicas ?? 0,
          inflight,
        });
      await sleep(500);
    }
  })();
  const pending: Promise<void>[] = [];
  for (const a of arrivals) {
    const wait = a.at * 1000 - (performance.now() - t0);
    if (wait > 0) await sleep(wait);
    inflight++;
    pending.push(
      streamed(routerUrl, token, a.maxTokens)
        .then((ttft) => void ttfts.push(ttft))
        .catch((e: unknown) => {
          failed++;
          if (failed <= 3) process.stderr.write(`${name}: request failed: ${String(e)}\n`);
        })
        .finally(() => void inflight--),
    );
  }
  await Promise.all(pending);
  sampling = false;
  await sampler;
  const durationS = (performance.now() - t0) / 1000;
  // Replica-seconds: ready replicas held constant between samples (left Riemann sum), to the end.
  let rs = 0;
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i] as Sample;
    const next = i + 1 < samples.length ? (samples[i + 1] as Sample).t : durationS;
    rs += s.ready * (next - s.t);
  }
  let changes = 0;
  for (let i = 1; i < samples.length; i++)
    if ((samples[i] as Sample).desired !== (samples[i - 1] as Sample).desired) changes++;
  return {
    name,
    requests: arrivals.length,
    failed,
    ttftP50: quantile(ttfts, 0.5),
    ttftP90: quantile(ttfts, 0.9),
    ttftP99: quantile(ttfts, 0.99),
    replicaSeconds: rs,
    durationS,
    samples,
    changes,
  };
}

/** Replicas (ready, desired) and requests in flight over time, as a hand-written SVG. */
function plot(r: RunResult, arrivals: Arrival[]): string {
  const W = 900;
  const H = 360;
  const L = 50;
  const R = 60;
  const TOP = 40;
  const B = 40;
  const tMax = r.durationS;
  const inMax = Math.max(4, ...r.samples.map((s) => s.inflight));
  const x = (t: number) => L + (t / tMax) * (W - L - R);
  const yRep = (v: number) => H - B - (v / MAX) * (H - TOP - B);
  const yIn = (v: number) => H - B - (v / inMax) * (H - TOP - B);
  const step = (pick: (s: Sample) => number, y: (v: number) => number) => {
    const pts: string[] = [];
    r.samples.forEach((s, i) => {
      if (i > 0) pts.push(`${x(s.t).toFixed(1)},${y(pick(r.samples[i - 1] as Sample)).toFixed(1)}`);
      pts.push(`${x(s.t).toFixed(1)},${y(pick(s)).toFixed(1)}`);
    });
    return pts.join(' ');
  };
  const rateLine = Array.from({ length: 200 }, (_, i) => {
    const t = (i / 199) * DURATION_S;
    return `${x(t).toFixed(1)},${yIn(rate(t, DURATION_S)).toFixed(1)}`;
  }).join(' ');
  const ticks: string[] = [];
  for (let t = 0; t <= tMax; t += 10)
    ticks.push(
      `<line x1="${x(t)}" y1="${H - B}" x2="${x(t)}" y2="${H - B + 4}" stroke="#333"/><text x="${x(t)}" y="${H - B + 16}" text-anchor="middle">${t}s</text>`,
    );
  for (let v = 0; v <= MAX; v++)
    ticks.push(
      `<text x="${L - 8}" y="${yRep(v) + 4}" text-anchor="end" fill="#1f77b4">${v}</text><line x1="${L}" y1="${yRep(v)}" x2="${W - R}" y2="${yRep(v)}" stroke="#eee"/>`,
    );
  for (let v = 0; v <= inMax; v += Math.max(1, Math.ceil(inMax / 6)))
    ticks.push(`<text x="${W - R + 8}" y="${yIn(v) + 4}" fill="#d62728">${v}</text>`);
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" font-family="sans-serif" font-size="11">
<rect width="100%" height="100%" fill="white"/>
<text x="${W / 2}" y="18" text-anchor="middle" font-size="14">Autoscaled run (min 1, max ${MAX}, target 3 in flight per replica): ${arrivals.length} streamed requests over ${DURATION_S}s</text>
${ticks.join('\n')}
<line x1="${L}" y1="${H - B}" x2="${W - R}" y2="${H - B}" stroke="#333"/>
<text x="14" y="${TOP - 8}" fill="#1f77b4">replicas</text>
<text x="${W - R - 10}" y="${TOP - 8}" fill="#d62728">in flight / req/s</text>
<polyline fill="none" stroke="#d62728" stroke-opacity="0.35" stroke-dasharray="4 3" stroke-width="1.5" points="${rateLine}"/>
<polyline fill="none" stroke="#d62728" stroke-width="1.5" points="${step((s) => s.inflight, yIn)}"/>
<polyline fill="none" stroke="#ff7f0e" stroke-dasharray="6 3" stroke-width="2" points="${step((s) => s.desired, yRep)}"/>
<polyline fill="none" stroke="#1f77b4" stroke-width="2.5" points="${step((s) => s.ready, yRep)}"/>
<g transform="translate(${L + 10},${TOP + 6})">
<line x1="0" y1="0" x2="20" y2="0" stroke="#1f77b4" stroke-width="2.5"/><text x="24" y="4">ready replicas</text>
<line x1="120" y1="0" x2="140" y2="0" stroke="#ff7f0e" stroke-dasharray="6 3" stroke-width="2"/><text x="144" y="4">desired replicas</text>
<line x1="250" y1="0" x2="270" y2="0" stroke="#d62728" stroke-width="1.5"/><text x="274" y="4">requests in flight (client)</text>
<line x1="430" y1="0" x2="450" y2="0" stroke="#d62728" stroke-opacity="0.35" stroke-dasharray="4 3" stroke-width="1.5"/><text x="454" y="4">trace rate (req/s)</text>
</g>
</svg>
`;
}

async function main(): Promise<void> {
  const dir = tempDir('nebula-asbench-');
  const { up, token, client } = await startTestUp(
    dir.path,
    {
      gpus: `sim:${MAX}x24GiB`,
      portRange: '43400-43499',
      rateLimit: 'off',
      holdMax: '64',
      holdTimeout: '60s',
      hfEndpoint: 'http://127.0.0.1:9',
      modelscopeEndpoint: 'http://127.0.0.1:9',
    },
    process.env['ASBENCH_LOG'] ? { out: process.stderr } : {},
  );
  const results: RunResult[] = [];
  const wakes: { clientTtftMs: number; recordedMs?: number }[] = [];
  try {
    await client.models.create({
      model_name: 'demo/bursty',
      model_uid: MODEL,
      model_source: 'local',
      engine_type: 'sim',
      replicas: 1,
      auto_start: true,
      resources: { gpu_count: 1 },
      // A realistic TTFT and decode speed; 4 sequences per replica at once, the rest queue in the engine.
      engine_config: { extra_args: ['--ttft-ms=300', '--itl-ms=30', '--max-num-seqs=4'] },
    });
    const settle = (n: number) =>
      waitFor(`${n} ready`, async () => {
        const m = await client.models.get(MODEL);
        return m.ready_replicas === n && m.deployment?.replicas === n && m.total_replicas === n
          ? true
          : undefined;
      });
    await settle(1);
    const arrivals = trace(DURATION_S, SEED);
    process.stderr.write(`trace: ${arrivals.length} requests over ${DURATION_S}s (seed ${SEED})\n`);

    // 1. Autoscaled: min 1, max 4, 3 in flight per replica, windows proportionally short.
    await client.models.setAutoscaling(MODEL, {
      min_replicas: 1,
      max_replicas: MAX,
      target: { metric: 'inflight', value: 3 },
      scale_up_window: '0s',
      scale_down_window: '10s',
    });
    results.push(await replay('autoscaled 1..4', arrivals, client, up.routerUrl, token));
    await client.models.clearAutoscaling(MODEL);
    // 2. Fixed at the minimum.
    await client.models.scale(MODEL, 1);
    await settle(1);
    results.push(await replay('fixed 1 (min)', arrivals, client, up.routerUrl, token));
    // 3. Fixed at the maximum.
    await client.models.scale(MODEL, MAX);
    await settle(MAX);
    results.push(await replay(`fixed ${MAX} (max)`, arrivals, client, up.routerUrl, token));

    // 4. Wake from zero: min 0, idle after 2 s; the first streamed request after idle is held and answered.
    await client.models.scale(MODEL, 1);
    await settle(1);
    await client.models.setAutoscaling(MODEL, {
      min_replicas: 0,
      max_replicas: MAX,
      target: { metric: 'inflight', value: 3 },
      scale_down_window: '2s',
      scale_to_zero_after: '2s',
    });
    for (let i = 0; i < WAKES; i++) {
      await waitFor(
        'idle',
        async () => {
          const m = await client.models.get(MODEL);
          return m.state === 'idle' && m.total_replicas === 0 ? true : undefined;
        },
        60_000,
      );
      const before = (await client.models.autoscaling(MODEL)).status?.last_wake?.requested_at;
      const clientTtftMs = await streamed(up.routerUrl, token, 10);
      const recorded = await waitFor(
        'wake recorded',
        async () => {
          const w = (await client.models.autoscaling(MODEL)).status?.last_wake;
          return w && w.requested_at !== before && w.latency_ms !== undefined ? w.latency_ms : undefined;
        },
        20_000,
      ).catch(() => undefined);
      wakes.push({ clientTtftMs, ...(recorded !== undefined ? { recordedMs: recorded } : {}) });
      process.stderr.write(
        `wake ${i + 1}: client TTFT ${clientTtftMs.toFixed(0)} ms, recorded ${recorded ?? '?'} ms\n`,
      );
    }
  } finally {
    await up.stop();
    dir.cleanup();
  }

  const f = (n: number) => (Number.isFinite(n) ? n.toFixed(0) : 'n/a');
  const lines = [
    '| Run | Requests | Failed | Replica-seconds | TTFT p50 (ms) | TTFT p90 (ms) | TTFT p99 (ms) | Run length (s) | Replica changes |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...results.map(
      (r) =>
        `| ${r.name} | ${r.requests} | ${r.failed} | ${r.replicaSeconds.toFixed(0)} | ${f(r.ttftP50)} | ${f(r.ttftP90)} | ${f(r.ttftP99)} | ${r.durationS.toFixed(1)} | ${r.changes} |`,
    ),
  ];
  const wakeLine = `Wake from zero (${wakes.length} wakes): client TTFT of the first request after idle ${wakes.map((w) => f(w.clientTtftMs)).join(', ')} ms; autoscaler-recorded wake latency ${wakes.map((w) => (w.recordedMs !== undefined ? f(w.recordedMs) : '?')).join(', ')} ms`;
  process.stdout.write(`${lines.join('\n')}\n\n${wakeLine}\n`);
  const auto = results[0];
  if (auto) writeFileSync(join(here, 'autoscaled-run.svg'), plot(auto, trace(DURATION_S, SEED)));
  writeFileSync(
    join(here, 'results.json'),
    `${JSON.stringify({ durationS: DURATION_S, seed: SEED, results, wakes }, null, 2)}\n`,
  );
}

process.stderr.write('starting the all-in-one\n');
await main();
process.exit(0);
