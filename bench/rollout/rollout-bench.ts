/**
 * Rolling-update benchmark (bench/README.md, "Rolling update under load"). In-process scheduler and router
 * on an embedded store, one real node agent launching engine-sim replica processes (build first:
 * `npm run build`). A 3-replica simulator model carries the same closed-loop load (the test suites' load
 * generator: workers sending chat completions back to back, streamed and plain alternating) twice for the
 * same duration: once with nothing changing, once with a spec change rolled out over the 3 replicas
 * (surge, wait ready, retire the old ones with a drain grace). Reports served and failed requests, the
 * request rate and latency p50/p99 for each, and how long the rollout took. Writes bench/rollout/results.json.
 *
 *   npx vite-node bench/rollout/rollout-bench.ts -- [--seconds 30] [--workers 8]
 */
import { existsSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Endpoint } from '../../src/core/domain/endpoint.js';
import { ModelDeployment, ModelSpec } from '../../src/core/domain/model.js';
import { keys, prefixes } from '../../src/core/keys.js';
import { deploymentFor } from '../../src/scheduler/fixtures.js';
import { listJson, putJson } from '../../src/store/json.js';
import { simSpec } from '../../test/node/fixtures.js';
import { waitFor } from '../../test/helpers/ports.js';
import { quantile, routerLoad, routerRequest, type LoadTally } from '../../test/helpers/router-load.js';
import { startSimStack } from '../../test/helpers/sim-stack.js';
import { readPlan } from '../../test/scheduler/helpers.js';
import { benchOption } from '../cli-args.js';

const SECONDS = Number(benchOption('seconds', '30'));
const WORKERS = Number(benchOption('workers', '8'));
const UID = 'bench-roll';
const REPLICAS = 3;
const here = dirname(fileURLToPath(import.meta.url));

if (!existsSync(join(here, '../../dist/cli/main.js'))) {
  console.error('dist/ is missing: run `npm run build` first');
  process.exit(1);
}

const stack = await startSimStack({ tmpPrefix: 'nebula-rollout-bench-', nodes: ['bn'], router: true });
const { store, router } = stack;
if (!router) throw new Error('the stack started no router');

/**
 * Writes revision `rev` of the spec and the deployment naming it. Revisions differ only in a context length
 * no request comes near (same engine speed); each replica answers /health 503 for its first second (loading).
 */
const put = async (rev: number) => {
  await putJson(
    store,
    keys.modelSpec(UID),
    ModelSpec,
    simSpec(UID, {
      engine_config: {
        extra_args: ['--itl-ms', '1', '--startup-ms', '1000'],
        env: {},
        max_model_len: 4096 - rev,
      },
    }),
  );
  await putJson(
    store,
    keys.deployment(UID),
    ModelDeployment,
    deploymentFor(UID, {
      replicas: REPLICAS,
      spec_revision: rev,
      generation: rev,
      rollout: {
        strategy: 'rolling',
        progress_deadline_seconds: 300,
        paused: false,
        drain_grace_seconds: 10,
      },
    }),
  );
};
const settled = (rev: number, timeoutMs: number) =>
  waitFor(
    async () => {
      const eps = await stack.endpointsOf(UID);
      const plan = await readPlan(store, UID);
      return eps.length === REPLICAS &&
        eps.every((e) => e.status === 'ready' && e.revision === rev) &&
        plan?.assignments.length === REPLICAS &&
        plan.rollout?.phase !== 'progressing'
        ? true
        : undefined;
    },
    { what: `${REPLICAS} ready on r${rev}`, timeoutMs, intervalMs: 100 },
  );
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Row {
  run: string;
  seconds: number;
  served: number;
  failed: number;
  req_per_s: number;
  p50_ms: number;
  p99_ms: number;
  rollout_seconds: number | null;
  /** Only the requests that finished between the spec change and the rollout's end. */
  during_rollout: { served: number; failed: number; p50_ms: number; p99_ms: number } | null;
  errors: string[];
}
const within = (t: LoadTally, from: number, to: number) => {
  const lat = t.latenciesMs.filter((_, i) => (t.doneAtMs[i] ?? 0) >= from && (t.doneAtMs[i] ?? 0) <= to);
  return {
    served: lat.length,
    failed: t.failedAtMs.filter((at) => at >= from && at <= to).length,
    p50_ms: Number(quantile(lat, 0.5).toFixed(1)),
    p99_ms: Number(quantile(lat, 0.99).toFixed(1)),
  };
};
const row = (run: string, t: LoadTally, rollout: { from: number; to: number } | null): Row => ({
  run,
  seconds: Number(t.seconds.toFixed(1)),
  served: t.ok,
  failed: t.failed,
  req_per_s: Number(((t.ok + t.failed) / t.seconds).toFixed(1)),
  p50_ms: Number(quantile(t.latenciesMs, 0.5).toFixed(1)),
  p99_ms: Number(quantile(t.latenciesMs, 0.99).toFixed(1)),
  rollout_seconds: rollout ? Number(((rollout.to - rollout.from) / 1000).toFixed(1)) : null,
  during_rollout: rollout ? within(t, rollout.from, rollout.to) : null,
  errors: t.errors,
});

const rows: Row[] = [];
try {
  await put(1);
  await settled(1, 40_000).catch(async (err: unknown) => {
    const eps = (await listJson(store, prefixes.endpoints, Endpoint)).items.map((t) => t.value);
    console.error(JSON.stringify({ plan: await readPlan(store, UID), eps }, null, 1).slice(0, 4000));
    throw err;
  });
  await waitFor(
    async () => ((await routerRequest(router.url, UID, false)) === undefined ? true : undefined),
    {
      what: 'router serves',
      timeoutMs: 20_000,
    },
  );
  // warm-up: connections, JIT, the engines' first requests
  await routerLoad(router.url, UID, WORKERS).stop();
  await sleep(2_000);

  const quiet = routerLoad(router.url, UID, WORKERS);
  await sleep(SECONDS * 1000);
  rows.push(row('steady (no update)', await quiet.stop(), null));

  const rolling = routerLoad(router.url, UID, WORKERS);
  const t0 = performance.now();
  await sleep(1_000);
  const changeAt = performance.now();
  await put(2);
  await settled(2, SECONDS * 1000);
  const doneAt = performance.now();
  await sleep(Math.max(0, SECONDS * 1000 - (performance.now() - t0)));
  rows.push(row('rolling update of 3 replicas', await rolling.stop(), { from: changeAt, to: doneAt }));
} finally {
  await stack.stop();
}

console.log(
  `workers ${WORKERS}, ${SECONDS}s per run, ${REPLICAS} engine-sim replicas (--itl-ms 1 --startup-ms 1000, max_tokens 8)`,
);
console.log(
  '| run | served | failed | req/s | p50 (ms) | p99 (ms) | rollout (s) | during rollout: served / failed / p50 / p99 (ms) |',
);
console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
for (const r of rows) {
  console.log(
    `| ${r.run} | ${r.served} | ${r.failed} | ${r.req_per_s} | ${r.p50_ms} | ${r.p99_ms} | ${r.rollout_seconds ?? '-'} | ${
      r.during_rollout
        ? `${r.during_rollout.served} / ${r.during_rollout.failed} / ${r.during_rollout.p50_ms} / ${r.during_rollout.p99_ms}`
        : '-'
    } |`,
  );
  for (const e of r.errors) console.log(`  error: ${e}`);
}
writeFileSync(
  join(here, 'results.json'),
  `${JSON.stringify({ seconds: SECONDS, workers: WORKERS, replicas: REPLICAS, rows }, null, 2)}\n`,
);
process.exit(0);
