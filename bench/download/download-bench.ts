/**
 * Download throughput of the cache manager against `curl` for the same file, in the same run, from the local
 * fake hub running in its own process (it generates the bytes while it serves them: a 1 GiB file never sits
 * in memory).
 *
 *   npx vite-node bench/download/download-bench.ts -- [--size-mib 1024] [--runs 3] [--state warm|cold]
 *     [--idle-s 5] [--json]
 *
 * Each run downloads the model with a fresh cache dir (Hugging Face API: model info, resolve -> 302 -> CDN
 * path, sha256 verified while writing, blob renamed into place, snapshot symlinks) and fetches the same
 * resolve URL with `curl -L -o` (no verification); which of the two goes first alternates. Output files are
 * deleted after each download.
 *
 * The starting state is controlled, because on a VM it decides the result more than either client does:
 * memory the guest frees is handed back to the host after a couple of idle seconds, and writing the next GiB
 * into the page cache then costs ~2 s of extra kernel time (`dd` of 1 GiB: 2.2-2.5 s of system time after
 * 3 s idle, 0.2 s right after another 1 GiB write). `warm`: every timed download starts right after an
 * untimed curl of the same file was written and deleted. `cold`: after `--idle-s` seconds of idling.
 */
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { ModelSpec } from '../../src/core/domain/index.js';
import { silentLogger } from '../../src/core/logger.js';
import { createCacheManager } from '../../src/node/cache/index.js';
import { openEmbeddedStore } from '../../src/store/embedded/index.js';
import { tempDir } from '../../test/helpers/tmp.js';

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : NaN;
  return Number.isFinite(v) && v > 0 ? v : dflt;
}
const sizeMiB = arg('size-mib', 1024);
const runs = arg('runs', 3);
const json = process.argv.includes('--json');
type State = 'warm' | 'cold';
const stateArg = process.argv.includes('--state') ? process.argv[process.argv.indexOf('--state') + 1] : 'both';
const states: State[] = stateArg === 'warm' || stateArg === 'cold' ? [stateArg] : ['warm', 'cold'];
const idleS = arg('idle-s', 5);
const MODEL = 'bench/big-model';

/** Runs curl under bash's `time`; resolves with its CPU seconds (user + system). */
function curl(url: string, out: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const p = spawn('bash', ['-c', `TIMEFORMAT='%U %S'; time curl -sS -L -o "$1" "$2"`, 'bash', out, url], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.on('error', reject);
    p.on('exit', (code) => {
      const m = /([\d.]+) ([\d.]+)\s*$/.exec(err);
      if (code === 0 && m) resolve(Number(m[1]) + Number(m[2]));
      else reject(new Error(`curl exited ${code}: ${err}`));
    });
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

/** Starts the fake hub in a child process and resolves with its URL. */
function startHubProcess(): Promise<{ url: string; stop: () => void }> {
  const bin = join(process.cwd(), 'node_modules', '.bin', 'vite-node');
  const p = spawn(bin, [join('bench', 'download', 'hub-process.ts'), String(sizeMiB)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let buf = '';
    p.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      const line = buf.split('\n').find((l) => l.startsWith('{'));
      if (line) resolve({ url: (JSON.parse(line) as { url: string }).url, stop: () => p.kill('SIGTERM') });
    });
    p.on('exit', (code) => reject(new Error(`hub process exited ${code}`)));
  });
}

const hub = await startHubProcess();
const tmp = tempDir('nebula-dlbench-');
const store = await openEmbeddedStore({});
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Series {
  nebula: number[];
  curl: number[];
  nebulaCpu: number[];
  curlCpu: number[];
}

try {
  const info = (await (await fetch(`${hub.url}/api/models/${MODEL}?blobs=true`)).json()) as {
    siblings: { rfilename: string; size: number }[];
  };
  const bytes = info.siblings.reduce((n, f) => n + f.size, 0);
  const weights = { size: info.siblings.find((f) => f.rfilename === 'model.safetensors')?.size ?? 0 };
  const url = `${hub.url}/${MODEL}/resolve/main/model.safetensors`;

  let n = 0;
  const timeNebula = async (series: Series) => {
    const cacheDir = join(tmp.path, `cache-${n++}`);
    const m = createCacheManager(
      { nodeId: 'bench', cacheDir, hfEndpoint: hub.url, env: {} },
      { store, logger: silentLogger() },
    );
    const spec = ModelSpec.parse({
      model_uid: `bench${n}`,
      model_name: MODEL,
      model_source: 'huggingface',
      engine_type: 'vllm',
      created_at: new Date().toISOString(),
      updated_at: new Date().toISOString(),
    });
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const res = await m.ensure({
      spec,
      modelUid: spec.model_uid,
      replicaId: 0,
      signal: new AbortController().signal,
    });
    const t1 = performance.now();
    const cpu = process.cpuUsage(cpu0);
    series.nebulaCpu.push((cpu.user + cpu.system) / 1e6);
    await m.stop();
    if (!res.downloaded) throw new Error('expected a download');
    series.nebula.push(bytes / 1024 / 1024 / ((t1 - t0) / 1000));
    rmSync(cacheDir, { recursive: true, force: true });
  };
  const timeCurl = async (series: Series) => {
    const out = join(tmp.path, `curl-${n++}.bin`);
    const c0 = performance.now();
    series.curlCpu.push(await curl(url, out));
    const c1 = performance.now();
    series.curl.push(weights.size / 1024 / 1024 / ((c1 - c0) / 1000));
    rmSync(out, { force: true });
  };

  const scratch: Series = { nebula: [], curl: [], nebulaCpu: [], curlCpu: [] };
  const results = [];
  for (const state of states) {
    const series: Series = { nebula: [], curl: [], nebulaCpu: [], curlCpu: [] };
    for (let r = 0; r < runs; r++) {
      // Alternate which client goes first, so neither always follows the other.
      const order = r % 2 === 0 ? [timeNebula, timeCurl] : [timeCurl, timeNebula];
      for (const run of order) {
        // warm: an untimed download by the same client first, then the timed one right after it.
        if (state === 'warm') await run(scratch);
        else await sleep(idleS * 1000);
        await run(series);
      }
    }
    const result = {
      state,
      size_mib: sizeMiB,
      runs,
      nebula_mib_s: series.nebula.map((x) => Math.round(x)),
      curl_mib_s: series.curl.map((x) => Math.round(x)),
      nebula_median_mib_s: Math.round(median(series.nebula)),
      curl_median_mib_s: Math.round(median(series.curl)),
      ratio: Math.round((median(series.nebula) / median(series.curl)) * 1000) / 1000,
      /** CPU seconds per GiB (user + system, all threads): what each client costs when cores are scarce. */
      nebula_cpu_s_per_gib: Math.round((median(series.nebulaCpu) / (bytes / 1024 ** 3)) * 100) / 100,
      curl_cpu_s_per_gib: Math.round((median(series.curlCpu) / (weights.size / 1024 ** 3)) * 100) / 100,
    };
    results.push(result);
    if (!json) {
      console.log(`${state}: size ${sizeMiB} MiB, ${runs} runs`);
      console.log(
        `  nebula cache manager: ${result.nebula_mib_s.join(', ')} MiB/s (median ${result.nebula_median_mib_s})`,
      );
      console.log(
        `  curl -L -o:           ${result.curl_mib_s.join(', ')} MiB/s (median ${result.curl_median_mib_s})`,
      );
      console.log(`  ratio nebula / curl:  ${result.ratio}`);
      console.log(
        `  CPU s per GiB:        nebula ${result.nebula_cpu_s_per_gib}, curl ${result.curl_cpu_s_per_gib}`,
      );
    }
  }
  if (json) console.log(JSON.stringify(results));
} finally {
  await store.close();
  hub.stop();
  tmp.cleanup();
}
