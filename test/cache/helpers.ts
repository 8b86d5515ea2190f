/** Shared setup of the cache suites: a fake hub, an in-memory embedded store, a temp cache dir, managers. */
import { ModelSpec, type ModelSource } from '../../src/core/domain/index.js';
import { silentLogger } from '../../src/core/logger.js';
import {
  createCacheManager,
  type CacheManager,
  type CacheManagerOptions,
} from '../../src/node/cache/index.js';
import { openEmbeddedStore } from '../../src/store/embedded/index.js';
import type { Store } from '../../src/store/types.js';
import { startFakeHub, type FakeHub, type FakeHubOptions } from '../fake-hub/index.js';
import { tempDir } from '../helpers/tmp.js';

export interface Env {
  hub: FakeHub;
  store: Store;
  dir: string;
  managers: CacheManager[];
  manager(opts?: Partial<CacheManagerOptions>): CacheManager;
  close(): Promise<void>;
}

export async function setup(hubOpts: FakeHubOptions = {}): Promise<Env> {
  const hub = await startFakeHub(hubOpts);
  const store = await openEmbeddedStore({});
  const tmp = tempDir('nebula-cache-');
  const managers: CacheManager[] = [];
  return {
    hub,
    store,
    dir: tmp.path,
    managers,
    manager(opts = {}) {
      const m = createCacheManager(
        {
          nodeId: 'node-1',
          cacheDir: `${tmp.path}/cache`,
          hfEndpoint: hub.url,
          modelscopeEndpoint: hub.url,
          scanIntervalMs: 3_600_000,
          diskIntervalMs: 3_600_000,
          retry: { baseDelayMs: 20, maxDelayMs: 100 },
          env: {},
          redirectHosts: ['localhost'],
          ...opts,
        },
        { store, logger: silentLogger() },
      );
      managers.push(m);
      return m;
    },
    async close() {
      for (const m of managers) await m.stop().catch(() => undefined);
      await hub.stop();
      await store.close();
      tmp.cleanup();
    },
  };
}

let uidSeq = 0;
export function spec(
  modelName: string,
  source: ModelSource = 'huggingface',
  extra: Partial<ModelSpec> = {},
): ModelSpec {
  uidSeq += 1;
  return ModelSpec.parse({
    model_uid: `m${uidSeq}`,
    model_name: modelName,
    model_source: source,
    engine_type: 'vllm',
    created_at: '2026-01-01T00:00:00.000Z',
    updated_at: '2026-01-01T00:00:00.000Z',
    ...extra,
  });
}

export function ensureReq(s: ModelSpec, replicaId = 0, signal: AbortSignal = new AbortController().signal) {
  return { spec: s, modelUid: s.model_uid, replicaId, signal };
}

/** File-content requests (what a resumed or deduplicated download must not repeat). */
export function contentRequests(hub: FakeHub, file?: string) {
  return hub.requests.filter(
    (r) =>
      r.method === 'GET' &&
      (r.hub === 'cdn' || r.path.includes('/resolve/') || r.path.includes('/repo?')) &&
      (file === undefined || r.path.includes(file)),
  );
}

/** The rejection of a promise that must fail (the test fails when it resolves). */
export async function failure(p: Promise<unknown>): Promise<Error & { code?: string }> {
  try {
    await p;
  } catch (err) {
    return err as Error & { code?: string };
  }
  throw new Error('expected a failure, but it succeeded');
}
