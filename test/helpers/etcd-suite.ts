/**
 * The scaffolding of a suite on real etcd: one etcd for the describe block, stores in per-test namespaces,
 * and cleanups that run after each test (last registered first). Call it inside `describe`.
 */
import { afterEach } from 'vitest';
import { openEtcdStore } from '../../src/store/etcd/index.js';
import type { Store } from '../../src/store/types.js';
import { startEtcd, type EtcdProcess } from './etcd.js';
import { useSuiteResource } from './suite-resource.js';

export interface EtcdSuite {
  /** The running etcd (only inside hooks and tests). */
  readonly etcd: EtcdProcess;
  /** Run after the current test, last first; their errors are ignored. */
  readonly cleanups: (() => Promise<void>)[];
  /** A new namespace `/<name>-<n>` (name: the suite's prefix by default); it becomes the current one. */
  namespace: (name?: string) => string;
  /** A store connection on `namespace` (default: the current one) via `endpoint`, closed after the test. */
  open: (o?: { namespace?: string; endpoint?: string }) => Promise<Store>;
  /** A store connection on a new namespace. */
  fresh: () => Promise<Store>;
}

export function useEtcdSuite(prefix: string, o: { callTimeoutMs?: number } = {}): EtcdSuite {
  const running = useSuiteResource(
    'etcd',
    () => startEtcd(),
    (etcd) => etcd.destroy(),
  );
  const cleanups: (() => Promise<void>)[] = [];
  let n = 0;
  let current = '';

  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
  });
  const suite: EtcdSuite = {
    get etcd() {
      return running();
    },
    cleanups,
    namespace: (name = prefix) => (current = `/${name}-${++n}`),
    open: async ({ namespace = current, endpoint = running().endpoint } = {}) => {
      const store = await openEtcdStore({
        endpoints: [endpoint],
        namespace,
        callTimeoutMs: o.callTimeoutMs ?? 3000,
      });
      cleanups.push(() => store.close());
      return store;
    },
    fresh: () => suite.open({ namespace: suite.namespace() }),
  };
  return suite;
}
