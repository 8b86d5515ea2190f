import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CompactedError, ConflictError, LeaseNotFoundError } from '../../src/store/errors.js';
import type { Store, WatchEvent, WatchOptions, Watcher } from '../../src/store/types.js';
import { waitFor } from '../helpers/ports.js';

/** What one store implementation gives the conformance suite. */
export interface StoreHarness {
  store: Store;
  /**
   * Restarts what backs the store (reopens the embedded file, stops and starts etcd) and returns the
   * store to use afterwards; the harness closes it in `cleanup`.
   */
  restart(): Promise<Store>;
  cleanup(): Promise<void>;
}

interface Recorded {
  batches: { revision: number; events: WatchEvent[] }[];
  errors: Error[];
  events(): WatchEvent[];
}

/** Watches a prefix and records every batch and error. */
async function record(
  store: Store,
  prefix: string,
  opts: Partial<WatchOptions> = {},
): Promise<Recorded & { watcher: Watcher }> {
  const rec: Recorded = {
    batches: [],
    errors: [],
    events: () => rec.batches.flatMap((b) => b.events),
  };
  const watcher = await store.watch(prefix, {
    ...opts,
    onEvents: (events, revision) => rec.batches.push({ revision, events }),
    onError: (err) => rec.errors.push(err),
  });
  return { ...rec, watcher };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The Store contract (DESIGN.md §2), run against every implementation. Revisions are compared relative
 * to each other (etcd's revision is global and shared by the namespaces of one test file).
 */
export function runStoreConformance(name: string, factory: () => Promise<StoreHarness>): void {
  describe(`Store conformance: ${name}`, () => {
    let h: StoreHarness;
    let store: Store;
    const watchers: Watcher[] = [];

    beforeEach(async () => {
      h = await factory();
      store = h.store;
    });
    afterEach(async () => {
      for (const w of watchers.splice(0)) await w.close().catch(() => undefined);
      await h.cleanup();
    });

    const watch = async (prefix: string, opts: Partial<WatchOptions> = {}) => {
      const rec = await record(store, prefix, opts);
      watchers.push(rec.watcher);
      return rec;
    };

    it('refuses bad arguments with the same InvalidArgumentError, changing nothing', async () => {
      const noop = { onEvents: () => undefined, onError: () => undefined };
      const bad: [string, () => Promise<unknown>, string][] = [
        ['empty key', () => store.put('', 'v'), 'key must be a non-empty string'],
        ['value not a string', () => store.put('/bad/k', 1 as unknown as string), 'value must be a string'],
        ['list prefix', () => store.list(1 as unknown as string), 'prefix must be a string'],
        ['list limit', () => store.list('/bad/', { limit: -1 }), 'limit must be an integer >= 0'],
        ['deletePrefix prefix', () => store.deletePrefix(1 as unknown as string), 'prefix must be a string'],
        [
          'watch revision',
          () => store.watch('/bad/', { ...noop, fromRevision: 1.5 }),
          'fromRevision must be an integer >= 0',
        ],
        ['lease TTL 0', () => store.grantLease(0), 'lease TTL must be a whole number of seconds >= 1'],
        [
          'lease TTL past etcd',
          () => store.grantLease(9_000_000_001),
          'lease TTL must be a whole number of seconds >= 1',
        ],
        ['compact revision', () => store.compact(-1), 'revision must be an integer >= 0'],
      ];
      const before = await store.revision();
      for (const [what, call, message] of bad) {
        await expect(call(), what).rejects.toMatchObject({ code: 'INVALID_ARGUMENT', message });
      }
      expect(await store.revision()).toBe(before);
      expect((await store.list('/bad/')).items).toEqual([]);
    });

    it('puts, gets, lists by prefix and deletes, with per-key revisions and versions', async () => {
      const r1 = await store.put('/a/1', 'one');
      await store.put('/a/2', 'two');
      await store.put('/a2/x', 'outside');
      const r4 = await store.put('/a/1', 'uno');

      const kv = await store.get('/a/1');
      expect(kv).toMatchObject({
        key: '/a/1',
        value: 'uno',
        createRevision: r1.revision,
        modRevision: r4.revision,
        version: 2,
      });
      expect(kv?.lease).toBeUndefined();
      expect(await store.get('/a/missing')).toBeUndefined();

      const list = await store.list('/a/');
      expect(list.items.map((i) => [i.key, i.value])).toEqual([
        ['/a/1', 'uno'],
        ['/a/2', 'two'],
      ]);
      expect(list.revision).toBe(r4.revision);
      expect(list.more).toBe(false);

      const del = await store.delete('/a/1');
      expect(del).toEqual({ deleted: 1, revision: r4.revision + 1 });
      expect(await store.get('/a/1')).toBeUndefined();

      // Re-created keys start over: new createRevision, version 1.
      const r6 = await store.put('/a/1', 'again');
      expect(await store.get('/a/1')).toMatchObject({ createRevision: r6.revision, version: 1 });

      const dp = await store.deletePrefix('/a/');
      expect(dp.deleted).toBe(2);
      expect((await store.list('/a/')).items).toEqual([]);
      expect((await store.list('/a2/')).items).toHaveLength(1);
    });

    it('orders keys byte-wise and pages with limit/startAfter/more', async () => {
      const keys = ['/p/b', '/p/B', '/p/a', '/p/a/x', '/p/é', '/p/~', '/p/aa', '/p/0'];
      for (const k of keys) await store.put(k, k);
      const expected = [...keys].sort((x, y) => Buffer.compare(Buffer.from(x), Buffer.from(y)));
      expect((await store.list('/p/')).items.map((i) => i.key)).toEqual(expected);

      const seen: string[] = [];
      let startAfter: string | undefined;
      for (;;) {
        const page = await store.list('/p/', { limit: 3, ...(startAfter ? { startAfter } : {}) });
        seen.push(...page.items.map((i) => i.key));
        if (!page.more) break;
        expect(page.items).toHaveLength(3);
        startAfter = page.items.at(-1)?.key;
      }
      expect(seen).toEqual(expected);

      const keysOnly = await store.list('/p/a', { keysOnly: true });
      expect(keysOnly.items.map((i) => i.key)).toEqual(['/p/a', '/p/a/x', '/p/aa']);
      expect(keysOnly.items.every((i) => i.value === '')).toBe(true);
    });

    it('bumps the revision once per write and once per txn, never for a no-op', async () => {
      const start = await store.revision();
      const p1 = await store.put('/r/a', '1');
      expect(p1.revision).toBe(start + 1);
      const t = await store.txn({
        compare: [],
        success: [
          { op: 'put', key: '/r/b', value: '2' },
          { op: 'put', key: '/r/c', value: '3' },
          { op: 'delete', key: '/r/a' },
        ],
      });
      expect(t).toEqual({ succeeded: true, revision: start + 2 });
      const b = await store.get('/r/b');
      const c = await store.get('/r/c');
      expect(b?.modRevision).toBe(start + 2);
      expect(c?.modRevision).toBe(start + 2);

      // Deleting a missing key changes nothing, so no new revision.
      expect(await store.delete('/r/missing')).toEqual({ deleted: 0, revision: start + 2 });
      // A failed compare with no failure branch: no new revision.
      const failed = await store.txn({
        compare: [{ key: '/r/b', modRevision: 1 }],
        success: [{ op: 'delete', key: '/r/b' }],
      });
      expect(failed).toEqual({ succeeded: false, revision: start + 2 });
      expect(await store.revision()).toBe(start + 2);
      // deletePrefix of several keys: one revision.
      expect(await store.deletePrefix('/r/')).toEqual({ deleted: 2, revision: start + 3 });
    });

    it('compare-and-swap: ifAbsent and ifModRevision reject stale writes with ConflictError', async () => {
      const created = await store.put('/cas/k', 'v1', { ifAbsent: true });
      await expect(store.put('/cas/k', 'v2', { ifAbsent: true })).rejects.toBeInstanceOf(ConflictError);
      await expect(store.put('/cas/k', 'v2', { ifModRevision: 0 })).rejects.toBeInstanceOf(ConflictError);
      await expect(store.put('/cas/k', 'v2', { ifModRevision: created.revision - 1 })).rejects.toBeInstanceOf(
        ConflictError,
      );
      expect(await store.revision()).toBe(created.revision);

      const updated = await store.put('/cas/k', 'v2', { ifModRevision: created.revision });
      expect((await store.get('/cas/k'))?.value).toBe('v2');
      await expect(store.put('/cas/k', 'v3', { ifModRevision: created.revision })).rejects.toMatchObject({
        code: 'STORE_CONFLICT',
      });
      await store.put('/cas/new', 'x', { ifModRevision: 0 });

      await expect(store.delete('/cas/k', { ifModRevision: created.revision })).rejects.toBeInstanceOf(
        ConflictError,
      );
      expect((await store.get('/cas/k'))?.value).toBe('v2');
      expect(await store.delete('/cas/k', { ifModRevision: updated.revision })).toMatchObject({ deleted: 1 });

      // Two writers racing from the same read: exactly one wins.
      const base = await store.put('/cas/race', '0');
      const results = await Promise.allSettled(
        ['a', 'b', 'c'].map((v) => store.put('/cas/race', v, { ifModRevision: base.revision })),
      );
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      expect(rejected.every((r) => r.reason instanceof ConflictError)).toBe(true);
    });

    it('runs multi-key txns atomically with compares on modRevision and value', async () => {
      const a = await store.put('/tx/a', 'A');
      await store.put('/tx/b', 'B');
      await store.put('/tx/old/1', 'x');
      await store.put('/tx/old/2', 'y');

      const ok = await store.txn({
        compare: [
          { key: '/tx/a', modRevision: a.revision },
          { key: '/tx/b', value: 'B' },
          { key: '/tx/none', modRevision: 0 },
        ],
        success: [
          { op: 'put', key: '/tx/a', value: 'A2' },
          { op: 'put', key: '/tx/none', value: 'N' },
          { op: 'deletePrefix', prefix: '/tx/old/' },
        ],
        failure: [{ op: 'put', key: '/tx/failed', value: '1' }],
      });
      expect(ok.succeeded).toBe(true);
      expect((await store.list('/tx/')).items.map((i) => [i.key, i.value])).toEqual([
        ['/tx/a', 'A2'],
        ['/tx/b', 'B'],
        ['/tx/none', 'N'],
      ]);

      // One compare fails: nothing of the success branch happens, the failure branch does.
      const before = await store.list('/tx/');
      const bad = await store.txn({
        compare: [
          { key: '/tx/b', value: 'B' },
          { key: '/tx/a', modRevision: a.revision },
        ],
        success: [
          { op: 'put', key: '/tx/b', value: 'B2' },
          { op: 'delete', key: '/tx/none' },
        ],
        failure: [{ op: 'put', key: '/tx/failed', value: '1' }],
      });
      expect(bad).toEqual({ succeeded: false, revision: before.revision + 1 });
      const after = await store.list('/tx/');
      expect(after.items.map((i) => [i.key, i.value])).toEqual([
        ['/tx/a', 'A2'],
        ['/tx/b', 'B'],
        ['/tx/failed', '1'],
        ['/tx/none', 'N'],
      ]);
      // A value compare against a missing key is false.
      const missing = await store.txn({
        compare: [{ key: '/tx/zzz', value: '' }],
        success: [{ op: 'put', key: '/tx/zzz', value: '' }],
      });
      expect(missing.succeeded).toBe(false);
    });

    it('leases: keys vanish when the lease expires, with delete events in one revision', async () => {
      const lease = await store.grantLease(1);
      expect(typeof lease).toBe('string');
      await store.put('/lease/a', 'a', { lease });
      await store.put('/lease/b', 'b', { lease });
      await store.put('/lease/keep', 'k');
      expect((await store.get('/lease/a'))?.lease).toBe(lease);
      const rec = await watch('/lease/');

      await waitFor(async () => (await store.get('/lease/a')) === undefined, {
        timeoutMs: 8000,
        what: 'lease expiry',
      });
      expect(await store.get('/lease/b')).toBeUndefined();
      expect(await store.get('/lease/keep')).toBeDefined();
      await waitFor(() => rec.events().length >= 2, { timeoutMs: 3000, what: 'delete events' });
      expect(rec.batches).toHaveLength(1);
      expect(rec.batches[0]?.events.map((e) => [e.type, e.key]).sort()).toEqual([
        ['delete', '/lease/a'],
        ['delete', '/lease/b'],
      ]);
      await expect(store.keepAliveOnce(lease)).rejects.toBeInstanceOf(LeaseNotFoundError);
      await expect(store.put('/lease/c', 'c', { lease })).rejects.toBeInstanceOf(LeaseNotFoundError);
    });

    it('leases: keepAliveOnce extends a lease; revoke deletes its keys at once', async () => {
      const kept = await store.grantLease(2);
      const revoked = await store.grantLease(60);
      await store.put('/lk/kept', 'v', { lease: kept });
      await store.put('/lk/revoked', 'v', { lease: revoked });
      const rec = await watch('/lk/');
      // Real time must pass here: 3.5 s of 500 ms keep-alives outlive the 2 s TTL only if each one extends it.
      for (let i = 0; i < 7; i++) {
        await sleep(500);
        expect(await store.keepAliveOnce(kept)).toBeGreaterThanOrEqual(2);
      }
      expect(await store.get('/lk/kept')).toBeDefined();

      await store.revokeLease(revoked);
      expect(await store.get('/lk/revoked')).toBeUndefined();
      await waitFor(() => rec.events().some((e) => e.key === '/lk/revoked' && e.type === 'delete'), {
        timeoutMs: 3000,
      });
      await expect(store.keepAliveOnce(revoked)).rejects.toBeInstanceOf(LeaseNotFoundError);
      // Revoking an unknown lease is not an error.
      await store.revokeLease(revoked);
      // A put that drops the lease detaches the key from it.
      await store.put('/lk/kept', 'v2');
      expect((await store.get('/lk/kept'))?.lease).toBeUndefined();
      await store.revokeLease(kept);
      expect((await store.get('/lk/kept'))?.value).toBe('v2');
    });

    it('watches from a revision: history then live, ordered, grouped per revision, none lost', async () => {
      await store.put('/other/x', 'not watched');
      const from = (await store.put('/w/k0', 'v0')).revision;
      const expected: { type: string; key: string; revision: number }[] = [
        { type: 'put', key: '/w/k0', revision: from },
      ];
      const write = async (i: number) => {
        const key = `/w/k${i % 7}`;
        if (i % 5 === 4) {
          const res = await store.delete(key);
          if (res.deleted) expected.push({ type: 'delete', key, revision: res.revision });
        } else if (i % 11 === 10) {
          const res = await store.txn({
            compare: [],
            success: [
              { op: 'put', key: `/w/t${i}a`, value: 'a' },
              { op: 'put', key: `/w/t${i}b`, value: 'b' },
              { op: 'put', key: `/other/t${i}`, value: 'c' },
            ],
          });
          expected.push({ type: 'put', key: `/w/t${i}a`, revision: res.revision });
          expected.push({ type: 'put', key: `/w/t${i}b`, revision: res.revision });
        } else {
          const res = await store.put(key, `v${i}`);
          expected.push({ type: 'put', key, revision: res.revision });
        }
        await store.put(`/other/${i}`, 'noise');
      };
      for (let i = 1; i <= 60; i++) await write(i);
      // One watcher starts with history behind it, then more writes arrive while it catches up.
      const rec = await watch('/w/', { fromRevision: from });
      const live = await watch('/w/');
      const liveFrom = expected.length;
      for (let i = 61; i <= 150; i++) await write(i);

      await waitFor(() => rec.events().length >= expected.length, { timeoutMs: 10_000, what: 'all events' });
      await waitFor(() => live.events().length >= expected.length - liveFrom, { timeoutMs: 10_000 });
      // A short negative window: nothing more (an error, a duplicate) may arrive after the last event.
      await sleep(100);
      expect(rec.errors).toEqual([]);
      const got = rec.batches.flatMap((b) =>
        b.events.map((e) => ({ type: e.type, key: e.key, revision: b.revision })),
      );
      expect(got).toEqual(expected);
      expect(live.batches.flatMap((b) => b.events.map((e) => e.key))).toEqual(
        expected.slice(liveFrom).map((e) => e.key),
      );
      // One batch per revision, strictly increasing; event revisions match their batch.
      const revs = rec.batches.map((b) => b.revision);
      expect([...new Set(revs)]).toEqual(revs);
      expect(revs.every((r, i) => i === 0 || r > (revs[i - 1] ?? 0))).toBe(true);
      for (const b of rec.batches) for (const e of b.events) expect(e.modRevision).toBe(b.revision);
      // Put events carry the value and key metadata; deletes carry the previous value.
      const firstPut = rec.batches[0]?.events[0];
      expect(firstPut).toMatchObject({ type: 'put', value: 'v0', version: 1, createRevision: from });
      const del = rec.events().find((e) => e.type === 'delete');
      expect(del?.value).toMatch(/^v/);
    });

    it('a watch from a compacted revision fails with CompactedError; from the compaction point it works', async () => {
      const r1 = await store.put('/c/a', '1');
      await store.put('/c/a', '2');
      const r3 = await store.put('/c/a', '3');
      await store.put('/c/a', '4');
      await store.compact(r3.revision);
      const old = await watch('/c/', { fromRevision: r1.revision });
      await waitFor(() => old.errors.length > 0, { timeoutMs: 5000, what: 'compaction error' });
      expect(old.errors[0]).toBeInstanceOf(CompactedError);
      expect((old.errors[0] as CompactedError).compactRevision).toBeGreaterThanOrEqual(r3.revision);
      expect(old.batches).toEqual([]);

      const ok = await watch('/c/', { fromRevision: r3.revision });
      await waitFor(() => ok.events().length >= 2, { timeoutMs: 5000 });
      expect(ok.events().map((e) => e.value)).toEqual(['3', '4']);
      expect(ok.errors).toEqual([]);
      // Compacting again at (or below) the compacted revision is harmless; data is untouched.
      await store.compact(r3.revision);
      expect((await store.get('/c/a'))?.value).toBe('4');
    });

    it('keeps data, revisions and leases across a restart', async () => {
      await store.put('/rs/a', 'A');
      const lease = await store.grantLease(30);
      await store.put('/rs/leased', 'L', { lease });
      const b = await store.put('/rs/b', 'B');
      await store.delete('/rs/a');
      const before = await store.revision();

      store = await h.restart();

      expect(await store.revision()).toBe(before);
      expect(await store.get('/rs/a')).toBeUndefined();
      expect(await store.get('/rs/b')).toMatchObject({ value: 'B', modRevision: b.revision });
      expect((await store.get('/rs/leased'))?.lease).toBe(lease);
      expect(await store.keepAliveOnce(lease)).toBeGreaterThan(0);
      const next = await store.put('/rs/c', 'C');
      expect(next.revision).toBe(before + 1);
      // History written before the restart can still be watched.
      const rec = await watch('/rs/', { fromRevision: b.revision });
      await waitFor(() => rec.events().length >= 3, { timeoutMs: 5000 });
      expect(rec.events().map((e) => [e.type, e.key])).toEqual([
        ['put', '/rs/b'],
        ['delete', '/rs/a'],
        ['put', '/rs/c'],
      ]);
      await store.revokeLease(lease);
      expect(await store.get('/rs/leased')).toBeUndefined();
    });
  });
}
