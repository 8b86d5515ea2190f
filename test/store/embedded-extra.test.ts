import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../src/core/clock.js';
import { openEmbeddedStore } from '../../src/store/embedded/index.js';
import { LeaseNotFoundError, StoreClosedError, StoreUnavailableError } from '../../src/store/errors.js';
import type { WatchEvent } from '../../src/store/types.js';
import { tempDir } from '../helpers/tmp.js';
import { waitFor } from '../helpers/wait-for.js';

/** Embedded-only behaviour: lease expiry on an injected clock, restart rules, file locking. */
describe('embedded store specifics', () => {
  it('expires leases on the injected clock, one revision per lease', async () => {
    const clock = new FakeClock();
    const store = await openEmbeddedStore({ clock });
    try {
      const short = await store.grantLease(5);
      const long = await store.grantLease(20);
      const empty = await store.grantLease(5);
      await store.put('/l/a', 'a', { lease: short });
      await store.put('/l/b', 'b', { lease: short });
      await store.put('/l/c', 'c', { lease: long });
      const batches: { revision: number; events: WatchEvent[] }[] = [];
      await store.watch('/l/', {
        onEvents: (events, revision) => batches.push({ events, revision }),
        onError: () => undefined,
      });
      const before = await store.revision();

      await clock.advance(4_000);
      expect(await store.get('/l/a')).toBeDefined();
      await store.keepAliveOnce(long);
      await clock.advance(1_000);
      expect(await store.get('/l/a')).toBeUndefined();
      expect(await store.get('/l/b')).toBeUndefined();
      // Two leases expired; only the one with keys made a revision.
      expect(await store.revision()).toBe(before + 1);
      await expect(store.keepAliveOnce(empty)).rejects.toBeInstanceOf(LeaseNotFoundError);

      await clock.advance(18_000);
      expect(await store.get('/l/c')).toBeDefined();
      await clock.advance(1_000);
      expect(await store.get('/l/c')).toBeUndefined();
      await new Promise((r) => setImmediate(r));
      expect(batches.map((b) => b.events.map((e) => `${e.type} ${e.key}`))).toEqual([
        ['delete /l/a', 'delete /l/b'],
        ['delete /l/c'],
      ]);
    } finally {
      await store.close();
    }
  });

  it('gives leases their full TTL again after a reopen, and locks its file', async () => {
    const dir = tempDir();
    const path = join(dir.path, 'nested', 'store.db');
    try {
      const clock = new FakeClock();
      let store = await openEmbeddedStore({ path, clock });
      const lease = await store.grantLease(10);
      await store.put('/k', 'v', { lease });
      await expect(openEmbeddedStore({ path, lockTimeoutMs: 0 })).rejects.toBeInstanceOf(
        StoreUnavailableError,
      );
      await clock.advance(9_000);
      await store.close();
      await expect(store.get('/k')).rejects.toBeInstanceOf(StoreClosedError);

      store = await openEmbeddedStore({ path, clock });
      // Locked from the moment it is open, before any write.
      await expect(openEmbeddedStore({ path, lockTimeoutMs: 0 })).rejects.toThrow(
        /in use by another process/,
      );
      await clock.advance(9_000);
      expect((await store.get('/k'))?.lease).toBe(lease);
      await clock.advance(1_000);
      expect(await store.get('/k')).toBeUndefined();
      // Lease ids are never reused across restarts.
      const next = await store.grantLease(5);
      expect(Number(next)).toBeGreaterThan(Number(lease));
      await store.close();
    } finally {
      dir.cleanup();
    }
  });

  it('compacts history automatically on its clock, keeping the configured window', async () => {
    const clock = new FakeClock();
    const store = await openEmbeddedStore({ clock, autoCompact: { intervalMs: 60_000, retainRevisions: 5 } });
    try {
      for (let i = 0; i < 20; i++) await store.put('/ac/k', String(i));
      const rev = await store.revision();
      await clock.advance(60_000);
      const errors: Error[] = [];
      await store.watch('/ac/', {
        fromRevision: rev - 6,
        onEvents: () => undefined,
        onError: (e) => errors.push(e),
      });
      const events: string[] = [];
      await store.watch('/ac/', {
        fromRevision: rev - 5,
        onEvents: (ev) => events.push(...ev.map((e) => e.value ?? '')),
        onError: (e) => errors.push(e),
      });
      // Watch callbacks are asynchronous: wait for the refusal of the first and the history of the second.
      await waitFor(() => errors.length >= 1 && events.length >= 6, {
        timeoutMs: 3000,
        intervalMs: 5,
        what: () => `the watches to report (errors ${errors.length}, events ${events.length})`,
      });
      expect(errors.map((e) => e.constructor.name)).toEqual(['CompactedError']);
      expect(events).toEqual(['14', '15', '16', '17', '18', '19']);
    } finally {
      await store.close();
    }
  });

  it('rejects bad input without changing anything', async () => {
    const store = await openEmbeddedStore({});
    try {
      const rev = await store.revision();
      await expect(store.put('', 'v')).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
      await expect(store.grantLease(0)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
      await expect(store.put('/k', 'v', { lease: 'nope' })).rejects.toBeInstanceOf(LeaseNotFoundError);
      await expect(
        store.txn({
          compare: [],
          success: [
            { op: 'put', key: '/a', value: '1' },
            { op: 'put', key: '/a', value: '2' },
          ],
        }),
      ).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
      await expect(store.compact(rev + 5)).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
      expect(await store.revision()).toBe(rev);
    } finally {
      await store.close();
    }
  });
});
