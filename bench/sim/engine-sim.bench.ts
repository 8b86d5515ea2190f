/**
 * Throughput of the engine simulator at zero latency (ttft=0, itl=0): the baseline the router benchmark
 * subtracts. Client and server share one process here, so the numbers are a floor for the server alone.
 *
 *   npx vite-node bench/sim/engine-sim.bench.ts [requests] [connections]
 */
import { Pool } from 'undici';
import { startEngineSim } from '../../src/sim/index.js';

const total = Number(process.argv[2] ?? 20_000);
const connections = Number(process.argv[3] ?? 32);

const h = await startEngineSim({ model: 'bench', port: 0, ttftMs: 0, itlMs: 0, maxNumSeqs: 1024 });
const pool = new Pool(h.url, { connections });

const bodies = {
  chat: JSON.stringify({
    model: 'bench',
    messages: [{ role: 'user', content: 'hello world, how are you today?' }],
    max_tokens: 16,
  }),
  stream: JSON.stringify({
    model: 'bench',
    messages: [{ role: 'user', content: 'hello world, how are you today?' }],
    max_tokens: 16,
    stream: true,
  }),
  embeddings: JSON.stringify({ model: 'bench', input: 'hello world', encoding_format: 'float' }),
};
const paths = { chat: '/v1/chat/completions', stream: '/v1/chat/completions', embeddings: '/v1/embeddings' };

async function run(kind: keyof typeof bodies): Promise<void> {
  let next = 0;
  const lat: number[] = [];
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const worker = async () => {
    while (next < total) {
      next++;
      const s = performance.now();
      const res = await pool.request({
        path: paths[kind],
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: bodies[kind],
      });
      await res.body.text();
      if (res.statusCode !== 200) throw new Error(`status ${res.statusCode}`);
      lat.push(performance.now() - s);
    }
  };
  await Promise.all(Array.from({ length: connections }, worker));
  const secs = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  lat.sort((a, b) => a - b);
  const q = (p: number) => (lat[Math.floor(p * (lat.length - 1))] ?? 0).toFixed(2);
  console.log(
    `${kind.padEnd(10)} ${(total / secs).toFixed(0).padStart(7)} req/s  p50 ${q(0.5)} ms  p99 ${q(0.99)} ms  ` +
      `cpu ${((cpu.user + cpu.system) / total).toFixed(1)} us/req (client+server)`,
  );
}

for (const kind of ['chat', 'stream', 'embeddings', 'chat'] as const) await run(kind);
await pool.close();
await h.stop();
