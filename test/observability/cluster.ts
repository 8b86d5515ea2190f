/**
 * Every role in-process on one embedded store, on free ports, as `nebula up` composes them: what the
 * metrics and tracing suites scrape and call. `stop()` tears everything down (engines first).
 */
import { join } from 'node:path';
import type { Logger } from '../../src/core/logger.js';
import { silentLogger } from '../../src/core/logger.js';
import type { Tracing } from '../../src/core/tracing.js';
import { startNodeAgent, type NodeAgentHandle } from '../../src/node/index.js';
import { startRouter, type RouterHandle } from '../../src/router/index.js';
import { parseStaticUpstreams } from '../../src/router/table/static-upstreams.js';
import { startScheduler, type SchedulerHandle } from '../../src/scheduler/index.js';
import { startServer, type ServerHandle } from '../../src/server/index.js';
import { startEngineSim, type EngineSimHandle } from '../../src/sim/index.js';
import { openEmbeddedStore } from '../../src/store/embedded/index.js';
import type { Store } from '../../src/store/types.js';
import { freePort } from '../helpers/ports.js';
import { tempDir } from '../helpers/tmp.js';

export interface RoleUrls {
  scheduler: string;
  node: string;
  router: string;
  server: string;
  engine: string;
}

export interface TestCluster {
  store: Store;
  scheduler: SchedulerHandle;
  node: NodeAgentHandle;
  router: RouterHandle;
  server: ServerHandle;
  /** An engine simulator served to the router as a static upstream (model "static-sim"). */
  engine: EngineSimHandle;
  /** Base URLs of each role's /metrics and /healthz listener. */
  urls: RoleUrls;
  adminKey: string;
  stop(): Promise<void>;
}

export interface ClusterOptions {
  tracing?: { server?: Tracing; router?: Tracing };
  /** Logger of the engine simulator (debug lines carry the traceparent it received). */
  engineLogger?: Logger;
  routerLogger?: Logger;
  serverLogger?: Logger;
}

export async function startTestCluster(opts: ClusterOptions = {}): Promise<TestCluster> {
  const dir = tempDir('nebula-obs-');
  const stops: (() => Promise<unknown>)[] = [async () => dir.cleanup()];
  const stop = async () => {
    for (const s of stops.reverse()) await s().catch(() => undefined);
  };
  try {
    const store = await openEmbeddedStore({});
    stops.push(() => store.close());
    const engine = await startEngineSim(
      { model: 'static-sim', port: 0, host: '127.0.0.1', ttftMs: 1, itlMs: 1 },
      opts.engineLogger ? { logger: opts.engineLogger } : {},
    );
    stops.push(() => engine.stop());
    const scheduler = await startScheduler(
      { metricsPort: 0, host: '127.0.0.1', instanceId: 'obs-scheduler' },
      { store, logger: silentLogger() },
    );
    stops.push(() => scheduler.stop());
    const router = await startRouter(
      {
        host: '127.0.0.1',
        port: 0,
        grpcPort: null,
        noAuth: true,
        staticUpstreams: parseStaticUpstreams({ 'static-sim': [engine.url] }, 'test'),
      },
      {
        store,
        logger: opts.routerLogger ?? silentLogger(),
        ...(opts.tracing?.router ? { tracing: opts.tracing.router } : {}),
      },
    );
    stops.push(() => router.stop());
    const server = await startServer(
      { host: '127.0.0.1', port: 0, routerUrl: router.url, rateLimit: false, loginRateLimit: false, env: {} },
      {
        store,
        logger: opts.serverLogger ?? silentLogger(),
        ...(opts.tracing?.server ? { tracing: opts.tracing.server } : {}),
      },
    );
    stops.push(() => server.stop());
    const enginePort = await freePort();
    const node = await startNodeAgent(
      {
        nodeId: 'obs-node',
        address: '127.0.0.1',
        dataDir: join(dir.path, 'node'),
        gpus: 'sim:2x80GiB',
        adminPort: 0,
        portRange: { start: enginePort, end: enginePort },
      },
      { store, logger: silentLogger() },
    );
    stops.push(() => node.stop());
    const adminKey = server.bootstrap?.apiKey;
    if (!adminKey) throw new Error('the server did not bootstrap an admin key');
    return {
      store,
      scheduler,
      node,
      router,
      server,
      engine,
      adminKey,
      urls: {
        scheduler: `http://127.0.0.1:${scheduler.metricsPort}`,
        node: node.adminUrl,
        router: router.url,
        server: server.url,
        engine: `http://127.0.0.1:${engine.port}`,
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
