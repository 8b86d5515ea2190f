/**
 * The session signing secret (finding 3 of the hardening run): out of backups unless asked for (admin,
 * audited), kept by a restore whose file lacks it, and rotated by `nebula admin rotate-secret`, after
 * which sessions signed with the old one are refused by this server, other servers and the routers.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../../src/client/index.js';
import { keys } from '../../src/core/keys.js';
import { silentLogger } from '../../src/core/logger.js';
import { createMetricsRegistry } from '../../src/core/metrics.js';
import { SessionVerifier } from '../../src/router/auth/sessions.js';
import { StoreUsers } from '../../src/router/auth/store-users.js';
import { startServer, type ServerHandle } from '../../src/server/server.js';
import type { Backup } from '../../src/store/backup.js';
import { cliFor, type Cli } from '../cli/harness.js';
import { ADMIN_PASSWORD, startTestServer, type TestServer } from '../cli/server-harness.js';
import { waitFor } from '../helpers/ports.js';
import { addUser } from './helpers.js';
import { tempDir } from '../helpers/tmp.js';

const SECRET_KEY = keys.meta('jwt-secret');

describe('JWT signing secret: backups and rotation', () => {
  const dir = tempDir('nebula-jwt-secret-');
  let srv: TestServer;
  let second: ServerHandle;
  let cli: Cli;
  let router: SessionVerifier;
  let users: StoreUsers;

  const login = async (url = srv.url): Promise<string> => {
    const res = await fetch(`${url}/api/v2/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: ADMIN_PASSWORD }),
    });
    expect(res.status).toBe(200);
    return ((await res.json()) as { token: string }).token;
  };
  const whoami = async (token: string, url = srv.url): Promise<number> =>
    (await fetch(`${url}/api/v2/auth/whoami`, { headers: { authorization: `Bearer ${token}` } })).status;
  const api = (token: string) => createClient({ baseUrl: srv.url, token });
  const storedSecret = async () => (await srv.store.get(SECRET_KEY))?.value;

  beforeAll(async () => {
    srv = await startTestServer();
    // A second server instance on the same store (as behind a load balancer) and a router's verifier.
    second = await startServer(
      { port: 0, host: '127.0.0.1', rateLimit: false, loginRateLimit: false, instanceId: 'second', env: {} },
      {
        store: srv.store,
        logger: silentLogger(),
        registry: createMetricsRegistry({ role: 'server', processMetrics: false }),
      },
    );
    users = new StoreUsers(srv.store, {});
    await users.start();
    router = new SessionVerifier(srv.store, { users });
    await router.start();
    cli = cliFor(join(dir.path, 'home'));
  });
  afterAll(async () => {
    await router?.stop();
    await users?.stop();
    await second?.stop();
    await srv?.stop();
    dir.cleanup();
  });

  it('a backup leaves the secret out unless include_secrets=true, which is audited', async () => {
    expect(await storedSecret()).toBeDefined();
    const plain = await api(srv.adminKey).request<Backup>('GET', '/api/v2/admin/backup');
    expect(plain.secrets_included).toBe(false);
    expect(plain.keys.map((k) => k.key)).not.toContain(SECRET_KEY);
    expect(plain.keys.map((k) => k.key)).toContain(keys.user('admin'));

    const full = await api(srv.adminKey).request<Backup>('GET', '/api/v2/admin/backup', {
      query: { include_secrets: 'true' },
    });
    expect(full.secrets_included).toBe(true);
    expect(full.keys.find((k) => k.key === SECRET_KEY)?.value).toBe(await storedSecret());

    const audit = await api(srv.adminKey).audit.list({ action: 'system.backup' });
    const details = audit.items.map(
      (e) => (e as { details?: Record<string, unknown> }).details?.['include_secrets'],
    );
    expect(details).toEqual(expect.arrayContaining([true, false]));

    // Through the CLI, into files.
    const f1 = join(dir.path, 'plain.json');
    const f2 = join(dir.path, 'full.json');
    const r1 = await cli(['admin', 'backup', '-f', f1, '--server', srv.url, '--token', srv.adminKey]);
    expect(r1.code).toBe(0);
    expect(r1.stdout).toMatch(/Secrets: +not included/);
    expect(readFileSync(f1, 'utf8')).not.toContain(SECRET_KEY);
    const r2 = await cli([
      'admin',
      'backup',
      '-f',
      f2,
      '--include-secrets',
      '--server',
      srv.url,
      '--token',
      srv.adminKey,
    ]);
    expect(r2.code).toBe(0);
    expect(r2.stdout).toMatch(/Secrets: +included/);
    expect(readFileSync(f2, 'utf8')).toContain(SECRET_KEY);
  });

  it('only admins may back up (with or without secrets)', async () => {
    const key = { key: await addUser(srv.store, 'op1', 'operator') };
    // The key is written to the store directly: wait until the server knows it.
    const status = async (method: string, path: string) =>
      (await fetch(`${srv.url}${path}`, { method, headers: { authorization: `Bearer ${key.key}` } })).status;
    await waitFor(async () => (await status('GET', '/api/v2/auth/whoami')) === 200, {
      timeoutMs: 5000,
      what: 'key',
    });
    expect(await status('GET', '/api/v2/admin/backup')).toBe(403);
    expect(await status('GET', '/api/v2/admin/backup?include_secrets=true')).toBe(403);
    const rot = { status: await status('POST', '/api/v2/admin/rotate-secret') };
    expect(rot.status).toBe(403);
  });

  it('a forced restore of a backup without the secret keeps the current one: sessions stay valid', async () => {
    const token = await login();
    const before = await storedSecret();
    const plain = await api(srv.adminKey).request<Backup>('GET', '/api/v2/admin/backup');
    await api(srv.adminKey).request('POST', '/api/v2/admin/restore', {
      body: plain,
      query: { force: 'true' },
    });
    expect(await storedSecret()).toBe(before);
    expect(await whoami(token)).toBe(200);
  });

  it('rotate-secret refuses old sessions at once here, and soon on other servers and routers; API keys keep working', async () => {
    const old = await login();
    const oldOnSecond = await login(second.url);
    const now = Date.now();
    expect(await whoami(old)).toBe(200);
    expect(await whoami(oldOnSecond, second.url)).toBe(200);
    expect(router.verify(old, now)).toBeDefined();
    const before = await storedSecret();

    const r = await cli(['admin', 'rotate-secret', '--yes', '--server', srv.url, '--token', srv.adminKey]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Rotated: +\d{4}-/);
    expect(await storedSecret()).not.toBe(before);

    expect(await whoami(old)).toBe(401);
    await waitFor(async () => (await whoami(oldOnSecond, second.url)) === 401, {
      timeoutMs: 5000,
      what: 'the second server to refuse the old session',
    });
    await waitFor(() => router.verify(old, Date.now()) === undefined, {
      timeoutMs: 5000,
      what: 'the router to refuse the old session',
    });
    // New sessions work everywhere; the admin API key is not affected.
    const fresh = await login();
    expect(await whoami(fresh)).toBe(200);
    await waitFor(async () => (await whoami(fresh, second.url)) === 200, {
      timeoutMs: 5000,
      what: 'second server',
    });
    await waitFor(() => router.verify(fresh, Date.now()) !== undefined, { timeoutMs: 5000, what: 'router' });
    expect(await whoami(srv.adminKey)).toBe(200);

    const audit = await api(srv.adminKey).audit.list({ action: 'system.rotate_secret' });
    expect(audit.items[0]).toMatchObject({
      action: 'system.rotate_secret',
      actor: 'admin',
      result: 'success',
    });
  });

  it('a restore of a backup with the secret brings that secret back (sessions signed with it work again)', async () => {
    const oldToken = await login();
    const full = await api(srv.adminKey).request<Backup>('GET', '/api/v2/admin/backup', {
      query: { include_secrets: 'true' },
    });
    await api(srv.adminKey).request('POST', '/api/v2/admin/rotate-secret');
    expect(await whoami(oldToken)).toBe(401);
    await api(srv.adminKey).request('POST', '/api/v2/admin/restore', {
      body: full,
      query: { force: 'true' },
    });
    await waitFor(async () => (await whoami(oldToken)) === 200, {
      timeoutMs: 5000,
      what: 'the restored secret to be in use',
    });
  });

  it('rotate-secret without --yes and without a terminal to ask on refuses and changes nothing', async () => {
    const before = await storedSecret();
    const r = await cli(['admin', 'rotate-secret', '--server', srv.url, '--token', srv.adminKey], {
      stdin: 'y\n',
    });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/^error: refusing to rotate the signing secret/);
    expect(await storedSecret()).toBe(before);
  });
});

describe('rotate-secret with a configured secret', () => {
  let server: ServerHandle | undefined;
  let store: import('../../src/store/types.js').Store | undefined;
  beforeAll(async () => {
    const { openEmbeddedStore } = await import('../../src/store/embedded/index.js');
    store = await openEmbeddedStore({});
    server = await startServer(
      { port: 0, host: '127.0.0.1', env: { NEBULA_JWT_SECRET: 'x'.repeat(40) }, instanceId: 'configured' },
      {
        store,
        logger: silentLogger(),
        registry: createMetricsRegistry({ role: 'server', processMetrics: false }),
      },
    );
  });
  afterAll(async () => {
    await server?.stop();
    await store?.close();
  });

  it('is refused with 409 JWT_SECRET_CONFIGURED and changes nothing', async () => {
    const key = server?.bootstrap?.apiKey ?? '';
    const res = await fetch(`${server?.url}/api/v2/admin/rotate-secret`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}` },
    });
    expect(res.status).toBe(409);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('JWT_SECRET_CONFIGURED');
    expect(await store?.get(SECRET_KEY)).toBeUndefined();
  });
});
