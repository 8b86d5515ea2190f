import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { FakeClock } from '../../src/core/clock.js';
import { openEmbeddedStore } from '../../src/store/embedded/index.js';
import { Informer, type CacheChange } from '../../src/store/informer.js';
import type { Store } from '../../src/store/types.js';
import { waitFor } from '../helpers/ports.js';
import { gateNextWatch } from './helpers.js';

const Item = z.object({ n: z.number() });
type Item = z.infer<typeof Item>;
const put = (s: Store, key: string, n: number) => s.put(key, JSON.stringify({ n }));

describe('Informer on the embedded store', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const c of cleanups.splice(0).reverse()) await c();
  });
  const setup = async () => {
    const store = await openEmbeddedStore({});
    cleanups.push(() => store.close());
    return store;
  };
  const track = <T>(inf: Informer<T>) => {
    cleanups.push(() => inf.stop());
    return inf.start();
  };

  it('lists, then follows adds, updates and deletes through its handlers', async () => {
    const store = await setup();
    await put(store, '/n/a/status', 1);
    await put(store, '/n/a/other', 99);
    await store.put('/n/bad/status', 'not json');
    const log: string[] = [];
    const invalid: string[] = [];
    const batches: CacheChange<Item>[][] = [];
    const inf = track(
      new Informer<Item>({
        store,
        prefix: '/n/',
        schema: Item,
        keyFilter: (k) => k.endsWith('/status'),
        onAdd: (i) => log.push(`add ${i.key} ${i.value.n}`),
        onUpdate: (i, old) => log.push(`update ${i.key} ${old.value.n}->${i.value.n}`),
        onDelete: (old) => log.push(`delete ${old.key}`),
        onInvalid: (e) => invalid.push(e.key),
        onChange: (c) => batches.push([...c]),
      }),
    );
    expect(inf.hasSynced).toBe(false);
    await inf.ready();
    expect(inf.hasSynced).toBe(true);
    expect(inf.list().map((i) => i.key)).toEqual(['/n/a/status']);
    expect(invalid).toEqual(['/n/bad/status']);

    await put(store, '/n/b/status', 2);
    await put(store, '/n/a/status', 3);
    await put(store, '/n/a/other', 100);
    await store.txn({
      compare: [],
      success: [
        { op: 'delete', key: '/n/b/status' },
        { op: 'put', key: '/n/c/status', value: JSON.stringify({ n: 4 }) },
      ],
    });
    // A value that stops validating drops out of the cache.
    await store.put('/n/a/status', '{"n":"three"}');
    await waitFor(() => log.length >= 6, { timeoutMs: 3000 });
    expect(log).toEqual([
      'add /n/a/status 1',
      'add /n/b/status 2',
      'update /n/a/status 1->3',
      'delete /n/b/status',
      'add /n/c/status 4',
      'delete /n/a/status',
    ]);
    // The txn arrived as one batch.
    expect(batches.map((b) => b.length)).toEqual([1, 1, 1, 2, 1]);
    expect(inf.get('/n/c/status')?.value).toEqual({ n: 4 });
    expect(inf.get('/n/a/status')).toBeUndefined();
    expect(inf.stats.revision).toBe(await store.revision());
  });

  it('relists after its watch falls behind a compaction, emitting what changed meanwhile', async () => {
    const store = await setup();
    await put(store, '/i/1', 1);
    await put(store, '/i/2', 2);
    const gated = gateNextWatch(store);
    const log: string[] = [];
    const inf = track(
      new Informer<Item>({
        store: gated.store,
        prefix: '/i/',
        schema: Item,
        onAdd: (i) => log.push(`add ${i.key}`),
        onUpdate: (i) => log.push(`update ${i.key}`),
        onDelete: (old) => log.push(`delete ${old.key}`),
      }),
    );
    await inf.ready();
    await gated.reached;
    await store.delete('/i/1');
    await put(store, '/i/2', 20);
    await put(store, '/i/3', 3);
    await store.compact(await store.revision());
    gated.open();
    await waitFor(() => inf.stats.compactions === 1 && log.length === 5, { timeoutMs: 3000 });
    expect(log).toEqual(['add /i/1', 'add /i/2', 'update /i/2', 'add /i/3', 'delete /i/1']);
    expect(inf.list().map((i) => [i.key, i.value.n])).toEqual([
      ['/i/2', 20],
      ['/i/3', 3],
    ]);
    expect(inf.state).toBe('watching');
  });

  it('resyncs on its clock, and stop() ends it (rejecting ready() if it never synced)', async () => {
    const store = await setup();
    await put(store, '/r/1', 1);
    const clock = new FakeClock();
    const inf = track(new Informer<Item>({ store, prefix: '/r/', schema: Item, clock, resyncMs: 60_000 }));
    await inf.ready();
    expect(inf.stats.lists).toBe(1);
    await waitFor(() => inf.state === 'watching', { timeoutMs: 3000 });
    await clock.advance(60_000);
    await waitFor(() => inf.stats.lists === 2 && inf.state === 'watching', { timeoutMs: 3000 });
    await put(store, '/r/2', 2);
    await waitFor(() => inf.get('/r/2') !== undefined, { timeoutMs: 3000 });
    await inf.stop();
    expect(inf.state).toBe('stopped');
    // Nothing may reach a stopped informer. A witness watch, opened after the informer's, is delivered
    // after it (the store's watchers are served in the order they were opened): once the witness saw the
    // put, the informer would have too.
    const witnessed: string[] = [];
    const witness = await store.watch('/r/', {
      onEvents: (events) => witnessed.push(...events.map((e) => e.key)),
      onError: () => undefined,
    });
    cleanups.push(() => witness.close());
    await put(store, '/r/3', 3);
    await waitFor(() => witnessed.includes('/r/3'), { timeoutMs: 3000, intervalMs: 5, what: 'the witness' });
    expect(inf.get('/r/3')).toBeUndefined();

    // A store that never answers: stop() still returns and ready() rejects.
    const closed = await openEmbeddedStore({});
    await closed.close();
    const never = new Informer<Item>({
      store: closed,
      prefix: '/x/',
      schema: Item,
      clock,
      backoff: { initialMs: 1000, maxMs: 1000 },
    }).start();
    await waitFor(() => never.state === 'backoff', { timeoutMs: 3000 });
    await never.stop();
    await expect(never.ready()).rejects.toThrow(/stopped/);
  });
});
