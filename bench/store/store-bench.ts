/**
 * Store benchmark: put, txn, watch-delivery throughput and watch latency for the embedded store (SQLite
 * file, WAL) and a real etcd started for the run. Usage (see bench/README.md):
 *   npm run bench:store -- [--n 2000] [--concurrency 16] [--latency-samples 500] [--json]
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runPool } from '../../src/core/pool.js';
import { openEmbeddedStore } from '../../src/store/embedded/index.js';
import { openEtcdStore } from '../../src/store/etcd/index.js';
import type { Store, Watcher } from '../../src/store/types.js';
import { startEtcd } from '../../test/helpers/etcd.js';
import { tempDir } from '../../test/helpers/tmp.js';

interface Result {
  store: string;
  putSeq: number;
  putConc: number;
  txnSeq: number;
  watchThroughput: number;
  latencyP50: number;
  latencyP99: number;
}

const { values } = parseArgs({
  options: {
    n: { type: 'string', default: '2000' },
    concurrency: { type: 'string', default: '16' },
    'latency-samples': { type: 'string', default: '500' },
    json: { type: 'boolean', default: false },
  },
});
const N = Number(values.n);
const CONC = Number(values.concurrency);
const SAMPLES = Number(values['latency-samples']);
const VALUE = JSON.stringify({
  model_uid: 'bench',
  replicas: 2,
  desired_state: 'running',
  note: 'x'.repeat(200),
});

const opsPerSec = (count: number, ms: number) => Math.round((count * 1000) / ms);

async function timed(fn: () => Promise<void>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

/** Runs `count` calls of `fn(i)` with at most `conc` in flight (the shared pool). */
const pool = (count: number, conc: number, fn: (i: number) => Promise<unknown>): Promise<void> =>
  runPool(
    Array.from({ length: count }, (_, i) => i),
    conc,
    fn,
  );

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function bench(name: string, store: Store): Promise<Result> {
  const putSeq = await timed(async () => {
    for (let i = 0; i < N; i++) await store.put(`/bench/seq/${i % 500}`, VALUE);
  });
  const putConc = await timed(() => pool(N, CONC, (i) => store.put(`/bench/conc/${i % 500}`, VALUE)));

  const txnSeq = await timed(async () => {
    for (let i = 0; i < N; i++) {
      const key = `/bench/txn/${i % 100}`;
      const cur = await store.get(key);
      await store.txn({
        compare: [{ key, modRevision: cur?.modRevision ?? 0 }],
        success: [
          { op: 'put', key, value: VALUE },
          { op: 'put', key: `${key}/shadow`, value: VALUE },
        ],
      });
    }
  });

  // Watch delivery: how fast a watcher receives a burst of concurrent writes.
  let received = 0;
  let done!: () => void;
  const allIn = new Promise<void>((r) => (done = r));
  const w1: Watcher = await store.watch('/bench/w/', {
    onEvents: (events) => {
      received += events.length;
      if (received >= N) done();
    },
    onError: (err) => console.error('watch error', err),
  });
  const watchMs = await timed(async () => {
    await pool(N, CONC, (i) => store.put(`/bench/w/${i % 500}`, VALUE));
    await allIn;
  });
  await w1.close();

  // Watch latency: one write at a time, from the call to the event's arrival.
  const sentAt = new Map<string, number>();
  const latencies: number[] = [];
  let waiting: (() => void) | undefined;
  const w2 = await store.watch('/bench/lat/', {
    onEvents: (events) => {
      const now = performance.now();
      for (const e of events) {
        const t = sentAt.get(e.value ?? '');
        if (t !== undefined) latencies.push(now - t);
      }
      waiting?.();
    },
    onError: (err) => console.error('watch error', err),
  });
  for (let i = 0; i < SAMPLES; i++) {
    const value = `${i}`;
    const arrived = new Promise<void>((r) => (waiting = r));
    sentAt.set(value, performance.now());
    await store.put(`/bench/lat/${i % 50}`, value);
    await arrived;
  }
  await w2.close();
  latencies.sort((a, b) => a - b);
  await store.deletePrefix('/bench/');

  return {
    store: name,
    putSeq: opsPerSec(N, putSeq),
    putConc: opsPerSec(N, putConc),
    txnSeq: opsPerSec(N, txnSeq),
    watchThroughput: opsPerSec(N, watchMs),
    latencyP50: Number(percentile(latencies, 50).toFixed(3)),
    latencyP99: Number(percentile(latencies, 99).toFixed(3)),
  };
}

async function main(): Promise<void> {
  const results: Result[] = [];
  const dir = tempDir('nebula-bench-');
  const embedded = await openEmbeddedStore({ path: join(dir.path, 'store.db') });
  try {
    results.push(await bench('embedded (SQLite WAL file)', embedded));
  } finally {
    await embedded.close();
    dir.cleanup();
  }
  const etcd = await startEtcd();
  try {
    const store = await openEtcdStore({ endpoints: [etcd.endpoint], namespace: '/bench-ns' });
    try {
      results.push(await bench('etcd 3.4 (local, 1 member)', store));
    } finally {
      await store.close();
    }
  } finally {
    await etcd.destroy();
  }

  if (values.json) {
    console.log(JSON.stringify({ n: N, concurrency: CONC, latencySamples: SAMPLES, results }, null, 2));
    return;
  }
  console.log(
    `n=${N} writes per measure, concurrency=${CONC}, latency samples=${SAMPLES}, value ${VALUE.length} B\n`,
  );
  console.log(
    '| store | put seq (ops/s) | put x' +
      CONC +
      ' (ops/s) | txn CAS seq (ops/s) | watch delivery (events/s) | watch latency p50 / p99 (ms) |',
  );
  console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
  for (const r of results) {
    console.log(
      `| ${r.store} | ${r.putSeq} | ${r.putConc} | ${r.txnSeq} | ${r.watchThroughput} | ${r.latencyP50} / ${r.latencyP99} |`,
    );
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
