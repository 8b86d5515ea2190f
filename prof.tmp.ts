import { spawn } from 'node:child_process';
import { get } from 'node:http';
import { request, Agent } from 'undici';
const p = spawn('node_modules/.bin/vite-node', ['bench/download/hub-process.ts', '1024'], { stdio: ['ignore', 'pipe', 'inherit'] });
const url: string = await new Promise((r) => p.stdout.on('data', (d: Buffer) => { const l = d.toString().split('\n').find((x) => x.startsWith('{')); if (l) r(JSON.parse(l).url); }));
const agent = new Agent({});
const r0 = await request(`${url}/bench/big-model/resolve/main/model.safetensors`, { dispatcher: agent });
const loc = r0.headers.location as string; r0.body.resume();
const t = async (name: string, fn: () => Promise<void>) => { const t0 = performance.now(); await fn(); return `${name} ${Math.round(1024 / ((performance.now() - t0) / 1000))}`; };
for (let i = 0; i < 3; i++) {
  const out = [];
  out.push(await t('undici', async () => { const res = await request(loc, { dispatcher: agent }); for await (const _ of res.body) { /* */ } }));
  out.push(await t('http', () => new Promise((r) => get(loc, (res) => { res.on('data', () => {}); res.on('end', () => r()); }))));
  out.push(await t('curl', () => new Promise((r) => spawn('curl', ['-sS', '-o', '/dev/null', loc]).on('exit', () => r()))));
  console.log(out.join(' | '));
}
p.kill();
await agent.close();
