import { join } from 'node:path';
import { openEmbeddedStore } from '../../src/store/embedded/index.js';
import type { Store } from '../../src/store/types.js';
import { tempDir } from '../helpers/tmp.js';
import { runStoreConformance } from './conformance.js';

runStoreConformance('embedded (SQLite file)', async () => {
  const dir = tempDir('nebula-store-');
  const path = join(dir.path, 'store.db');
  let store: Store = await openEmbeddedStore({ path });
  return {
    store,
    restart: async () => {
      await store.close();
      store = await openEmbeddedStore({ path });
      return store;
    },
    cleanup: async () => {
      await store.close();
      dir.cleanup();
    },
  };
});
