/**
 * Create -> first token on the real llama-server for the tiny GGUF model (test/fixtures/gguf), and the
 * resident memory of llama-server at two context sizes.
 *
 *   NEBULA_TEST_LLAMA_SERVER=$(node bin/nebula.js engine install llamacpp --cpu --print-path) \
 *     npx vite-node bench/llamacpp/llamacpp-bench.ts -- [--runs 3] [--json]
 *
 * Three measurements, each `--runs` times:
 *  - engine floor: spawn llama-server directly on the Q8_0 file -> /health 200 -> first streamed token;
 *  - Nebula, local .gguf: `POST /api/v2/models` (source local, engine llamacpp, auto_start) on an
 *    all-in-one (`startUp`, in this process) -> first streamed content token through the router. Run 1 is
 *    `cold` (fresh data dir, model file never read: written, then dropped from the page cache with
 *    posix_fadvise via `dd oflag=nocache` where possible), the following runs `warm` (delete + create again);
 *  - Nebula, hub import: `POST /api/v2/catalog/import` of nebula-test/tiny-llama-GGUF from the fake hub;
 *    run 1 with an empty model cache (`cold`: download + verify + launch), then delete (without purge) and
 *    import again (`warm`: files already cached). Needs the GGUF file selection of issue 14 item 4; before
 *    it the import fails and the row says why.
 * Then RSS (VmRSS and VmHWM from /proc/<pid>/status) of llama-server on the Q8_0 model after one request,
 * with `-c 256` and `-c 4096`.
 *
 * "First token" is the first SSE chunk carrying content; the client retries (every 25 ms) while the router
 * answers 404/503 (model not yet routable), as a client waiting for a new model would.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import type { UpHandle } from '../../src/up.js';
import { startFakeHub, TINY_GGUF_REPO } from '../../test/fake-hub/index.js';
import { tinyLlamaRepoFiles, tinyTokenizer } from '../../test/fixtures/gguf/tiny-llama.js';
import { llamaServerBinary, startLlamaServer } from '../../test/helpers/llama-server.js';
import { findProcesses } from '../../test/helpers/procs.js';
import { tempDir } from '../../test/helpers/tmp.js';
import { startTestUp } from '../../test/helpers/up.js';

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : NaN;
  return Number.isFinite(v) && v > 0 ? v : dflt;
}
const runs = arg('runs', 3);
const json = process.argv.includes('--json');
const bin = llamaServerBinary();
if (!bin) {
  process.stderr.write(
    'set NEBULA_TEST_LLAMA_SERVER (node bin/nebula.js engine install llamacpp --cpu --print-path)\n',
  );
  process.exit(2);
}
// The node agent launches `llama-server` from PATH.
process.env['PATH'] = `${dirname(bin)}${delimiter}${process.env['PATH'] ?? ''}`;

const dir = tempDir('nebula-llama-bench-');
const q8 = tinyLlamaRepoFiles(tinyTokenizer()).find((f) => f.path === 'tiny-llama-Q8_0.gguf')!;
const modelFile = join(dir.path, 'models', 'tiny-llama-Q8_0.gguf');
mkdirSync(dirname(modelFile), { recursive: true });
writeFileSync(modelFile, q8.content);

/** Drops a file from the page cache (best effort: dd with oflag=nocache rewrites nothing, just advises). */
function dropFromPageCache(path: string): Promise<void> {
  return new Promise((resolve) => {
    const p = spawn('dd', [`if=${path}`, 'iflag=nocache', 'count=0', 'status=none'], { stdio: 'ignore' });
    p.on('exit', () => resolve());
    p.on('error', () => resolve());
  });
}

/** Streams one chat request; resolves with ms until the first content chunk, or undefined if not routable yet. */
async function firstToken(url: string, model: string, key: string | undefined): Promise<number | undefined> {
  const t0 = performance.now();
  const r = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key ? { authorization: `Bearer ${key}` } : {}) },
    body: JSON.stringify({
      model,
      messages: [{ role: 'user', content: 'hello' }],
      max_tokens: 4,
      temperature: 0,
      stream: true,
    }),
  });
  if (r.status !== 200 || !r.body) {
    await r.body?.cancel();
    return undefined;
  }
  const reader = r.body.getReader();
  const dec = new TextDecoder();
  let buf = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buf += dec.decode(value, { stream: true });
    if (/"content":"[^"]/.test(buf)) {
      await reader.cancel();
      return performance.now() - t0;
    }
  }
  return performance.now() - t0;
}

/** Retries `firstToken` until the model answers; resolves with ms since `since`. */
async function untilFirstToken(url: string, model: string, key: string, since: number, timeoutMs = 180_000) {
  for (;;) {
    try {
      if ((await firstToken(url, model, key)) !== undefined) return performance.now() - since;
    } catch {
      // connection refused while nothing listens yet
    }
    if (performance.now() - since > timeoutMs) throw new Error(`no token from ${model} in ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

interface Row {
  what: string;
  cache: 'cold' | 'warm' | '-';
  ms: number[];
  note?: string;
}
const rows: Row[] = [];
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;

// 1. Engine floor.
{
  const ready: number[] = [];
  const token: number[] = [];
  for (let i = 0; i < runs; i++) {
    await dropFromPageCache(modelFile);
    const t0 = performance.now();
    const s = await startLlamaServer(modelFile, ['-c', '256']);
    ready.push(performance.now() - t0);
    const ft = await firstToken(s.url, 'x', undefined);
    token.push(performance.now() - t0);
    await s.stop();
    if (ft === undefined) throw new Error('llama-server did not stream');
  }
  rows.push({ what: 'llama-server alone: spawn -> /health 200', cache: '-', ms: ready });
  rows.push({ what: 'llama-server alone: spawn -> first token', cache: '-', ms: token });
}

// 2 + 3. Through Nebula.
const hub = await startFakeHub();
let up: UpHandle | undefined;
try {
  const t = await startTestUp(dir.path, {
    nodeId: 'bench',
    gpus: 'sim:2x24GiB',
    portRange: '44500-44599',
    hfEndpoint: hub.url,
  });
  up = t.up;
  const { client, token: key } = t;
  /** Deletes a model and waits until it is really gone: API 404, no engine process, router no longer routes it. */
  const gone = async (uid: string) => {
    const routerUrl = up!.routerUrl;
    await client.models.delete(uid);
    for (;;) {
      const inApi = await client.models.get(uid).then(
        () => true,
        () => false,
      );
      const routed = await firstToken(routerUrl, uid, key).catch(() => undefined);
      if (!inApi && routed === undefined && findProcesses(bin, dir.path).length === 0) return;
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  const local: Row[] = [
    { what: 'nebula create (local .gguf) -> first token', cache: 'cold', ms: [] },
    { what: 'nebula create (local .gguf) -> first token', cache: 'warm', ms: [] },
  ];
  for (let i = 0; i < runs; i++) {
    if (i === 0) await dropFromPageCache(modelFile);
    const t0 = performance.now();
    await client.models.create({
      model_uid: 'tiny-local',
      model_name: 'tiny-local',
      model_source: 'local',
      model_path: modelFile,
      engine_type: 'llamacpp',
      resources: { gpu_memory_gib: 1 },
      auto_start: true,
    });
    (i === 0 ? local[0]! : local[1]!).ms.push(await untilFirstToken(up.routerUrl, 'tiny-local', key, t0));
    await gone('tiny-local');
  }
  rows.push(...local);

  const hubRows: Row[] = [
    { what: `nebula catalog import (${TINY_GGUF_REPO}) -> first token`, cache: 'cold', ms: [] },
    { what: `nebula catalog import (${TINY_GGUF_REPO}) -> first token`, cache: 'warm', ms: [] },
  ];
  try {
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      await client.catalog.import({
        provider: 'huggingface',
        model_id: TINY_GGUF_REPO,
        model_uid: 'tiny-hub',
        engine_type: 'llamacpp',
        replicas: 1,
        auto_start: true,
      });
      const waitToken = untilFirstToken(up.routerUrl, 'tiny-hub', key, t0, 120_000);
      const failed = (async () => {
        for (;;) {
          const d = await client.models.get('tiny-hub');
          if (d.state === 'failed') throw new Error(d.state_reason ?? 'failed');
          if (d.state === 'running') return;
          await new Promise((r) => setTimeout(r, 200));
        }
      })();
      const ms = await Promise.race([waitToken, failed.then(() => waitToken)]);
      (i === 0 ? hubRows[0]! : hubRows[1]!).ms.push(ms);
      await gone('tiny-hub'); // no purge: the next import finds the files in the cache
    }
  } catch (err) {
    for (const r of hubRows)
      r.note = `failed: ${err instanceof Error ? err.message : String(err)}`.slice(0, 160);
  }
  rows.push(...hubRows);
} finally {
  await up?.stop();
  await hub.stop();
}

// 4. Resident memory.
function status(pid: number): { rssKiB: number; hwmKiB: number } {
  const s = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (k: string) => Number(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm').exec(s)?.[1] ?? NaN);
  return { rssKiB: kib('VmRSS'), hwmKiB: kib('VmHWM') };
}
const memory: { ctx: number; rssMiB: number; hwmMiB: number; fileMiB: number }[] = [];
for (const ctx of [256, 4096]) {
  const s = await startLlamaServer(modelFile, ['-c', String(ctx)]);
  await firstToken(s.url, 'x', undefined);
  const m = status(s.proc.pid!);
  memory.push({
    ctx,
    rssMiB: +(m.rssKiB / 1024).toFixed(1),
    hwmMiB: +(m.hwmKiB / 1024).toFixed(1),
    fileMiB: +(q8.content.length / 1048576).toFixed(2),
  });
  await s.stop();
}
dir.cleanup();

if (json) {
  process.stdout.write(`${JSON.stringify({ runs, rows, memory }, null, 2)}\n`);
} else {
  const fmt = (xs: number[]) => (xs.length === 0 ? '-' : xs.map((x) => x.toFixed(0)).join(', '));
  process.stdout.write(
    `runs: ${runs}\n\n| measurement | cache | median ms | all runs (ms) |\n|---|---|---|---|\n`,
  );
  for (const r of rows) {
    process.stdout.write(
      `| ${r.what} | ${r.cache} | ${r.ms.length ? median(r.ms).toFixed(0) : '-'} | ${r.note ?? fmt(r.ms)} |\n`,
    );
  }
  process.stdout.write(
    '\n| llama-server -c | VmRSS after 1 request (MiB) | VmHWM (MiB) | model file (MiB) |\n|---|---|---|---|\n',
  );
  for (const m of memory) process.stdout.write(`| ${m.ctx} | ${m.rssMiB} | ${m.hwmMiB} | ${m.fileMiB} |\n`);
}
process.exit(0);
