// Closed-loop HTTP load generator for bench/router (its own process, so it never shares an event loop with
// the server under test). `concurrency` virtual users each send a request, read the whole response, and
// send the next, for `duration` seconds after a short warm-up. Prints one JSON line with req/s and latency
// percentiles (and time to first body byte for streams).
//
//   node bench/router/loadgen.mjs --url http://127.0.0.1:8000/v1/chat/completions --concurrency 64 \
//     --duration 4 --mode plain|stream|prefix [--token T] [--model demo] [--warmup 1]
import { Pool } from 'undici';

const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, a, i, all) => {
    if (a.startsWith('--')) acc.push([a.slice(2), all[i + 1]]);
    return acc;
  }, []),
);
const url = new URL(args.url);
const concurrency = Number(args.concurrency ?? 64);
const duration = Number(args.duration ?? 4) * 1000;
const warmup = Number(args.warmup ?? 1) * 1000;
const mode = args.mode ?? 'plain';
const model = args.model ?? 'demo';
const headers = { 'content-type': 'application/json' };
if (args.token) headers.authorization = `Bearer ${args.token}`;

// Shared-prefix workload: 8 long system prompts, many users with short distinct questions.
const SYSTEMS = Array.from({ length: Number(args.prompts ?? 8) }, (_, p) =>
  `You are assistant ${p}. ` +
  Array.from({ length: Number(args.systemWords ?? 160) }, (_, w) => `rule${p}x${w % 97}`).join(' '),
);
let seq = 0;
function body() {
  if (mode === 'prefix') {
    const p = Math.floor(Math.random() * SYSTEMS.length);
    return JSON.stringify({
      model,
      stream: true,
      max_tokens: 4,
      messages: [
        { role: 'system', content: SYSTEMS[p] },
        { role: 'user', content: `user ${seq++} asks: what is rule ${seq % 97} about?` },
      ],
    });
  }
  return JSON.stringify({
    model,
    max_tokens: 16,
    stream: mode === 'stream',
    messages: [{ role: 'user', content: 'hello, how are you today?' }],
  });
}

const pool = new Pool(url.origin, { connections: concurrency, pipelining: 1, keepAliveTimeout: 60_000 });
const latencies = [];
const ttfts = [];
let errors = 0;
let statusErrors = 0;
let measuring = false;
let stopAt = 0;

async function one() {
  const t0 = performance.now();
  let first = 0;
  const res = await pool.request({ path: url.pathname, method: 'POST', headers, body: body() });
  for await (const chunk of res.body) {
    if (first === 0 && chunk.length > 0) first = performance.now();
  }
  const t1 = performance.now();
  if (res.statusCode !== 200) statusErrors++;
  if (measuring) {
    latencies.push(t1 - t0);
    if (first !== 0) ttfts.push(first - t0);
  }
}

async function user() {
  while (performance.now() < stopAt) {
    try {
      await one();
    } catch {
      errors++;
    }
  }
}

function pct(list, p) {
  if (list.length === 0) return null;
  const s = [...list].sort((a, b) => a - b);
  return Math.round(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] * 1000) / 1000;
}

const start = performance.now();
stopAt = start + warmup + duration;
setTimeout(() => {
  measuring = true;
}, warmup);
const measureStart = start + warmup;
await Promise.all(Array.from({ length: concurrency }, user));
const elapsed = (performance.now() - measureStart) / 1000;
await pool.close();
process.stdout.write(
  JSON.stringify({
    mode,
    concurrency,
    requests: latencies.length,
    rps: Math.round(latencies.length / elapsed),
    p50_ms: pct(latencies, 50),
    p90_ms: pct(latencies, 90),
    p99_ms: pct(latencies, 99),
    ttft_p50_ms: pct(ttfts, 50),
    ttft_p90_ms: pct(ttfts, 90),
    errors,
    status_errors: statusErrors,
  }) + '\n',
);
