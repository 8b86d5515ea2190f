/**
 * A small real cluster on one embedded store, for the suites and benchmarks that roll, drain and scale
 * engine-sim replicas: node agents launching real engine-sim processes (fast replica timings), the scheduler
 * (a 5 s grace) and, when asked, the router on a free port. dist/ must be built (`npm run build`).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Endpoint } from '../../src/core/domain/endpoint.js';
import { prefixes } from '../../src/core/keys.js';
import { silentLogger } from '../../src/core/logger.js';
import type { NodeAgentHandle, NodeAgentOptions } from '../../src/node/index.js';
import { startRouter, type RouterHandle } from '../../src/router/index.js';
import type { SchedulerHandle } from '../../src/scheduler/index.js';
import { openEmbeddedStore } from '../../src/store/embedded/index.js';
import { listJson } from '../../src/store/json.js';
import type { Store } from '../../src/store/types.js';
import { killEnginesOf } from '../node/procs.js';
import { startSimAgent } from '../node/test-agent.js';
import { startTestScheduler } from '../scheduler/helpers.js';
import { tempDir } from './tmp.js';
import { waitFor } from './wait-for.js';

const BUILT = new URL('../../dist/cli/main.js', import.meta.url);

export interface SimStackOptions {
  /** Prefix of the temporary directory that holds every node's data dir (`<dir>/<node id>`). */
  tmpPrefix: string;
  /** One node agent per id. */
  nodes: readonly string[];
  /** Size of each agent's port range (default 40). */
  ports?: number;
  /** Overrides of the agents' fast replica timings. */
  timing?: NodeAgentOptions['timing'];
  /** Start a router (no auth, no gRPC) too. */
  router?: boolean;
}

export interface SimStack {
  store: Store;
  agents: NodeAgentHandle[];
  scheduler: SchedulerHandle;
  /** Present when the options asked for one. */
  router: RouterHandle | undefined;
  /** Every endpoint of model `uid`, as the store has them now. */
  endpointsOf(uid: string): Promise<Endpoint[]>;
  /** Stops everything, kills any engine left behind and removes the temporary directory. */
  stop(): Promise<void>;
}

/** Starts the stack and waits for the scheduler to lead; a failure on the way stops what had started. */
export async function startSimStack(o: SimStackOptions): Promise<SimStack> {
  if (!existsSync(BUILT)) throw new Error('dist/ is missing: run `npm run build` first');
  const dir = tempDir(o.tmpPrefix);
  const dataDirs = o.nodes.map((id) => join(dir.path, id));
  const agents: NodeAgentHandle[] = [];
  let store: Store | undefined;
  let scheduler: SchedulerHandle | undefined;
  let router: RouterHandle | undefined;
  const stop = async () => {
    await router?.stop().catch(() => undefined);
    await scheduler?.stop().catch(() => undefined);
    for (const a of agents) await a.stop().catch(() => undefined);
    for (const d of dataDirs) killEnginesOf(d);
    await store?.close().catch(() => undefined);
    dir.cleanup();
  };
  try {
    const s = await openEmbeddedStore({});
    store = s;
    for (const [i, nodeId] of o.nodes.entries()) {
      const dataDir = dataDirs[i] ?? '';
      agents.push(await startSimAgent(s, { nodeId, dataDir, ports: o.ports, timing: o.timing }));
    }
    const sched = await startTestScheduler(s, { gracePeriodMs: 5000 });
    scheduler = sched;
    if (o.router) {
      router = await startRouter(
        { host: '127.0.0.1', port: 0, grpcPort: null, noAuth: true },
        { store: s, logger: silentLogger() },
      );
    }
    await waitFor(() => sched.isLeader(), { what: 'leader', timeoutMs: 10_000 });
    return {
      store: s,
      agents,
      scheduler: sched,
      router,
      endpointsOf: async (uid) =>
        (await listJson(s, prefixes.endpoints, Endpoint)).items
          .map((t) => t.value)
          .filter((e) => e.model_uid === uid),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
