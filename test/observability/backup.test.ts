import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keys } from '../../src/core/keys.js';
import {
  backupStore,
  restoreStore,
  StoreNotEmptyError,
  InvalidBackupError,
  type Backup,
} from '../../src/store/backup.js';
import { openEmbeddedStore } from '../../src/store/embedded/index.js';
import { openEtcdStore } from '../../src/store/etcd/index.js';
import type { Store } from '../../src/store/types.js';
import { startEtcd, type EtcdProcess } from '../helpers/etcd.js';
import { waitFor } from '../helpers/wait-for.js';

type Open = () => Promise<Store>;

/** Unleased keys with their values, sorted (what a restore must reproduce). */
async function plainKeys(store: Store): Promise<[string, string][]> {
  const res = await store.list('/');
  return res.items.filter((kv) => kv.lease === undefined).map((kv) => [kv.key, kv.value]);
}

async function seed(store: Store): Promise<void> {
  await store.put(keys.modelSpec('qwen'), JSON.stringify({ model_uid: 'qwen', engine_type: 'sim' }));
  await store.put(keys.deployment('qwen'), JSON.stringify({ desired_state: 'running', replicas: 2 }));
  await store.put(keys.template('chat-small'), JSON.stringify({ name: 'chat-small' }));
  await store.put(keys.user('admin'), JSON.stringify({ username: 'admin', role: 'admin' }));
  await store.put(keys.meta('jwt_secret'), JSON.stringify({ secret: 'x' }));
  const lease = await store.grantLease(60);
  await store.put(keys.nodeStatus('n1'), JSON.stringify({ node_id: 'n1' }), { lease });
  await store.put(keys.audit('000000000000001-a'), JSON.stringify({ action: 'model.create' }), { lease });
  // Not Nebula's: never in a backup.
  await store.put('/elsewhere/x', 'not ours');
}

function suite(name: string, open: Open): void {
  describe(`backup and restore on the ${name} store`, () => {
    const opened: Store[] = [];
    const fresh = async () => {
      const s = await open();
      opened.push(s);
      return s;
    };
    afterAll(async () => {
      for (const s of opened) await s.close().catch(() => undefined);
    });

    it('round-trips every unleased Nebula key; leased keys are marked and not restored', async () => {
      const src = await fresh();
      await seed(src);
      const backup = await backupStore(src);
      expect(backup).toMatchObject({ format: 'nebula-backup', version: 1, store: src.kind });
      expect(backup.revision).toBe(await src.revision());
      const byKey = new Map(backup.keys.map((e) => [e.key, e]));
      expect(byKey.get('/models/qwen/spec')?.lease).toBe(false);
      expect(byKey.get('/nodes/n1/status')?.lease).toBe(true);
      expect(byKey.get('/audit/000000000000001-a')?.lease).toBe(true);
      expect(byKey.has('/elsewhere/x')).toBe(false);
      // Through JSON, as the file and the HTTP body carry it.
      const wire = JSON.parse(JSON.stringify(backup)) as Backup;

      const dst = await fresh();
      const result = await restoreStore(dst, wire, { maxOps: 2 });
      expect(result).toMatchObject({ restored: 5, deleted: 0, skipped_leased: 2, txns: 3 });
      const expected = (await plainKeys(src)).filter(([k]) => !k.startsWith('/elsewhere/'));
      expect(await plainKeys(dst)).toEqual(expected);
      expect(await dst.get('/nodes/n1/status')).toBeUndefined();
      expect(await dst.get('/audit/000000000000001-a')).toBeUndefined();
    });

    it('refuses a non-empty store without force, and replaces its keys with force', async () => {
      const src = await fresh();
      await seed(src);
      const backup = await backupStore(src);

      const dst = await fresh();
      await dst.put(keys.modelSpec('old'), '{"model_uid":"old"}');
      await dst.put(keys.modelSpec('qwen'), '{"model_uid":"qwen","stale":true}');
      const lease = await dst.grantLease(60);
      await dst.put(keys.nodeStatus('live'), '{"node_id":"live"}', { lease });
      const before = await plainKeys(dst);
      const rev = await dst.revision();

      await expect(restoreStore(dst, backup)).rejects.toBeInstanceOf(StoreNotEmptyError);
      expect(await dst.revision()).toBe(rev);
      expect(await plainKeys(dst)).toEqual(before);

      const r = await restoreStore(dst, backup, { force: true });
      expect(r).toMatchObject({ restored: 5, deleted: 1 });
      expect(await dst.get(keys.modelSpec('old'))).toBeUndefined();
      expect((await dst.get(keys.modelSpec('qwen')))?.value).toBe(
        backup.keys.find((e) => e.key === keys.modelSpec('qwen'))?.value,
      );
      // A live process's leased key is not the backup's business.
      expect(await dst.get(keys.nodeStatus('live'))).toBeDefined();
    });

    it('rejects files that are not Nebula backups, changing nothing', async () => {
      const dst = await fresh();
      const rev = await dst.revision();
      const bad: unknown[] = [
        { format: 'other', version: 1, revision: 1, created_at: 'x', keys: [] },
        { format: 'nebula-backup', version: 99, revision: 1, created_at: 'x', keys: [] },
        {
          format: 'nebula-backup',
          version: 1,
          revision: 1,
          created_at: 'x',
          keys: [{ key: '/etc/x', value: '1', lease: false }],
        },
        {
          format: 'nebula-backup',
          version: 1,
          revision: 1,
          created_at: 'x',
          keys: [
            { key: '/models/a/spec', value: '1', lease: false },
            { key: '/models/a/spec', value: '2', lease: false },
          ],
        },
      ];
      for (const b of bad)
        await expect(restoreStore(dst, b as Backup)).rejects.toBeInstanceOf(InvalidBackupError);
      expect(await dst.revision()).toBe(rev);
    });

    it('reads every prefix at one revision while writers keep writing', async () => {
      const src = await fresh();
      const prefixesUsed = [
        (i: number) => keys.modelSpec(`m${i}`),
        (i: number) => keys.template(`t${i}`),
        (i: number) => keys.deployment(`m${i}`),
        (i: number) => keys.placement(`m${i}`),
      ];
      const written: { key: string; revision: number }[] = [];
      let stop = false;
      const writer = (async () => {
        for (let i = 0; !stop && i < 400; i++) {
          for (const k of prefixesUsed) {
            const key = k(i);
            const r = await src.put(key, JSON.stringify({ i }));
            written.push({ key, revision: r.revision });
          }
        }
      })();
      // Backups taken while the writer runs: each one after some writes, with more writes after it.
      await waitFor(() => written.length > 0, { timeoutMs: 5000, intervalMs: 1, what: 'the first writes' });
      const backups: Backup[] = [];
      for (let n = 0; n < 3; n++) {
        backups.push(await backupStore(src));
        const seen = written.length;
        const all = 400 * prefixesUsed.length;
        await waitFor(() => written.length > seen || written.length === all, {
          timeoutMs: 5000,
          intervalMs: 1,
          what: 'more writes',
        });
      }
      stop = true;
      await writer;
      for (const b of backups) {
        const have = new Set(b.keys.map((e) => e.key));
        // A key is in the backup exactly when it was written at or before the backup's revision.
        const wrong = written.filter((w) => have.has(w.key) !== w.revision <= b.revision);
        expect(wrong).toEqual([]);
      }
    });
  });
}

suite('embedded', () => openEmbeddedStore({}));

describe('etcd', () => {
  let etcd: EtcdProcess | undefined;
  beforeAll(async () => {
    etcd = await startEtcd();
  });
  afterAll(async () => {
    await etcd?.destroy();
  });
  suite('etcd', () =>
    openEtcdStore({ endpoints: [etcd!.endpoint], namespace: `/bk-${randomBytes(4).toString('hex')}` }),
  );
});
