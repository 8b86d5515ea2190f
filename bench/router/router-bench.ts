/**
 * Router benchmark (bench/README.md, "Router"). Everything on loopback, each server in its own process:
 *
 *  1. Overhead: a zero-latency simulator (ttft 0, itl 0) reached (a) directly, (b) through the router,
 *     (c) through Debian nginx (upstream keepalive, proxy_pass, proxy_buffering off); non-streaming and
 *     streaming, at 1 (unloaded latency), 64 and 512 concurrent clients.
 *  1b. Latency: the same three targets under an open-loop load of `--rate` req/s (below saturation), p50/p99.
 *  2. Policies: TTFT p50/p90 of round-robin, least-outstanding and prefix-aware on a shared-prefix workload
 *     (8 long system prompts x many users) over 4 simulators with prefix caching (TTFT proportional to the
 *     uncached share of the prompt, KV cache too small to hold every prompt on every replica).
 *
 *   npx vite-node bench/router/router-bench.ts -- [--duration 3] [--repeat 1] [--only overhead|latency|policies]
 *     [--rate 4000]
 *     [--modes plain,stream] [--concurrency 1,64,512] [--targets direct,router,nginx]
 *     [--proxy router|floor-http|floor-net] [--router-from dist|src] [--nginx-workers 1] [--ttft-ms 1000] [--kv-blocks 128] [--policy-concurrency 8] [--policy-duration 8]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LoadJob, LoadResult } from './loadgen.js';

const argv = process.argv.slice(2).filter((a) => a !== '--');
const flag = (name: string, dflt: string): string => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined ? (argv[i + 1] as string) : dflt;
};
const DURATION = Number(flag('duration', '4'));
const ONLY = flag('only', 'all');
const NGINX_WORKERS = flag('nginx-workers', '1');
const REPEAT = Number(flag('repeat', '1'));
const MODES = flag('modes', 'plain,stream').split(',') as ('plain' | 'stream')[];
const CONCURRENCY = flag('concurrency', '1,64,512').split(',').map(Number);
const TARGETS = flag('targets', 'direct,router,nginx').split(',');
/** What runs in the router's place: the router, or a floor measurement of its stack (bench/README.md). */
const PROXY = flag('proxy', 'router');
/** How the router runs: `dist` is the product (`bin/nebula.js`, needs `npm run build`), `src` via vite-node. */
const ROUTER_FROM = flag('router-from', 'dist');
if (!['dist', 'src'].includes(ROUTER_FROM)) throw new Error(`unknown --router-from ${ROUTER_FROM}`);
if (!['router', 'floor-http', 'floor-net'].includes(PROXY)) throw new Error(`unknown --proxy ${PROXY}`);
const TOKEN = 'bench-token-0123456789';
const root = join(import.meta.dirname, '..', '..');
if (ROUTER_FROM === 'dist' && !existsSync(join(root, 'dist', 'cli', 'main.js')))
  throw new Error('dist/ is missing: run `npm run build` first, or pass --router-from src');
const children: ChildProcess[] = [];
const tmp = mkdtempSync(join(tmpdir(), 'nebula-router-bench-'));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

function start(cmd: string, args: string[], env: Record<string, string> = {}): ChildProcess {
  const child = spawn(cmd, args, {
    cwd: root,
    env: { ...process.env, NEBULA_LOG_LEVEL: 'warn', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  children.push(child);
  child.stderr?.on('data', (d: Buffer) => {
    const s = d.toString();
    if (!/npm warn/.test(s)) process.stderr.write(`[${args[args.length - 1] ?? cmd}] ${s}`);
  });
  return child;
}

/** Runs a TypeScript entry from the sources (a CLI role by default) in its own process, through vite-node. */
function serve(
  args: string[],
  script = join(root, 'bench/router/serve.ts'),
  scriptArgs: string[] = [],
): ChildProcess {
  const viteNode = join(root, 'node_modules', 'vite-node', 'vite-node.mjs');
  return start(process.execPath, [viteNode, script, '--', ...args, ...scriptArgs]);
}

async function waitHttp(url: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const r = await fetch(url);
      await r.text();
      if (r.status < 500) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not come up`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 5000).unref();
  });
}

/** The load generator: one long-lived child process, one JSON job per line. */
class LoadGen {
  private readonly child: ChildProcess;
  private buf = '';
  private waiting: ((line: string) => void) | undefined;
  private failed: ((err: Error) => void) | undefined;

  constructor() {
    this.child = serve([], join(root, 'bench/router/loadgen.ts'), ['--serve']);
    this.child.once('exit', () => this.failed?.(new Error('load generator exited')));
    this.child.stdout?.on('data', (d: Buffer) => {
      this.buf += d.toString();
      const nl = this.buf.indexOf('\n');
      if (nl !== -1 && this.waiting) {
        const line = this.buf.slice(0, nl);
        this.buf = this.buf.slice(nl + 1);
        const w = this.waiting;
        this.waiting = undefined;
        w(line);
      }
    });
  }

  run(job: LoadJob): Promise<LoadResult> {
    return new Promise((resolve, reject) => {
      this.failed = reject;
      this.waiting = (line) => resolve(JSON.parse(line) as LoadResult);
      this.child.stdin?.write(`${JSON.stringify(job)}\n`);
    });
  }
}

let loadgen: LoadGen | undefined;

function load(
  url: string,
  mode: LoadJob['mode'],
  concurrency: number,
  extra: Partial<LoadJob> = {},
): Promise<LoadResult> {
  loadgen ??= new LoadGen();
  return loadgen.run({ url, mode, concurrency, durationS: DURATION, warmupS: 1, token: TOKEN, ...extra });
}

async function startSim(extra: string[] = []): Promise<{ port: number; child: ChildProcess }> {
  const port = await freePort();
  const child = serve([
    'engine-sim',
    '--model',
    'demo',
    '--host',
    '127.0.0.1',
    '--port',
    String(port),
    '--ttft-ms',
    '0',
    '--itl-ms',
    '0',
    '--max-num-seqs',
    '100000',
    '--max-waiting',
    '1000000',
    '--mode',
    'random',
    ...extra,
  ]);
  await waitHttp(`http://127.0.0.1:${port}/health`);
  return { port, child };
}

async function startRouterProc(
  upstreams: string,
  policy: string,
): Promise<{ port: number; child: ChildProcess }> {
  const port = await freePort();
  const tokens = join(tmp, 'tokens.yaml');
  writeFileSync(tokens, `- { token: ${TOKEN}, name: bench }\n`);
  const file = join(tmp, `upstreams-${port}.yaml`);
  writeFileSync(file, `demo:\n  urls: [${upstreams}]\n`);
  if (PROXY !== 'router') {
    // A floor measurement instead of the router (floor-http.ts / floor-net.ts): one upstream, no auth.
    const viteNode = join(root, 'node_modules', 'vite-node', 'vite-node.mjs');
    const script = join(root, 'bench', 'router', `${PROXY}.ts`);
    const child = start(process.execPath, [viteNode, script, '--', '--port', String(port)], {
      UP: upstreams.split(',')[0]?.trim() ?? '',
    });
    await waitHttp(`http://127.0.0.1:${port}/healthz`);
    return { port, child };
  }
  const args = [
    'router',
    '--host',
    '127.0.0.1',
    '--port',
    String(port),
    '--no-grpc',
    '--static-upstreams',
    file,
    '--tokens-file',
    tokens,
    '--policy',
    policy,
  ];
  // ROUTER_NODE_FLAGS: extra node flags for the router process (e.g. `--cpu-prof --cpu-prof-dir=/tmp/p`).
  const nodeFlags = (process.env['ROUTER_NODE_FLAGS'] ?? '').split(' ').filter((f) => f !== '');
  const child =
    ROUTER_FROM === 'dist'
      ? start(process.execPath, [...nodeFlags, join(root, 'bin', 'nebula.js'), ...args])
      : serve(args);
  await waitHttp(`http://127.0.0.1:${port}/healthz`);
  return { port, child };
}

async function startNginx(simPort: number): Promise<{ port: number; child: ChildProcess }> {
  const port = await freePort();
  const dir = join(tmp, `nginx-${port}`);
  const conf = join(tmp, `nginx-${port}.conf`);
  writeFileSync(
    conf,
    `worker_processes ${NGINX_WORKERS};
pid ${dir}.pid;
error_log ${dir}.error.log warn;
events { worker_connections 8192; }
http {
  access_log off;
  client_body_temp_path ${dir}-body; proxy_temp_path ${dir}-proxy;
  fastcgi_temp_path ${dir}-fcgi; uwsgi_temp_path ${dir}-uwsgi; scgi_temp_path ${dir}-scgi;
  client_max_body_size 32m;
  upstream sim { server 127.0.0.1:${simPort}; keepalive 1024; }
  server {
    listen 127.0.0.1:${port} reuseport backlog=4096;
    location / {
      proxy_pass http://sim;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_buffering off;
      proxy_request_buffering off;
    }
  }
}
`,
  );
  const child = start('/usr/sbin/nginx', ['-p', tmp, '-c', conf, '-g', 'daemon off;']);
  await waitHttp(`http://127.0.0.1:${port}/health`);
  return { port, child };
}

/** CPU seconds (user + system) used so far by a process and its children that are still alive (nginx workers). */
function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return 0;
  const tick = 100; // USER_HZ on Linux
  let total = 0;
  const pids = [pid];
  try {
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
    if (children !== '') pids.push(...children.split(/\s+/).map(Number));
  } catch {
    // no children file: the process alone
  }
  for (const p of pids) {
    try {
      const fields = readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
      total += (Number(fields[11]) + Number(fields[12])) / tick;
    } catch {
      // gone
    }
  }
  return total;
}

const fmt = (v: number | null) => (v === null ? '-' : v.toFixed(2));

type Target = [name: string, port: number, proc: ChildProcess | undefined];

/**
 * A zero-latency simulator with the router and nginx in front of it; the selected targets, each warmed up
 * once per mode (V8 has optimised the router's hot path, as after minutes of traffic), and a stop function.
 */
async function startTargets(): Promise<{ targets: Target[]; stopAll: () => Promise<void> }> {
  const sim = await startSim();
  const router = await startRouterProc(`http://127.0.0.1:${sim.port}`, 'least-outstanding');
  const nginx = await startNginx(sim.port);
  const targets = (
    [
      ['direct', sim.port, undefined],
      ['router', router.port, router.child],
      ['nginx', nginx.port, nginx.child],
    ] as Target[]
  ).filter(([name]) => TARGETS.includes(name));
  for (const [, port] of targets) {
    for (const mode of ['plain', 'stream'] as const)
      await load(`http://127.0.0.1:${port}/v1/chat/completions`, mode, 64);
  }
  const stopAll = async () => {
    await Promise.all([stop(nginx.child), stop(router.child), stop(sim.child)]);
  };
  return { targets, stopAll };
}

async function overhead(): Promise<string[]> {
  const { targets, stopAll } = await startTargets();
  const rows: string[] = [
    '| mode | concurrency | target | req/s | p50 ms | p90 ms | p99 ms | proxy CPU µs/req | errors |',
    '| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  const summary: string[] = [];
  for (const mode of MODES) {
    for (const c of CONCURRENCY) {
      const got: Record<string, LoadResult> = {};
      // Several runs per cell, the targets taking turns (direct, router, nginx, direct, ...) so that a
      // machine that drifts during the cell weighs on all of them alike; the median run (by req/s) of each
      // target is reported.
      const runs = new Map<string, { r: LoadResult; cpuUs: string }[]>();
      for (let k = 0; k < REPEAT; k++) {
        for (const [name, port, proc] of targets) {
          const cpu0 = cpuSeconds(proc?.pid);
          const run = await load(`http://127.0.0.1:${port}/v1/chat/completions`, mode, c);
          // Over every request sent, warm-up included (the CPU counter cannot tell them apart).
          const us = ((cpuSeconds(proc?.pid) - cpu0) * 1e6) / Math.max(1, run.total);
          const list = runs.get(name) ?? [];
          list.push({ r: run, cpuUs: proc === undefined ? '-' : String(Math.round(us)) });
          runs.set(name, list);
        }
      }
      for (const [name] of targets) {
        const list = (runs.get(name) ?? []).sort((a, b) => a.r.rps - b.r.rps);
        const { r, cpuUs } = list[Math.floor(list.length / 2)] as { r: LoadResult; cpuUs: string };
        got[name] = r;
        rows.push(
          `| ${mode} | ${c} | ${name} | ${r.rps} | ${fmt(r.p50_ms)} | ${fmt(r.p90_ms)} | ${fmt(r.p99_ms)} | ${cpuUs} | ${r.errors + r.status_errors} |`,
        );
        process.stderr.write(`${mode} c=${c} ${name}: ${JSON.stringify(r)}\n`);
      }
      const d = got['direct'];
      const ro = got['router'];
      const ng = got['nginx'];
      if (d && ro && ng) {
        summary.push(
          `${mode} c=${c}: router adds ${fmt((ro.p50_ms ?? 0) - (d.p50_ms ?? 0))} ms p50 (nginx ${fmt((ng.p50_ms ?? 0) - (d.p50_ms ?? 0))}); router req/s = ${Math.round((100 * ro.rps) / Math.max(1, ng.rps))} % of nginx`,
        );
      }
    }
  }
  await stopAll();
  return [...rows, '', ...summary.map((s) => `- ${s}`)];
}

/**
 * Latency under load without saturation: an open-loop schedule of `--rate` requests per second (over up to 64
 * connections) to each target in turn; latency counts from each request's scheduled start.
 */
async function latency(): Promise<string[]> {
  const rate = Number(flag('rate', '4000'));
  const { targets, stopAll } = await startTargets();
  const rows: string[] = [
    `| mode | offered req/s | target | served req/s | p50 ms | p90 ms | p99 ms | errors |`,
    '| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: |',
  ];
  const summary: string[] = [];
  for (const mode of MODES) {
    const runs = new Map<string, LoadResult[]>();
    for (let k = 0; k < REPEAT; k++) {
      for (const [name, port] of targets) {
        const r = await load(`http://127.0.0.1:${port}/v1/chat/completions`, mode, 64, { rate });
        runs.set(name, [...(runs.get(name) ?? []), r]);
      }
    }
    const got: Record<string, LoadResult> = {};
    for (const [name] of targets) {
      const list = (runs.get(name) ?? []).sort((a, b) => (a.p50_ms ?? 0) - (b.p50_ms ?? 0));
      const r = list[Math.floor(list.length / 2)] as LoadResult;
      got[name] = r;
      rows.push(
        `| ${mode} | ${rate} | ${name} | ${r.rps} | ${fmt(r.p50_ms)} | ${fmt(r.p90_ms)} | ${fmt(r.p99_ms)} | ${r.errors + r.status_errors} |`,
      );
      process.stderr.write(`latency ${mode} ${name}: ${JSON.stringify(r)}\n`);
    }
    const d = got['direct'];
    const ro = got['router'];
    const ng = got['nginx'];
    if (d && ro && ng) {
      summary.push(
        `${mode} at ${rate} req/s: router adds ${fmt((ro.p50_ms ?? 0) - (d.p50_ms ?? 0))} ms p50, ${fmt((ro.p99_ms ?? 0) - (d.p99_ms ?? 0))} ms p99 (nginx ${fmt((ng.p50_ms ?? 0) - (d.p50_ms ?? 0))} / ${fmt((ng.p99_ms ?? 0) - (d.p99_ms ?? 0))})`,
      );
    }
  }
  await stopAll();
  return [...rows, '', ...summary.map((x) => `- ${x}`)];
}

async function policies(): Promise<string[]> {
  const rows = [
    '| policy | requests | TTFT p50 ms | TTFT p90 ms | latency p99 ms | errors |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
  ];
  const results: Record<string, LoadResult> = {};
  for (const policy of ['round-robin', 'least-outstanding', 'prefix-aware']) {
    // Fresh engines per policy: every policy starts with cold caches.
    const sims = serve([
      'sims',
      '4',
      '--model',
      'demo',
      '--host',
      '127.0.0.1',
      '--ttft-ms',
      flag('ttft-ms', '1000'),
      '--itl-ms',
      '5',
      '--kv-blocks',
      flag('kv-blocks', '128'),
      '--block-size',
      '16',
      '--max-num-seqs',
      '64',
      '--max-model-len',
      '8192',
    ]);
    const ports = await new Promise<number[]>((resolve) => {
      let out = '';
      sims.stdout?.on('data', (d: Buffer) => {
        out += d.toString();
        const line = out.split('\n').find((l) => l.startsWith('{'));
        if (line) resolve((JSON.parse(line) as { ports: number[] }).ports);
      });
    });
    const router = await startRouterProc(ports.map((p) => `http://127.0.0.1:${p}`).join(', '), policy);
    const r = await load(
      `http://127.0.0.1:${router.port}/v1/chat/completions`,
      'prefix',
      Number(flag('policy-concurrency', '8')),
      {
        warmupS: 0,
        durationS: Number(flag('policy-duration', '8')),
      },
    );
    results[policy] = r;
    rows.push(
      `| ${policy} | ${r.requests} | ${fmt(r.ttft_p50_ms)} | ${fmt(r.ttft_p90_ms)} | ${fmt(r.p99_ms)} | ${r.errors + r.status_errors} |`,
    );
    process.stderr.write(`policy ${policy}: ${JSON.stringify(r)}\n`);
    await Promise.all([stop(router.child), stop(sims)]);
  }
  const rr = results['round-robin']?.ttft_p90_ms ?? 0;
  const pa = results['prefix-aware']?.ttft_p90_ms ?? 1;
  return [...rows, '', `- prefix-aware TTFT p90 is ${(rr / pa).toFixed(1)}x better than round-robin`];
}

const out: string[] = [];
try {
  if (ONLY === 'all' || ONLY === 'overhead') out.push(...(await overhead()), '');
  if (ONLY === 'all' || ONLY === 'latency') out.push(...(await latency()), '');
  if (ONLY === 'all' || ONLY === 'policies') out.push(...(await policies()));
  process.stdout.write(`${out.join('\n')}\n`);
} finally {
  await Promise.all(children.map(stop));
  rmSync(tmp, { recursive: true, force: true });
}
