import OpenAI from 'openai';
import { silentLogger } from '../../src/core/logger.js';
import { keys } from '../../src/core/keys.js';
import { Endpoint } from '../../src/core/domain/endpoint.js';
import { ModelSpec, type RoutingPolicy } from '../../src/core/domain/model.js';
import { putJson } from '../../src/store/json.js';
import type { Store } from '../../src/store/types.js';
import { openEmbeddedStore } from '../../src/store/embedded/index.js';
import { startEngineSim, type EngineSimHandle, type SimOptionsInput } from '../../src/sim/index.js';
import { startRouter, type RouterHandle, type RouterOptionsInput } from '../../src/router/index.js';
import { waitFor } from '../helpers/ports.js';

export const TOKEN = 'test-token-0123456789';

export interface Cluster {
  store: Store;
  sims: EngineSimHandle[];
  router: RouterHandle;
  client: OpenAI;
  /** Stops everything (idempotent, safe after partial start). */
  close(): Promise<void>;
}

const now = () => new Date().toISOString();

/** Writes (or overwrites) the endpoint of a replica as a node would. */
export async function putEndpoint(
  store: Store,
  modelUid: string,
  replicaId: number,
  port: number,
  status: Endpoint['status'] = 'ready',
  servedName = modelUid,
): Promise<void> {
  await putJson(store, keys.endpoint(modelUid, replicaId), Endpoint, {
    model_uid: modelUid,
    replica_id: replicaId,
    node_id: 'node-1',
    address: '127.0.0.1',
    port,
    engine_type: 'sim',
    served_model_name: servedName,
    status,
    plan_version: 1,
    updated_at: now(),
  });
}

export async function putSpec(
  store: Store,
  modelUid: string,
  extra: { routing_policy?: RoutingPolicy; served_model_name?: string } = {},
): Promise<void> {
  await putJson(store, keys.modelSpec(modelUid), ModelSpec, {
    model_uid: modelUid,
    model_name: 'demo/model',
    model_source: 'local',
    engine_type: 'sim',
    created_at: now(),
    updated_at: now(),
    ...extra,
  });
}

export interface ClusterOptions {
  model?: string;
  replicas?: number;
  sim?: Partial<SimOptionsInput>;
  router?: RouterOptionsInput;
  policy?: RoutingPolicy;
  servedName?: string;
}

/** Embedded store + N simulator instances registered as ready endpoints of one model + a router. */
export async function startCluster(o: ClusterOptions = {}): Promise<Cluster> {
  const model = o.model ?? 'demo';
  const sims: EngineSimHandle[] = [];
  let router: RouterHandle | undefined;
  const store = await openEmbeddedStore({});
  const close = async () => {
    await router?.stop().catch(() => undefined);
    await Promise.all(sims.map((s) => s.stop().catch(() => undefined)));
    await store.close().catch(() => undefined);
  };
  try {
    for (let i = 0; i < (o.replicas ?? 2); i++) {
      sims.push(
        await startEngineSim(
          {
            model,
            servedModelName: o.servedName ?? model,
            port: 0,
            ttftMs: 0,
            itlMs: 0,
            shutdownGraceMs: 0,
            mode: 'random',
            ...o.sim,
          },
          { logger: silentLogger() },
        ),
      );
    }
    await putSpec(store, model, {
      ...(o.policy ? { routing_policy: o.policy } : {}),
      ...(o.servedName ? { served_model_name: o.servedName } : {}),
    });
    for (const [i, s] of sims.entries())
      await putEndpoint(store, model, i, s.port, 'ready', o.servedName ?? model);
    router = await startRouter(
      { host: '127.0.0.1', port: 0, grpcPort: 0, tokens: [{ token: TOKEN, name: 'test' }], ...o.router },
      { store, logger: silentLogger() },
    );
    const r = router;
    await waitFor(() => (r.table.lookup(model)?.replicas.length ?? 0) === sims.length, {
      what: 'replicas routable',
    });
    const client = new OpenAI({ baseURL: `${router.url}/v1`, apiKey: TOKEN, maxRetries: 0, timeout: 20_000 });
    return { store, sims, router, client, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/** Requests a simulator finished (any reason), from its vllm:request_success_total. */
export async function servedCount(sim: EngineSimHandle): Promise<number> {
  const text = await sim.registry.metrics();
  let n = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith('vllm:request_success_total{')) n += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return n;
}

/** The value of one router metric series (summed over series matching `labels`). */
export async function metricValue(
  router: RouterHandle,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const text = await router.registry.metrics();
  let n = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    if (Object.entries(labels).every(([k, v]) => line.includes(`${k}="${v}"`))) {
      n += Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }
  return n;
}
