import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { Informer } from '../../src/store/informer.js';
import type { Store } from '../../src/store/types.js';
import { useEtcdSuite } from '../helpers/etcd-suite.js';
import { waitFor } from '../helpers/ports.js';
import { gateNextWatch, TcpProxy } from './helpers.js';

const Item = z.object({ n: z.number() });
type Item = z.infer<typeof Item>;

/** The informer's cache as key -> n, and what the store really holds. */
const view = (inf: Informer<Item>) => Object.fromEntries(inf.list().map((i) => [i.key, i.value.n]));
async function truth(store: Store, prefix: string): Promise<Record<string, number>> {
  const res = await store.list(prefix);
  return Object.fromEntries(res.items.map((i) => [i.key, (JSON.parse(i.value) as Item).n]));
}

describe('Informer on real etcd', () => {
  const suite = useEtcdSuite('inf', { callTimeoutMs: 2000 });
  const { cleanups } = suite;

  it('relists and converges when its watch falls behind a compaction', async () => {
    const store = await suite.fresh();
    for (let i = 0; i < 5; i++) await store.put(`/items/${i}`, JSON.stringify({ n: i }));
    const gated = gateNextWatch(store);
    const deleted: string[] = [];
    const inf = new Informer<Item>({
      store: gated.store,
      prefix: '/items/',
      schema: Item,
      backoff: { initialMs: 50, maxMs: 200 },
      onDelete: (old) => deleted.push(old.key),
    }).start();
    cleanups.push(() => inf.stop());
    await inf.ready();
    await gated.reached;
    expect(view(inf)).toEqual({ '/items/0': 0, '/items/1': 1, '/items/2': 2, '/items/3': 3, '/items/4': 4 });

    // While the informer sits between its list and its watch: change, delete, add, then compact.
    await store.put('/items/1', JSON.stringify({ n: 10 }));
    await store.delete('/items/2');
    await store.put('/items/5', JSON.stringify({ n: 5 }));
    await store.compact(await store.revision());
    gated.open();

    await waitFor(() => inf.stats.compactions >= 1, { timeoutMs: 10_000, what: 'compaction noticed' });
    await waitFor(async () => JSON.stringify(view(inf)) === JSON.stringify(await truth(store, '/items/')), {
      timeoutMs: 10_000,
      what: 'convergence',
    });
    expect(deleted).toEqual(['/items/2']);
    expect(inf.stats.lists).toBeGreaterThanOrEqual(2);
    // And it keeps following live changes afterwards.
    await store.put('/items/6', JSON.stringify({ n: 6 }));
    await waitFor(() => inf.get('/items/6')?.value.n === 6, { timeoutMs: 5000 });
  });

  it('converges after the connection is cut and restored, including deletes made meanwhile', async () => {
    const proxy = new TcpProxy('127.0.0.1', suite.etcd.clientPort);
    const proxied = await proxy.listen();
    cleanups.push(() => proxy.close());
    const namespace = suite.namespace('inf-cut');
    const direct = await suite.open({ namespace });
    const viaProxy = await suite.open({ namespace, endpoint: proxied });
    for (let i = 0; i < 6; i++) await direct.put(`/items/${i}`, JSON.stringify({ n: i }));

    const deleted: string[] = [];
    const inf = new Informer<Item>({
      store: viaProxy,
      prefix: '/items/',
      schema: Item,
      backoff: { initialMs: 100, maxMs: 500 },
      onDelete: (old) => deleted.push(old.key),
    }).start();
    cleanups.push(() => inf.stop());
    await inf.ready();
    await direct.put('/items/0', JSON.stringify({ n: 100 }));
    await waitFor(() => inf.get('/items/0')?.value.n === 100, { timeoutMs: 5000, what: 'live update' });

    proxy.cut();
    await waitFor(() => inf.stats.watchErrors >= 1, { timeoutMs: 20_000, what: 'watch error after the cut' });
    // Changes the informer cannot see while cut.
    await direct.delete('/items/1');
    await direct.delete('/items/2');
    await direct.put('/items/3', JSON.stringify({ n: 33 }));
    await direct.put('/items/9', JSON.stringify({ n: 9 }));
    // Compact too, so the lost revisions cannot simply be replayed.
    await direct.compact(await direct.revision());
    // The view must outlive the cut: wait until the informer has tried to relist twice more (and failed,
    // the proxy refuses), so that at least one whole try began after the changes above.
    const errorsBefore = inf.stats.watchErrors;
    await waitFor(() => inf.stats.watchErrors >= errorsBefore + 2, {
      timeoutMs: 20_000,
      intervalMs: 20,
      what: 'relists that fail while cut',
    });
    expect(inf.get('/items/1')).toBeDefined();

    proxy.restore();
    await waitFor(async () => JSON.stringify(view(inf)) === JSON.stringify(await truth(direct, '/items/')), {
      timeoutMs: 30_000,
      what: 'convergence after restore',
    });
    expect(deleted.sort()).toEqual(['/items/1', '/items/2']);
    // The relisted view is applied before the new watch is open (one more round trip): wait for it.
    await waitFor(() => inf.state === 'watching', { timeoutMs: 5000, what: 'watching after the relist' });
    expect(inf.state).toBe('watching');
    await direct.delete('/items/9');
    await waitFor(() => inf.get('/items/9') === undefined, {
      timeoutMs: 5000,
      what: 'live delete after restore',
    });
  });
});
