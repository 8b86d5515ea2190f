/**
 * Scheduler benchmark: time from a burst write of N deployments (spec + deployment, one txn each) to
 * every plan written, on 200 simulated nodes x 8 GPUs x 80 GiB, for the embedded store (SQLite file, WAL)
 * and a real etcd started for the run. Also the latency of one more deployment once N exist (the
 * incremental path). Usage (see bench/README.md):
 *   npx vite-node bench/scheduler/run.ts -- [--n 100,1000,5000] [--stores embedded,etcd] [--nodes 200] [--json]
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ModelDeployment, ModelSpec } from '../../src/core/domain/model.js';
import { NodeStatus } from '../../src/core/domain/node.js';
import { PlacementPlan } from '../../src/core/domain/placement.js';
import { keys, prefixes } from '../../src/core/keys.js';
import { createLogger, silentLogger } from '../../src/core/logger.js';
import { runPool } from '../../src/core/pool.js';
import { deploymentFor, simNodeStatus, specFor } from '../../src/scheduler/fixtures.js';
import { startScheduler } from '../../src/scheduler/index.js';
import { openEmbeddedStore } from '../../src/store/embedded/index.js';
import { openEtcdStore } from '../../src/store/etcd/index.js';
import { encode } from '../../src/store/json.js';
import type { Store } from '../../src/store/types.js';
import { startEtcd, type EtcdProcess } from '../../test/helpers/etcd.js';
import { tempDir } from '../../test/helpers/tmp.js';

const { values } = parseArgs({
  options: {
    n: { type: 'string', default: '100,1000,5000' },
    stores: { type: 'string', default: 'embedded,etcd' },
    nodes: { type: 'string', default: '200' },
    concurrency: { type: 'string', default: '64' },
    json: { type: 'boolean', default: false },
  },
});
const SIZES = values.n.split(',').map(Number);
const NODES = Number(values.nodes);
const CONC = Number(values.concurrency);

interface Result {
  store: string;
  n: number;
  burstWriteMs: number;
  allPlannedMs: number;
  plansPerSec: number;
  passes: number;
  placedReplicas: number;
  unplacedReplicas: number;
  oneMoreMs: number;
}

/** Runs `count` calls of `fn(i)` with at most `conc` in flight (the shared pool). */
const pool = (count: number, conc: number, fn: (i: number) => Promise<unknown>): Promise<void> =>
  runPool(
    Array.from({ length: count }, (_, i) => i),
    conc,
    fn,
  );

/** A model mix that fills about 90 % of the cluster at N = 5000: 4-40 GiB, some 2-GPU, some 2 replicas. */
function model(i: number): { spec: ModelSpec; deployment: ModelDeployment } {
  const uid = `m${i}`;
  const gib = [4, 8, 16, 24, 40][i % 5] ?? 8;
  const gpus = i % 10 === 7 ? 2 : 1;
  return {
    spec: specFor(uid, { resources: { gpu_count: gpus, gpu_memory_gib: gpus === 2 ? gib / 2 : gib } }),
    deployment: deploymentFor(uid, {
      replicas: i % 4 === 0 ? 2 : 1,
      placement_strategy: i % 3 === 0 ? 'spread' : 'binpack',
    }),
  };
}

/** The bench's client connection and the scheduler's (one shared instance for the embedded store). */
interface Stores {
  client: Store;
  scheduler: Store;
  close(): Promise<void>;
}

async function runOne(kind: string, stores: Stores, n: number): Promise<Result> {
  const store = stores.client;
  const schedStore = stores.scheduler;
  try {
    await pool(NODES, CONC, (i) =>
      store.put(keys.nodeStatus(`node-${i}`), encode(NodeStatus, simNodeStatus(`node-${i}`))),
    );
    const sched = await startScheduler(
      { instanceId: 'bench', metricsPort: 0, host: '127.0.0.1', fullResyncMs: 0 },
      {
        store: schedStore,
        logger: process.env['BENCH_DEBUG']
          ? createLogger({ component: 'bench', level: 'debug' })
          : silentLogger(),
      },
    );
    try {
      const deadline = Date.now() + 30_000;
      while (!sched.isLeader()) {
        if (Date.now() > deadline) throw new Error('no leadership');
        await new Promise((r) => setTimeout(r, 20));
      }
      await sched.controller.idle();
      const passesBefore = sched.controller.passes;

      // Count plans as they land, from a watch started before the burst.
      const planned = new Set<string>();
      let doneAt = 0;
      let resolveDone!: () => void;
      const done = new Promise<void>((r) => (resolveDone = r));
      const watcher = await store.watch(prefixes.placements, {
        onEvents: (events) => {
          for (const e of events) if (e.type === 'put') planned.add(e.key);
          if (planned.size >= n && !doneAt) {
            doneAt = performance.now();
            resolveDone();
          }
        },
        onError: (err) => console.error('watch error', err.message),
      });
      const t0 = performance.now();
      await pool(n, CONC, async (i) => {
        const m = model(i);
        await store.txn({
          compare: [],
          success: [
            { op: 'put', key: keys.modelSpec(m.spec.model_uid), value: encode(ModelSpec, m.spec) },
            {
              op: 'put',
              key: keys.deployment(m.spec.model_uid),
              value: encode(ModelDeployment, m.deployment),
            },
          ],
        });
      });
      const burstWriteMs = performance.now() - t0;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        done,
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`only ${planned.size}/${n} plans`)), 600_000);
        }),
      ]).finally(() => clearTimeout(timer));
      const allPlannedMs = doneAt - t0;
      await watcher.close();
      await sched.controller.idle();
      const passes = sched.controller.passes - passesBefore;

      // One more deployment with N in place: the incremental path.
      const extra = model(n);
      const uid = `extra-${n}`;
      const t1 = performance.now();
      await store.txn({
        compare: [],
        success: [
          {
            op: 'put',
            key: keys.modelSpec(uid),
            value: encode(ModelSpec, { ...extra.spec, model_uid: uid }),
          },
          {
            op: 'put',
            key: keys.deployment(uid),
            value: encode(ModelDeployment, { ...extra.deployment, model_uid: uid }),
          },
        ],
      });
      for (;;) {
        if (await store.get(keys.placement(uid))) break;
        await new Promise((r) => setTimeout(r, 2));
      }
      const oneMoreMs = performance.now() - t1;

      const plans = await store.list(prefixes.placements);
      let placed = 0;
      let unplaced = 0;
      for (const kv of plans.items) {
        const p = PlacementPlan.parse(JSON.parse(kv.value));
        placed += p.assignments.length;
        unplaced += p.unplaced?.replicas ?? 0;
      }
      return {
        store: kind,
        n,
        burstWriteMs: Math.round(burstWriteMs),
        allPlannedMs: Math.round(allPlannedMs),
        plansPerSec: Math.round((n * 1000) / allPlannedMs),
        passes,
        placedReplicas: placed,
        unplacedReplicas: unplaced,
        oneMoreMs: Math.round(oneMoreMs * 10) / 10,
      };
    } finally {
      await sched.stop();
    }
  } finally {
    await stores.close();
  }
}

async function main(): Promise<void> {
  const results: Result[] = [];
  const stores = values.stores.split(',');
  let etcd: EtcdProcess | undefined;
  const dir = tempDir('nebula-sched-bench-');
  try {
    for (const kind of stores) {
      for (const n of SIZES) {
        let stores: Stores;
        if (kind === 'embedded') {
          // One store per process, as in `nebula up` (the SQLite file is locked to one process).
          const shared = await openEmbeddedStore({ path: join(dir.path, `bench-${n}.db`) });
          stores = { client: shared, scheduler: shared, close: () => shared.close() };
        } else if (kind === 'etcd') {
          etcd ??= await startEtcd();
          const opts = { endpoints: [etcd.endpoint], namespace: `/bench-${n}`, callTimeoutMs: 30_000 };
          const client = await openEtcdStore(opts);
          const scheduler = await openEtcdStore(opts);
          stores = {
            client,
            scheduler,
            close: async () => void (await Promise.all([client.close(), scheduler.close()])),
          };
        } else throw new Error(`unknown store ${kind}`);
        const r = await runOne(kind, stores, n);
        results.push(r);
        if (!values.json) console.error(`${kind} n=${n}: ${JSON.stringify(r)}`);
      }
    }
  } finally {
    await etcd?.destroy();
    dir.cleanup();
  }
  if (values.json) {
    console.log(JSON.stringify(results, null, 2));
    return;
  }
  console.log(
    '| store | N | burst write (ms) | all plans written (ms) | plans/s | passes | replicas placed | unplaced | +1 deployment (ms) |',
  );
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of results) {
    console.log(
      `| ${r.store} | ${r.n} | ${r.burstWriteMs} | ${r.allPlannedMs} | ${r.plansPerSec} | ${r.passes} | ${r.placedReplicas} | ${r.unplacedReplicas} | ${r.oneMoreMs} |`,
    );
  }
}

await main();
