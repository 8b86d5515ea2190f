import { afterEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/core/clock.js';
import { ModelDeployment, ModelSpec } from '../../src/core/domain/index.js';
import { keys } from '../../src/core/keys.js';
import { silentLogger } from '../../src/core/logger.js';
import { CachedViewSource } from '../../src/server/aggregation/cluster-cache.js';
import { StoreReader } from '../../src/server/aggregation/store-reader.js';
import { DirectViewSource } from '../../src/server/aggregation/view-source.js';
import { openEmbeddedStore } from '../../src/store/embedded/index.js';
import { encode } from '../../src/store/json.js';
import type { Store } from '../../src/store/types.js';
import { putCache, putDisk, putDownload, putEndpoint, putNode, putPlan, specFor } from './fixtures.js';

const now = new Date().toISOString();
const putModel = (store: Store, uid: string, desired: 'running' | 'stopped', replicas = 1) =>
  store.txn({
    compare: [],
    success: [
      { op: 'put', key: keys.modelSpec(uid), value: encode(ModelSpec, specFor(uid)) },
      {
        op: 'put',
        key: keys.deployment(uid),
        value: encode(ModelDeployment, {
          model_uid: uid,
          desired_state: desired,
          replicas,
          node_selector: {},
          placement_strategy: 'binpack',
          generation: 1,
          created_at: now,
          updated_at: now,
        }),
      },
    ],
  });

describe('CachedViewSource', () => {
  let stop: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const s of stop) await s();
    stop = [];
  });
  const open = async () => {
    const store = await openEmbeddedStore({});
    const direct = new DirectViewSource(new StoreReader(store));
    const cached = new CachedViewSource(store, direct, systemClock, silentLogger());
    await cached.start();
    stop.push(async () => {
      await cached.stop();
      await store.close();
    });
    return { store, direct, cached };
  };

  it('reads its own (and everyone’s) writes at once: every read waits for the store’s current revision', async () => {
    const { store, cached } = await open();
    await putModel(store, 'a', 'running', 2);
    expect((await cached.models()).views.map((v) => [v.model_uid, v.state])).toEqual([['a', 'starting']]);
    await putPlan(store, 'a', [
      { replica: 0, node: 'n1' },
      { replica: 1, node: 'n1' },
    ]);
    await putEndpoint(store, 'a', 0, 'ready', { node: 'n1' });
    expect((await cached.models()).views[0]).toMatchObject({ state: 'degraded', ready_replicas: 1 });
    await putEndpoint(store, 'a', 1, 'ready', { node: 'n1' });
    expect((await cached.models()).views[0]?.state).toBe('running');
    await store.delete(keys.endpoint('a', 1));
    expect((await cached.models()).views[0]?.state).toBe('degraded');
    await store.delete(keys.modelSpec('a'));
    expect((await cached.models()).views).toEqual([]);
  });

  it('agrees with the direct source after a mixed sequence of writes', async () => {
    const { store, cached, direct } = await open();
    await putNode(store, 'n1');
    await putNode(store, 'n2', { gpus: 1 });
    for (let i = 0; i < 30; i++) {
      const uid = `m${i}`;
      await putModel(store, uid, i % 3 === 0 ? 'stopped' : 'running', 1 + (i % 2));
      if (i % 3 !== 0)
        await putPlan(
          store,
          uid,
          [{ replica: 0, node: i % 2 ? 'n1' : 'n2' }],
          i % 7 === 0 ? { unplaced: { replicas: 1, reason: 'full' } } : {},
        );
      if (i % 4 === 1)
        await putEndpoint(store, uid, 0, i % 8 === 1 ? 'ready' : 'failed', { lastError: 'x', restarts: 1 });
      if (i % 5 === 2) await putDownload(store, uid, 0, 'downloading');
      if (i % 6 === 0) await store.delete(keys.modelSpec(`m${i - 3 < 0 ? 0 : i - 3}`));
    }
    await putCache(store, 'n1', 'Qwen/Qwen2.5-7B-Instruct', 100);
    await putDisk(store, 'n2', 97);
    const [c, d] = await Promise.all([cached.models(), direct.models()]);
    expect(c.views).toEqual(d.views);
    const [cn, dn] = [await cached.nodes(c), await direct.nodes(d)];
    expect([...cn.statuses.keys()]).toEqual([...dn.statuses.keys()]);
    expect([...cn.alerts.entries()]).toEqual([...dn.alerts.entries()]);
    expect(await cached.cacheEntries()).toEqual(await direct.cacheEntries());
    expect(await cached.requests()).toEqual(await direct.requests());
  });

  it('falls back to listing the store while it cannot sync', async () => {
    const store = await openEmbeddedStore({});
    const direct = new DirectViewSource(new StoreReader(store));
    const failing = Object.create(store) as Store;
    failing.list = async () => {
      throw new Error('store away');
    };
    const cached = new CachedViewSource(failing, direct, systemClock, silentLogger());
    await cached.start();
    stop.push(async () => {
      await cached.stop();
      await store.close();
    });
    await putModel(store, 'x', 'stopped');
    expect((await cached.models()).views.map((v) => v.model_uid)).toEqual(['x']);
  });
});
