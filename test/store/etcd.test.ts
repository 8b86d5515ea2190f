import { afterAll, beforeAll } from 'vitest';
import { openEtcdStore } from '../../src/store/etcd/index.js';
import type { Store } from '../../src/store/types.js';
import { startEtcd, type EtcdProcess } from '../helpers/etcd.js';
import { runStoreConformance } from './conformance.js';

let etcd: EtcdProcess;
let n = 0;

beforeAll(async () => {
  etcd = await startEtcd();
});
afterAll(async () => {
  await etcd?.destroy();
});

runStoreConformance('etcd', async () => {
  // Each test gets its own namespace on the shared etcd.
  const namespace = `/conformance-${++n}-${Date.now()}`;
  let store: Store = await openEtcdStore({ endpoints: [etcd.endpoint], namespace });
  return {
    store,
    restart: async () => {
      await store.close();
      await etcd.stop();
      await etcd.start();
      store = await openEtcdStore({ endpoints: [etcd.endpoint], namespace });
      return store;
    },
    cleanup: async () => {
      await store.close();
    },
  };
});
