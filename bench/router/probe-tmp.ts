import { silentLogger } from '../../src/core/logger.js';
import { startEngineSim } from '../../src/sim/index.js';
import { startRouter, upstreamFromEnv } from '../../src/router/index.js';
import { spawn } from 'node:child_process';
const policy = (process.argv[2] ?? 'prefix-aware') as 'prefix-aware';
const sims = [];
for (let i = 0; i < 4; i++) sims.push(await startEngineSim({ model: 'demo', port: 0, ttftMs: 1000, itlMs: 5, kvBlocks: 128, blockSize: 16, maxNumSeqs: 64, maxModelLen: 8192, mode: 'random' }, { logger: silentLogger() }));
const r = await startRouter({ host: '127.0.0.1', port: 0, grpcPort: null, noAuth: true, policy, staticUpstreams: upstreamFromEnv(sims.map((s) => s.url).join(','), 'demo') }, { logger: silentLogger() });
const out = await new Promise<string>((resolve) => {
  const c = spawn(process.execPath, ['bench/router/loadgen.mjs', '--url', `${r.url}/v1/chat/completions`, '--mode', 'prefix', '--concurrency', '8', '--duration', '8', '--warmup', '0']);
  let s = '';
  c.stdout.on('data', (d: Buffer) => (s += d.toString()));
  c.on('exit', () => resolve(s));
});
console.log(out.trim());
for (const s of sims) {
  const text = await s.registry.metrics();
  const get = (n: string) => text.split('\n').filter((l) => l.startsWith(n + '{')).reduce((a, l) => a + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
  console.log('sim', s.port, 'requests', get('vllm:request_success_total'), 'hit ratio', (get('vllm:prefix_cache_hits_total') / get('vllm:prefix_cache_queries_total')).toFixed(2), 'prompt tokens', get('vllm:prompt_tokens_total'));
}
await r.stop(); await Promise.all(sims.map((s) => s.stop()));
