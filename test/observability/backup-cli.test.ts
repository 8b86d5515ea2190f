import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keys } from '../../src/core/keys.js';
import { createClient } from '../../src/client/index.js';
import { openEmbeddedStore } from '../../src/store/embedded/index.js';
import type { Store } from '../../src/store/types.js';
import { cliFor, type Cli } from '../cli/harness.js';
import { startTestServer, type TestServer } from '../cli/server-harness.js';
import { tempDir } from '../helpers/tmp.js';

/** `nebula admin backup` / `restore` through the control API and offline on a data dir. */
describe('nebula admin backup / restore', () => {
  const dir = tempDir('nebula-backup-cli-');
  let srv: TestServer;
  let cli: Cli;
  let admin: (argv: string[]) => ReturnType<Cli>;

  beforeAll(async () => {
    srv = await startTestServer();
    cli = cliFor(join(dir.path, 'home'));
    admin = (argv) => cli([...argv, '--server', srv.url, '--token', srv.adminKey]);
    const c = createClient({ baseUrl: srv.url, token: srv.adminKey });
    await c.models.create({
      model_uid: 'alpha',
      model_name: 'sim/alpha',
      model_source: 'huggingface',
      engine_type: 'sim',
      replicas: 1,
    });
  });
  afterAll(async () => {
    await srv?.stop();
    dir.cleanup();
  });

  it('backs up through the server into a private file, and audits it', async () => {
    const file = join(dir.path, 'b1.json');
    const r = await admin(['admin', 'backup', '-f', file]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Backup: +.*b1\.json\nRevision: +\d+\nKeys: +\d+ restorable, \d+ leased/);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const b = JSON.parse(readFileSync(file, 'utf8'));
    expect(b).toMatchObject({ format: 'nebula-backup', version: 1, store: 'embedded' });
    const byKey = new Map(b.keys.map((e: { key: string; lease: boolean }) => [e.key, e]));
    expect(byKey.get(keys.modelSpec('alpha'))).toMatchObject({ lease: false });
    expect(byKey.get(keys.user('admin'))).toMatchObject({ lease: false });
    // The server's own registration is leased: in the file, marked.
    expect(
      [...byKey.values()].some((e) => (e as { key: string }).key.startsWith('/components/server/')),
    ).toBe(true);
    const audit = await createClient({ baseUrl: srv.url, token: srv.adminKey }).audit.list({
      action: 'system.backup',
    });
    expect(audit.items[0]).toMatchObject({ action: 'system.backup', actor: 'admin', result: 'success' });
  });

  it('is admin only', async () => {
    const c = createClient({ baseUrl: srv.url, token: srv.adminKey });
    const viewer = await c.keys.create({ name: 'ro', role: 'viewer' });
    const r = await cli([
      'admin',
      'backup',
      '-f',
      join(dir.path, 'no.json'),
      '--server',
      srv.url,
      '--token',
      viewer.key,
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: .*\(FORBIDDEN\)\n$/);
  });

  it('refuses to restore over a non-empty store without --force, then replaces it with --force', async () => {
    const file = join(dir.path, 'b2.json');
    expect((await admin(['admin', 'backup', '-f', file])).code).toBe(0);
    const c = createClient({ baseUrl: srv.url, token: srv.adminKey });
    await c.models.create({
      model_uid: 'beta',
      model_name: 'sim/beta',
      model_source: 'huggingface',
      engine_type: 'sim',
      replicas: 1,
    });
    await c.models.delete('alpha');
    const rev = await srv.store.revision();

    const refused = await admin(['admin', 'restore', '-f', file]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(
      /^error: the store already holds \d+ Nebula key\(s\).*force.*\(STORE_NOT_EMPTY\)\n$/,
    );
    // Nothing written but the audit event of the refusal (leased).
    const after = await srv.store.list('/', { keysOnly: true });
    expect(after.items.filter((k) => k.modRevision > rev && k.lease === undefined)).toEqual([]);

    const ok = await admin(['admin', 'restore', '-f', file, '--force', '-o', 'json']);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    const out = JSON.parse(ok.stdout);
    expect(out.deleted).toBeGreaterThanOrEqual(2);
    expect(out.restored).toBeGreaterThan(3);
    expect(await srv.store.get(keys.modelSpec('alpha'))).toBeDefined();
    expect(await srv.store.get(keys.modelSpec('beta'))).toBeUndefined();
    const audit = await c.audit.list({ action: 'system.restore' });
    expect(audit.items.map((e) => e.result)).toEqual(['success', 'failure']);
  });

  it('rejects a file that is not a backup with a one-line reason, changing nothing', async () => {
    const bad = join(dir.path, 'bad.json');
    writeFileSync(
      bad,
      JSON.stringify({ format: 'nebula-backup', version: 7, revision: 1, created_at: 'x', keys: [] }),
    );
    const rev = await srv.store.revision();
    const r = await admin(['admin', 'restore', '-f', bad, '--force']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'error: invalid backup: version 7 is not supported (this build reads 1) (INVALID_BACKUP)\n',
    );
    writeFileSync(bad, 'not json');
    expect((await admin(['admin', 'restore', '-f', bad])).stderr).toMatch(/is not JSON.*\(INVALID_BACKUP\)/);
    expect((await admin(['admin', 'restore'])).code).toBe(2);
    expect(await srv.store.revision()).toBe(rev);
  });

  it('works offline on a data dir, and says so when nebula up holds its store', async () => {
    const upDir = join(dir.path, 'up');
    let held: Store | undefined = await openEmbeddedStore({ path: join(upDir, 'store.db') });
    try {
      await held.put(keys.template('offline-t'), '{"name":"offline-t"}');
      const locked = await cli(['admin', 'backup', '-f', join(dir.path, 'o.json'), '--data-dir', upDir]);
      expect(locked.code).toBe(1);
      expect(locked.stderr).toMatch(
        /^error: the embedded store .*store\.db is locked by a running `nebula up`.*\(STORE_LOCKED\)\n$/,
      );
      await held.close();
      held = undefined;

      const file = join(dir.path, 'o.json');
      expect((await cli(['admin', 'backup', '-f', file, '--data-dir', upDir])).code).toBe(0);
      const missing = await cli(['admin', 'backup', '-f', file, '--data-dir', join(dir.path, 'nothing')]);
      expect(missing.stderr).toMatch(/no embedded store at .*\(STORE_NOT_FOUND\)/);

      const fresh = join(dir.path, 'fresh');
      const r = await cli(['admin', 'restore', '-f', file, '--data-dir', fresh, '-o', 'json']);
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ restored: 1, deleted: 0 });
      const s = await openEmbeddedStore({ path: join(fresh, 'store.db') });
      try {
        expect((await s.get(keys.template('offline-t')))?.value).toBe('{"name":"offline-t"}');
      } finally {
        await s.close();
      }
      const both = await cli(['admin', 'backup', '-f', file, '--data-dir', fresh, '--etcd', 'http://x:1']);
      expect(both.code).toBe(2);
    } finally {
      await held?.close();
    }
  });
});
