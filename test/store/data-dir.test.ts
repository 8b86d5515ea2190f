/**
 * The `nebula up` data dir at rest (finding 3 and 5 of the hardening run): owner-only modes, whatever the
 * umask and whatever an older version left; a damaged, empty or missing store refused at start with one
 * line that names the restore command; admin.key never replaced; the banner never names a key file that
 * does not exist; `--cache-evict lru` reaching the cache manager.
 */
import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  closeSync,
  cpSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  truncateSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../src/cli/run-cli.js';
import { backupStore, restoreStore } from '../../src/store/backup.js';
import { openEmbeddedStore } from '../../src/store/embedded/index.js';
import { startUp, type UpHandle, type UpOptions } from '../../src/up.js';
import { Capture } from '../cli/harness.js';
import { tempDir } from '../helpers/tmp.js';
import { testUpOptions } from '../helpers/up.js';

const captured = vi.hoisted(() => ({ cacheOptions: [] as { evictLru?: boolean }[] }));
vi.mock('../../src/node/cache/manager.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/node/cache/manager.js')>();
  return {
    ...real,
    // The real manager, recording what it was created with.
    createCacheManager: (...args: Parameters<typeof real.createCacheManager>) => {
      captured.cacheOptions.push(args[0]);
      return real.createCacheManager(...args);
    },
  };
});

const mode = (p: string) => statSync(p).mode & 0o777;

const upOptions = (dataDir: string, cliConfig: string, extra: UpOptions = {}): UpOptions =>
  testUpOptions(dataDir, cliConfig, { nodeId: 'up-data-dir', gpus: 'sim:1x80GiB', ...extra });

/**
 * Random bytes over a whole page in the middle of the file: the in-use page (SQLite's dbstat) nearest the
 * middle, so the damage never lands on a free page that no check reads.
 */
function corruptMiddle(path: string): void {
  const db = new Database(path, { readonly: true });
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  const pages = (db.prepare('SELECT pageno FROM dbstat WHERE pageno > 2').all() as { pageno: number }[]).map(
    (r) => r.pageno,
  );
  db.close();
  const middle = Math.floor(statSync(path).size / pageSize / 2);
  const page = pages.sort((a, b) => Math.abs(a - middle) - Math.abs(b - middle))[0] ?? middle;
  const fd = openSync(path, 'r+');
  try {
    writeSync(fd, randomBytes(pageSize), 0, pageSize, (page - 1) * pageSize);
  } finally {
    closeSync(fd);
  }
}

describe('nebula up data dir', () => {
  const dir = tempDir('nebula-data-dir-');
  const dataDir = join(dir.path, 'data');
  const cliConfig = join(dir.path, 'home', 'config.yaml');
  let first: UpHandle | undefined;
  let firstBanner = '';
  let adminKey = '';
  const savedUmask = process.umask();

  beforeAll(async () => {
    // What an older version (or a permissive umask) left: a world-readable data dir and CLI config.
    process.umask(0o022);
    mkdirSync(dataDir, { recursive: true, mode: 0o755 });
    chmodSync(dataDir, 0o755);
    mkdirSync(join(dir.path, 'home'), { recursive: true });
    writeFileSync(cliConfig, 'contexts: []\n', { mode: 0o644 });
    chmodSync(cliConfig, 0o644);
    const out = new Capture();
    first = await startUp(upOptions(dataDir, cliConfig, { cacheEvict: 'lru' }), out);
    firstBanner = out.text;
    adminKey = readFileSync(join(dataDir, 'admin.key'), 'utf8');
  });
  afterAll(async () => {
    await first?.stop();
    process.umask(savedUmask);
    dir.cleanup();
  });

  it('makes the data dir 0700 and the store, its WAL, admin.key, the marker and the CLI config 0600', () => {
    expect(mode(dataDir)).toBe(0o700);
    for (const f of ['store.db', 'store.db-wal', 'admin.key', 'cluster.json']) {
      expect({ f, mode: mode(join(dataDir, f)).toString(8) }).toEqual({ f, mode: '600' });
    }
    expect(existsSync(join(dataDir, 'store.db-shm'))).toBe(false); // exclusive locking: no shared memory file
    expect(mode(cliConfig)).toBe(0o600);
    expect(firstBanner).toContain(
      `Warning: insecure permissions fixed: ${dataDir} was mode 0755: changed to 0700`,
    );
    expect(firstBanner).toContain(
      `Warning: insecure permissions fixed: ${cliConfig} was mode 0644: changed to 0600`,
    );
    expect(firstBanner).toContain(`Admin API key:    ${join(dataDir, 'admin.key')}`);
  });

  it('--cache-evict lru reaches the cache manager', () => {
    expect(captured.cacheOptions.at(-1)?.evictLru).toBe(true);
  });

  describe('after a stop', () => {
    const copy = (name: string) => {
      const to = join(dir.path, name);
      cpSync(dataDir, to, { recursive: true });
      return to;
    };
    let snapshot = '';
    beforeAll(async () => {
      await first?.stop();
      first = undefined;
      snapshot = copy('snapshot');
    });
    const fresh = (name: string) => {
      const to = join(dir.path, name);
      cpSync(snapshot, to, { recursive: true });
      return to;
    };

    it('tightens files an older version left world-readable, with a warning (and without --cache-evict: off)', async () => {
      const d = fresh('loose');
      for (const f of ['store.db', 'admin.key', 'cluster.json']) chmodSync(join(d, f), 0o644);
      chmodSync(d, 0o755);
      const out = new Capture();
      const up = await startUp(upOptions(d, cliConfig), out);
      try {
        expect(mode(d)).toBe(0o700);
        for (const f of ['store.db', 'store.db-wal', 'admin.key', 'cluster.json'])
          expect(mode(join(d, f))).toBe(0o600);
        for (const f of ['store.db', 'admin.key', 'cluster.json']) {
          expect(out.text).toContain(
            `Warning: insecure permissions fixed: ${join(d, f)} was mode 0644: changed to 0600`,
          );
        }
        expect(captured.cacheOptions.at(-1)?.evictLru).toBe(false);
      } finally {
        await up.stop();
      }
    });

    it('refuses a store with random bytes mid-file: one line naming the restore command; admin.key unchanged', async () => {
      const d = fresh('corrupt');
      corruptMiddle(join(d, 'store.db'));
      await expect(startUp(upOptions(d, cliConfig), new Capture())).rejects.toMatchObject({
        code: 'STORE_CORRUPT',
        message: expect.stringMatching(
          /^store file .*store\.db is damaged \(.*\); .*nebula admin restore -f <backup\.json> --data-dir /,
        ),
      });
      // Through the CLI: exit 1 and exactly one line on stderr.
      const stderr = new Capture();
      const code = await runCli(
        [
          'up',
          '--data-dir',
          d,
          '--server-port',
          '0',
          '--router-port',
          '0',
          '--grpc-port',
          '0',
          '--scheduler-port',
          '0',
          '--node-admin-port',
          '0',
          '--gpus',
          'sim:1x80GiB',
          '--host',
          '127.0.0.1',
        ],
        {
          stdout: new Capture(),
          stderr,
          env: { ...process.env, NEBULA_CONFIG: cliConfig },
        },
      );
      expect(code).toBe(1);
      expect(stderr.text.trim().split('\n')).toHaveLength(1);
      expect(stderr.text).toContain('nebula admin restore');
      expect(readFileSync(join(d, 'admin.key'), 'utf8')).toBe(adminKey);
    });

    it('refuses a 0-byte or missing store in a data dir that had a cluster; admin.key unchanged', async () => {
      const d = fresh('empty');
      truncateSync(join(d, 'store.db'), 0);
      rmSync(join(d, 'store.db-wal'), { force: true });
      await expect(startUp(upOptions(d, cliConfig), new Capture())).rejects.toMatchObject({
        code: 'STORE_CORRUPT',
        message: expect.stringMatching(
          /store\.db is empty \(0 bytes\) but .*cluster\.json.*admin\.key show a cluster was created here; .*nebula admin restore/,
        ),
      });
      expect(statSync(join(d, 'store.db')).size).toBe(0);
      rmSync(join(d, 'store.db'));
      await expect(startUp(upOptions(d, cliConfig), new Capture())).rejects.toMatchObject({
        code: 'STORE_CORRUPT',
        message: expect.stringMatching(/store\.db is missing but/),
      });
      expect(existsSync(join(d, 'store.db'))).toBe(false);
      // Only admin.key left (a data dir of a version without the marker): still refused.
      rmSync(join(d, 'cluster.json'));
      await expect(startUp(upOptions(d, cliConfig), new Capture())).rejects.toMatchObject({
        code: 'STORE_CORRUPT',
      });
      expect(readFileSync(join(d, 'admin.key'), 'utf8')).toBe(adminKey);
    });

    it('never bootstraps a fresh store over an existing admin.key', async () => {
      const d = fresh('replaced');
      for (const f of ['store.db', 'store.db-wal', 'cluster.json']) rmSync(join(d, f), { force: true });
      // A valid but empty store put in place of the real one.
      await (await openEmbeddedStore({ path: join(d, 'store.db') })).close();
      await expect(startUp(upOptions(d, cliConfig), new Capture())).rejects.toMatchObject({
        code: 'ADMIN_KEY_EXISTS',
      });
      expect(readFileSync(join(d, 'admin.key'), 'utf8')).toBe(adminKey);
    });

    it('after a restore into a new data dir, the banner says how to get a key instead of naming a missing file', async () => {
      const src = await openEmbeddedStore({ path: join(snapshot, 'store.db'), autoCompact: false });
      const backup = await backupStore(src);
      await src.close();
      const d = join(dir.path, 'restored');
      const target = await openEmbeddedStore({ path: join(d, 'store.db'), autoCompact: false });
      await restoreStore(target, backup);
      await target.close();
      const out = new Capture();
      const up = await startUp(upOptions(d, cliConfig), out);
      try {
        expect(existsSync(join(d, 'admin.key'))).toBe(false);
        expect(out.text).not.toContain(join(d, 'admin.key'));
        expect(out.text).toMatch(
          /Admin API key: +none in this data dir .*nebula auth login .*nebula key create --name admin --role admin/,
        );
      } finally {
        await up.stop();
      }
    });
  });
});
