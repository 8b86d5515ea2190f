/**
 * Control API benchmark: p50 / p99 latency of GET /api/v2/models and GET /api/overview (plus the full
 * 5,000-model list and the node list) over real HTTP against an embedded store (SQLite file, WAL) holding
 * N models and M nodes with plans, endpoints, downloads, disks and caches. Requests are sequential, with an
 * API key, after a warm-up. Usage:
 *   npx vite-node bench/api/api-bench.ts -- [--models 5000] [--nodes 200] [--n 200] [--no-cache] [--json]
 * `--no-cache` lists the store on every request instead of serving from the watched view cache.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  Endpoint,
  ModelCacheEntry,
  ModelDeployment,
  ModelSpec,
  NodeDiskStatus,
  NodeStatus,
  PlacementPlan,
  DownloadProgress,
} from '../../src/core/domain/index.js';
import { keys, modelNameHash } from '../../src/core/index.js';
import { silentLogger } from '../../src/core/logger.js';
import { createMetricsRegistry } from '../../src/core/metrics.js';
import { startServer } from '../../src/server/server.js';
import { openEmbeddedStore } from '../../src/store/embedded/index.js';
import { encode } from '../../src/store/json.js';
import type { Store, TxnOp } from '../../src/store/types.js';

const GIB = 1024 ** 3;

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

async function populate(store: Store, models: number, nodes: number): Promise<void> {
  const now = new Date().toISOString();
  let batch: TxnOp[] = [];
  const flush = async () => {
    if (batch.length === 0) return;
    await store.txn({ compare: [], success: batch });
    batch = [];
  };
  const put = async (key: string, value: string) => {
    batch.push({ op: 'put', key, value });
    if (batch.length >= 200) await flush();
  };
  for (let n = 0; n < nodes; n++) {
    const id = `node-${String(n).padStart(3, '0')}`;
    await put(
      keys.nodeStatus(id),
      encode(NodeStatus, {
        node_id: id,
        address: `10.0.${Math.floor(n / 250)}.${n % 250}`,
        admin_port: 9092,
        gpus: Array.from({ length: 8 }, (_, i) => ({
          index: i,
          name: 'NVIDIA H100 80GB HBM3',
          memory_total_bytes: 80 * GIB,
          memory_used_bytes: 40 * GIB,
          utilization_percent: 50,
        })),
        gpu_source: 'simulated',
        port_range: { start: 40000, end: 40999 },
        labels: { zone: `z${n % 4}` },
        version: '0.1.0',
        started_at: now,
        heartbeat_at: now,
      }),
    );
    await put(
      keys.nodeDisk(id),
      encode(NodeDiskStatus, {
        node_id: id,
        path: '/data',
        total_bytes: 4000 * GIB,
        used_bytes: 2000 * GIB,
        available_bytes: 2000 * GIB,
        usage_percent: 50,
        updated_at: now,
      }),
    );
  }
  for (let m = 0; m < models; m++) {
    const uid = `model-${String(m).padStart(5, '0')}`;
    const name = `org-${m % 50}/llm-${m}`;
    const spec = ModelSpec.parse({
      model_uid: uid,
      model_name: name,
      model_source: 'huggingface',
      engine_type: 'vllm',
      engine_config: { extra_args: ['--enable-prefix-caching'], env: {}, max_model_len: 8192 },
      resources: { gpu_count: 1, param_count_b: 7 },
      labels: { team: `t${m % 10}` },
      description: 'benchmark model',
      created_at: now,
      updated_at: now,
    });
    const running = m % 5 !== 0;
    const replicas = 1 + (m % 2);
    await put(keys.modelSpec(uid), encode(ModelSpec, spec));
    await put(
      keys.deployment(uid),
      encode(ModelDeployment, {
        model_uid: uid,
        desired_state: running ? 'running' : 'stopped',
        replicas,
        node_selector: {},
        placement_strategy: 'binpack',
        generation: 3,
        created_at: now,
        updated_at: now,
      }),
    );
    if (!running) continue;
    const assignments = Array.from({ length: replicas }, (_, r) => ({
      replica_id: r,
      node_id: `node-${String((m * 2 + r) % nodes).padStart(3, '0')}`,
      gpu_indices: [(m + r) % 8],
      gpu_memory_bytes: 20 * GIB,
      port: 40000 + ((m * 2 + r) % 900),
    }));
    await put(
      keys.placement(uid),
      encode(PlacementPlan, {
        model_uid: uid,
        plan_version: 2,
        source: 'deployment',
        generation: 3,
        spec,
        assignments,
        unplaced: null,
        updated_at: now,
      }),
    );
    for (const a of assignments) {
      const downloading = m % 17 === 0;
      await put(
        keys.endpoint(uid, a.replica_id),
        encode(Endpoint, {
          model_uid: uid,
          replica_id: a.replica_id,
          node_id: a.node_id,
          address: '10.0.0.1',
          port: a.port,
          engine_type: 'vllm',
          served_model_name: uid,
          status: downloading ? 'downloading' : m % 23 === 0 ? 'failed' : 'ready',
          plan_version: 2,
          gpu_indices: a.gpu_indices,
          restarts: 0,
          updated_at: now,
        }),
      );
      if (downloading) {
        await put(
          keys.downloadProgress(uid, a.replica_id),
          encode(DownloadProgress, {
            model_uid: uid,
            replica_id: a.replica_id,
            node_id: a.node_id,
            model_name: name,
            source: 'huggingface',
            phase: 'downloading',
            bytes_done: GIB,
            bytes_total: 15 * GIB,
            files_done: 1,
            files_total: 4,
            speed_bps: 100e6,
            started_at: now,
            updated_at: now,
          }),
        );
      }
    }
    if (m < nodes * 2) {
      const node = assignments[0]?.node_id ?? 'node-000';
      await put(
        keys.modelCache(node, modelNameHash('huggingface', name)),
        encode(ModelCacheEntry, {
          node_id: node,
          model_name: name,
          source: 'huggingface',
          layout: 'huggingface',
          path: `/data/hub/${name}`,
          size_bytes: 15 * GIB,
          file_count: 8,
          complete: true,
          scanned_at: now,
        }),
      );
    }
  }
  await flush();
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function measure(
  url: string,
  token: string,
  n: number,
): Promise<{ p50: number; p99: number; mean: number; bytes: number }> {
  const times: number[] = [];
  let bytes = 0;
  for (let i = 0; i < n + 10; i++) {
    const t0 = performance.now();
    const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    const body = await res.arrayBuffer();
    const dt = performance.now() - t0;
    if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
    bytes = body.byteLength;
    if (i >= 10) times.push(dt); // the first 10 warm up (JIT, decode memo)
  }
  times.sort((a, b) => a - b);
  return {
    p50: pct(times, 50),
    p99: pct(times, 99),
    mean: times.reduce((a, b) => a + b, 0) / times.length,
    bytes,
  };
}

async function main(): Promise<void> {
  const models = arg('models', 5000);
  const nodes = arg('nodes', 200);
  const n = arg('n', 200);
  const dir = mkdtempSync(join(tmpdir(), 'nebula-api-bench-'));
  const store = await openEmbeddedStore({ path: join(dir, 'state.db') });
  const t0 = performance.now();
  await populate(store, models, nodes);
  const populateMs = performance.now() - t0;
  const server = await startServer(
    {
      port: 0,
      host: '127.0.0.1',
      rateLimit: false,
      webDir: join(dir, 'no-web'),
      env: {},
      viewCache: !process.argv.includes('--no-cache'),
    },
    {
      store,
      logger: silentLogger(),
      registry: createMetricsRegistry({ role: 'server', processMetrics: false }),
    },
  );
  const token = server.bootstrap?.apiKey ?? '';
  try {
    const routes: [string, string][] = [
      ['GET /api/v2/models (default page of 100)', '/api/v2/models'],
      ['GET /api/overview', '/api/overview'],
      [`GET /api/v2/models?limit=${models} (all)`, `/api/v2/models?limit=${models}`],
      ['GET /api/v2/nodes', '/api/v2/nodes'],
      ['GET /api/v2/models/{uid} (detail)', '/api/v2/models/model-00001'],
    ];
    const rows = [];
    for (const [name, path] of routes)
      rows.push({ route: name, ...(await measure(server.url + path, token, n)) });
    if (process.argv.includes('--json')) {
      process.stdout.write(`${JSON.stringify({ models, nodes, n, populateMs, rows }, null, 2)}\n`);
    } else {
      process.stdout.write(
        `store: embedded (SQLite WAL file), ${models} models, ${nodes} nodes; view cache ${process.argv.includes('--no-cache') ? 'off' : 'on'}; populated in ${(populateMs / 1000).toFixed(1)} s; ${n} sequential requests per route\n\n`,
      );
      process.stdout.write(
        '| route | p50 (ms) | p99 (ms) | mean (ms) | response |\n| --- | ---: | ---: | ---: | ---: |\n',
      );
      for (const r of rows) {
        process.stdout.write(
          `| ${r.route} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.mean.toFixed(1)} | ${(r.bytes / 1024).toFixed(0)} KiB |\n`,
        );
      }
    }
  } finally {
    await server.stop();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
