import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StoreUnavailableError } from '../../src/store/errors.js';
import { openEtcdStore } from '../../src/store/etcd/index.js';
import { startEtcd, type EtcdProcess } from '../helpers/etcd.js';
import { waitFor } from '../helpers/ports.js';
import { TcpProxy } from './helpers.js';

/** etcd-only: what callers see while etcd is down, and that the same client works again after. */
describe('etcd store during an outage', () => {
  let etcd: EtcdProcess;
  beforeAll(async () => {
    etcd = await startEtcd();
  });
  afterAll(async () => {
    await etcd?.destroy();
  });

  it('reports a lost watch and failing calls as retryable StoreUnavailableError, then recovers', async () => {
    const store = await openEtcdStore({
      endpoints: [etcd.endpoint],
      namespace: '/outage',
      callTimeoutMs: 2000,
    });
    try {
      const errors: Error[] = [];
      await store.watch('/w/', { onEvents: () => undefined, onError: (e) => errors.push(e) });
      await store.put('/w/a', '1');

      await etcd.stop();
      await waitFor(() => errors.length > 0, { timeoutMs: 20_000, what: 'watch error' });
      expect(errors).toHaveLength(1);
      expect(errors[0]).toBeInstanceOf(StoreUnavailableError);

      const t0 = Date.now();
      const err = await store.put('/w/b', '2').catch((e: unknown) => e);
      expect(err).toBeInstanceOf(StoreUnavailableError);
      expect(err).toMatchObject({ retryable: true, code: 'STORE_UNAVAILABLE' });
      expect(Date.now() - t0).toBeLessThan(5000);
      await expect(
        store.watch('/w/', { onEvents: () => undefined, onError: () => undefined }),
      ).rejects.toBeInstanceOf(StoreUnavailableError);

      await etcd.start();
      await waitFor(async () => (await store.get('/w/a').catch(() => undefined))?.value === '1', {
        timeoutMs: 20_000,
        what: 'calls to work again',
      });
      const events: string[] = [];
      await store.watch('/w/', {
        onEvents: (ev) => events.push(...ev.map((e) => e.key)),
        onError: () => undefined,
      });
      await store.put('/w/c', '3');
      await waitFor(() => events.includes('/w/c'), { timeoutMs: 5000 });
    } finally {
      await store.close();
    }
  });

  it('ends a watch on a hung connection (no packets, no close) instead of waiting forever', async () => {
    const proxy = new TcpProxy('127.0.0.1', etcd.clientPort);
    const endpoint = await proxy.listen();
    const store = await openEtcdStore({
      endpoints: [endpoint],
      namespace: '/hung',
      callTimeoutMs: 2000,
      keepaliveMs: 5000,
    });
    try {
      const errors: Error[] = [];
      await store.watch('/w/', { onEvents: () => undefined, onError: (e) => errors.push(e) });
      const t0 = Date.now();
      proxy.freeze();
      await waitFor(() => errors.length > 0, { timeoutMs: 20_000, what: 'watch error on a hung connection' });
      expect(errors[0]).toBeInstanceOf(StoreUnavailableError);
      expect(Date.now() - t0).toBeLessThan(15_000);
    } finally {
      await store.close();
      await proxy.close();
    }
  });
});
