import { statSync, readFileSync } from 'node:fs';
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { ApiKey } from '../../src/core/domain/index.js';
import { keys } from '../../src/core/keys.js';
import { generateApiKey } from '../../src/server/auth/api-keys.js';
import { bootstrapAdmin, writeAdminKeyFile } from '../../src/server/auth/bootstrap.js';
import { JWT_AUDIENCE, JWT_ISSUER, signSession } from '../../src/server/auth/jwt.js';
import { openEmbeddedStore } from '../../src/store/embedded/index.js';
import { encode } from '../../src/store/json.js';
import { tempDir } from '../helpers/tmp.js';
import { makeApp, PASSWORD, useApp } from './helpers.js';

describe('auth: login, tokens, users, API keys', () => {
  const t = useApp();
  const login = (username: string, password: string) =>
    t.call('POST', '/api/v2/auth/login', { body: { username, password } });

  it('logs in and identifies the session', async () => {
    const res = await login('admin', PASSWORD);
    expect(res.status).toBe(200);
    const s = await res.json();
    expect(s).toMatchObject({ token_type: 'Bearer', username: 'admin', role: 'admin' });
    expect(Date.parse(s.expires_at)).toBeGreaterThan(Date.now() + 11 * 3600 * 1000);
    const who = await t.json('GET', '/api/v2/auth/whoami', { token: s.token });
    expect(who).toMatchObject({ username: 'admin', role: 'admin', auth_method: 'jwt', key_id: null });
    const viaKey = await t.json('GET', '/api/v2/auth/whoami', { token: t.tokens.viewer });
    expect(viaKey).toMatchObject({ username: 'viewer', role: 'viewer', auth_method: 'api_key' });
  });

  it('refuses bad credentials the same way for unknown users and wrong passwords', async () => {
    for (const [u, p] of [
      ['admin', 'wrong-password'],
      ['ghost', PASSWORD],
    ] as const) {
      const res = await login(u, p);
      expect(res.status).toBe(401);
      expect((await res.json()).error).toEqual({
        code: 'UNAUTHORIZED',
        message: 'invalid username or password',
      });
    }
    expect((await t.call('POST', '/api/v2/auth/login', { body: { username: 'admin' } })).status).toBe(422);
  });

  it('refuses forged, expired, wrongly addressed and malformed tokens', async () => {
    const secret = t.app.context.jwtSecret;
    const now = Date.now();
    const expired = (
      await signSession(
        secret,
        { username: 'admin', role: 'admin' },
        { nowMs: now - 3600_000, ttlSeconds: 60 },
      )
    ).token;
    const other = (
      await signSession(
        new TextEncoder().encode('x'.repeat(40)),
        { username: 'admin', role: 'admin' },
        { nowMs: now, ttlSeconds: 600 },
      )
    ).token;
    const wrongAud = await new SignJWT({ role: 'admin' })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(JWT_ISSUER)
      .setAudience('someone-else')
      .setSubject('admin')
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(secret);
    const wrongIss = await new SignJWT({ role: 'admin' })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer('evil')
      .setAudience(JWT_AUDIENCE)
      .setSubject('admin')
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(secret);
    const hs512 = await new SignJWT({ role: 'admin' })
      .setProtectedHeader({ alg: 'HS512' })
      .setIssuer(JWT_ISSUER)
      .setAudience(JWT_AUDIENCE)
      .setSubject('admin')
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(new Uint8Array(Buffer.concat([Buffer.from(secret), Buffer.from(secret)])));
    const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const none = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ sub: 'admin', role: 'admin', iss: JWT_ISSUER, aud: JWT_AUDIENCE, exp: Math.floor(now / 1000) + 600, iat: Math.floor(now / 1000) })}.`;
    const ghost = (
      await signSession(secret, { username: 'ghost', role: 'admin' }, { nowMs: now, ttlSeconds: 600 })
    ).token;
    for (const token of [
      expired,
      other,
      wrongAud,
      wrongIss,
      hs512,
      none,
      ghost,
      'nbk_not-a-key',
      'garbage',
    ]) {
      const res = await t.call('GET', '/api/v2/models', { token });
      expect(res.status, token.slice(0, 30)).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
    }
    const basic = await t.call('GET', '/api/v2/models', { headers: { authorization: 'Basic YWRtaW46eA==' } });
    expect(basic.status).toBe(401);
  });

  it('a JWT carries the user’s current role: demotion and disabling apply at once', async () => {
    await t.json('POST', '/api/v2/auth/users', {
      token: t.tokens.admin,
      body: { username: 'alice', password: 'alice-password', role: 'operator' },
    });
    const { token } = await (await login('alice', 'alice-password')).json();
    expect((await t.call('POST', '/api/v2/models/x/stop', { token })).status).toBe(404);
    await t.json('PUT', '/api/v2/auth/users/alice', { token: t.tokens.admin, body: { role: 'viewer' } });
    expect((await t.call('POST', '/api/v2/models/x/stop', { token })).status).toBe(403);
    await t.json('PUT', '/api/v2/auth/users/alice', { token: t.tokens.admin, body: { disabled: true } });
    expect((await t.call('GET', '/api/v2/models', { token })).status).toBe(401);
    expect((await login('alice', 'alice-password')).status).toBe(401);
  });

  it('users: create, read, update with versions, refuse duplicates and removing the last admin', async () => {
    const bob = await t.json('POST', '/api/v2/auth/users', {
      token: t.tokens.admin,
      body: { username: 'bob', password: 'bob-password', role: 'viewer' },
    });
    expect(bob).toMatchObject({ username: 'bob', role: 'viewer', disabled: false, created_by: 'admin' });
    expect(JSON.stringify(bob)).not.toContain('scrypt');
    const stored = JSON.parse((await t.store.get(keys.user('bob')))?.value ?? '{}');
    expect(stored.password_hash).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(stored.password_hash).not.toContain('bob-password');
    const other = JSON.parse((await t.store.get(keys.user('operator')))?.value ?? '{}');
    expect(stored.password_hash.split('$')[4]).not.toBe(other.password_hash.split('$')[4]); // per-user salt
    expect(
      (
        await t.call('POST', '/api/v2/auth/users', {
          token: t.tokens.admin,
          body: { username: 'bob', password: 'bob-password', role: 'viewer' },
        })
      ).status,
    ).toBe(409);
    expect(
      (
        await t.call('POST', '/api/v2/auth/users', {
          token: t.tokens.admin,
          body: { username: 'Bad Name', password: 'bob-password', role: 'viewer' },
        })
      ).status,
    ).toBe(422);
    expect(
      (
        await t.call('POST', '/api/v2/auth/users', {
          token: t.tokens.admin,
          body: { username: 'carol', password: 'short', role: 'viewer' },
        })
      ).status,
    ).toBe(422);
    const stale = await t.call('PUT', '/api/v2/auth/users/bob', {
      token: t.tokens.admin,
      body: { role: 'operator', resource_version: bob.resource_version - 1 },
    });
    expect(stale.status).toBe(409);
    const up = await t.json('PUT', '/api/v2/auth/users/bob', {
      token: t.tokens.admin,
      headers: { 'if-match': `"${bob.resource_version}"` },
      body: { role: 'operator' },
    });
    expect(up.role).toBe('operator');
    const last = await t.call('PUT', '/api/v2/auth/users/admin', {
      token: t.tokens.admin,
      body: { role: 'viewer' },
    });
    expect(last.status).toBe(409);
    expect((await last.json()).error.code).toBe('LAST_ADMIN');
    expect((await t.call('DELETE', '/api/v2/auth/users/admin', { token: t.tokens.admin })).status).toBe(409);
    expect((await t.call('GET', '/api/v2/auth/users/nobody', { token: t.tokens.admin })).status).toBe(404);
    const list = await t.json('GET', '/api/v2/auth/users', { token: t.tokens.admin });
    expect(list.items.map((u: { username: string }) => u.username)).toEqual(
      expect.arrayContaining(['admin', 'bob', 'operator', 'viewer']),
    );
  });

  it('API keys: shown once, hashed, scoped to the owner, never above the creator’s role, revocable', async () => {
    const created = await t.json('POST', '/api/v2/auth/api-keys', {
      token: t.tokens.operator,
      body: { name: 'ci', expires_in: '30d' },
    });
    expect(created.key).toMatch(/^nbk_[A-Za-z0-9_-]{32}$/);
    expect(created).toMatchObject({
      role: 'operator',
      owner: 'operator',
      revoked_at: null,
      prefix: created.key.slice(0, 10),
    });
    expect(Date.parse(created.expires_at) - Date.now()).toBeGreaterThan(29 * 86400 * 1000);
    const raw = (await t.store.get(keys.apiKey(created.id)))?.value ?? '';
    expect(raw).not.toContain(created.key);
    const who = await t.json('GET', '/api/v2/auth/whoami', { token: created.key });
    expect(who).toMatchObject({
      username: 'operator',
      role: 'operator',
      auth_method: 'api_key',
      key_id: created.id,
    });
    const viewerKey = await t.json('POST', '/api/v2/auth/api-keys', {
      token: t.tokens.operator,
      body: { name: 'read-only', role: 'viewer' },
    });
    expect((await t.call('POST', '/api/v2/models/x/stop', { token: viewerKey.key })).status).toBe(403);
    const esc = await t.call('POST', '/api/v2/auth/api-keys', {
      token: t.tokens.operator,
      body: { name: 'boss', role: 'admin' },
    });
    expect(esc.status).toBe(403);
    expect((await esc.json()).error.code).toBe('ROLE_ESCALATION');
    const fromKey = await t.call('POST', '/api/v2/auth/api-keys', {
      token: viewerKey.key,
      body: { name: 'up', role: 'operator' },
    });
    expect(fromKey.status).toBe(403);
    const mine = await t.json('GET', '/api/v2/auth/api-keys', { token: t.tokens.operator });
    expect(mine.items.every((k: { owner: string }) => k.owner === 'operator')).toBe(true);
    expect(JSON.stringify(mine)).not.toContain('key_hash');
    const all = await t.json('GET', '/api/v2/auth/api-keys', { token: t.tokens.admin });
    expect(all.items.length).toBeGreaterThan(mine.items.length);
    // someone else's key looks missing
    expect(
      (await t.call('DELETE', `/api/v2/auth/api-keys/${created.id}`, { token: t.tokens.viewer })).status,
    ).toBe(404);
    const revoked = await t.json('DELETE', `/api/v2/auth/api-keys/${created.id}`, {
      token: t.tokens.operator,
    });
    expect(revoked.revoked_at).not.toBeNull();
    expect((await t.call('GET', '/api/v2/auth/whoami', { token: created.key })).status).toBe(401);
    expect(
      (
        await t.call('POST', '/api/v2/auth/api-keys', {
          token: t.tokens.operator,
          body: { name: 'x', expires_in: '5s' },
        })
      ).status,
    ).toBe(422);
    // expires_in takes the one duration grammar (compound units too).
    const compound = await t.json('POST', '/api/v2/auth/api-keys', {
      token: t.tokens.operator,
      body: { name: 'compound', expires_in: '1h30m' },
    });
    const left = Date.parse(compound.expires_at) - Date.now();
    expect(left).toBeGreaterThan(5_300_000);
    expect(left).toBeLessThanOrEqual(5_400_000);
  });

  it('expired keys and keys of deleted users stop working', async () => {
    const k = generateApiKey({
      name: 'old',
      role: 'viewer',
      owner: 'viewer',
      nowMs: Date.now() - 7200_000,
      expiresInSeconds: 3600,
    });
    await t.store.put(keys.apiKey(k.record.id), encode(ApiKey, k.record));
    t.app.context.apiKeys.invalidate();
    expect((await t.call('GET', '/api/v2/models', { token: k.key })).status).toBe(401);
    await t.json('POST', '/api/v2/auth/users', {
      token: t.tokens.admin,
      body: { username: 'dave', password: 'dave-password', role: 'operator' },
    });
    const { token } = await (await login('dave', 'dave-password')).json();
    const daveKey = (await t.json('POST', '/api/v2/auth/api-keys', { token, body: { name: 'dave' } })).key;
    expect((await t.call('GET', '/api/v2/models', { token: daveKey })).status).toBe(200);
    await t.json('DELETE', '/api/v2/auth/users/dave', { token: t.tokens.admin });
    expect((await t.call('GET', '/api/v2/models', { token: daveKey })).status).toBe(401);
    expect((await t.call('GET', '/api/v2/models', { token })).status).toBe(401);
  });

  it('changes one’s own password', async () => {
    await t.json('POST', '/api/v2/auth/users', {
      token: t.tokens.admin,
      body: { username: 'erin', password: 'erin-password', role: 'viewer' },
    });
    const { token } = await (await login('erin', 'erin-password')).json();
    expect(
      (
        await t.call('POST', '/api/v2/auth/password', {
          token,
          body: { current_password: 'nope', new_password: 'new-password-1' },
        })
      ).status,
    ).toBe(403);
    await t.json('POST', '/api/v2/auth/password', {
      token,
      body: { current_password: 'erin-password', new_password: 'new-password-1' },
    });
    expect((await login('erin', 'erin-password')).status).toBe(401);
    expect((await login('erin', 'new-password-1')).status).toBe(200);
  });
});

describe('rate limits', () => {
  it('per principal: 429 with Retry-After, other principals unaffected', async () => {
    const t = await makeApp({ rateLimit: { ratePerSecond: 0.5, burst: 3 } });
    try {
      for (let i = 0; i < 3; i++)
        expect((await t.call('GET', '/api/v2/models', { token: t.tokens.viewer })).status).toBe(200);
      const res = await t.call('GET', '/api/v2/models', { token: t.tokens.viewer });
      expect(res.status).toBe(429);
      expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect((await res.json()).error.code).toBe('RATE_LIMITED');
      expect((await t.call('GET', '/api/v2/models', { token: t.tokens.operator })).status).toBe(200);
    } finally {
      await t.close();
    }
  });

  it('login attempts per source address', async () => {
    const t = await makeApp({ loginRateLimit: { ratePerSecond: 0.01, burst: 3 } });
    try {
      for (let i = 0; i < 3; i++)
        expect(
          (await t.call('POST', '/api/v2/auth/login', { body: { username: 'admin', password: 'bad-guess' } }))
            .status,
        ).toBe(401);
      const res = await t.call('POST', '/api/v2/auth/login', {
        body: { username: 'admin', password: PASSWORD },
      });
      expect(res.status).toBe(429);
      expect(res.headers.get('retry-after')).toMatch(/^[0-9]+$/);
    } finally {
      await t.close();
    }
  });
});

describe('login throttling per username and per address', () => {
  const from = (ip: string) => ({ 'x-forwarded-for': ip });
  it('an attacker at one user behind a shared address locks out neither colleagues nor the user elsewhere', async () => {
    const t = await makeApp({ trustProxy: true, loginRateLimit: { ratePerSecond: 10 / 60, burst: 10 } });
    try {
      const login = (username: string, password: string, ip: string) =>
        t.call('POST', '/api/v2/auth/login', { body: { username, password }, headers: from(ip) });
      for (let i = 0; i < 10; i++) await login('viewer', 'bad-guess', '10.0.0.1');
      const blocked = await login('viewer', PASSWORD, '10.0.0.1');
      expect(blocked.status).toBe(429);
      expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      // Same NAT, other user: not locked out by the attacker.
      expect((await login('operator', PASSWORD, '10.0.0.1')).status).toBe(200);
      // The attacked user from elsewhere: fine too.
      expect((await login('viewer', PASSWORD, '192.0.2.1')).status).toBe(200);
    } finally {
      await t.close();
    }
  });

  it('a distributed guesser slows the user down only from unknown addresses', async () => {
    const t = await makeApp({ trustProxy: true, loginRateLimit: { ratePerSecond: 10 / 60, burst: 10 } });
    try {
      const login = (username: string, password: string, ip: string) =>
        t.call('POST', '/api/v2/auth/login', { body: { username, password }, headers: from(ip) });
      expect((await login('admin', PASSWORD, '203.0.113.5')).status).toBe(200);
      for (let i = 0; i < 10; i++)
        expect((await login('admin', 'bad-guess', `198.51.100.${i}`)).status).toBe(401);
      expect((await login('admin', PASSWORD, '198.51.100.200')).status).toBe(429);
      expect((await login('admin', PASSWORD, '203.0.113.5')).status).toBe(200);
    } finally {
      await t.close();
    }
  });
});

describe('bootstrap and the JWT secret', () => {
  it('creates the admin once, and the key file with mode 0600', async () => {
    const store = await openEmbeddedStore({});
    const dir = tempDir('nebula-boot-');
    try {
      const first = await bootstrapAdmin(store);
      expect(first.created).toBe(true);
      expect(first.password).toMatch(/^[A-Za-z0-9_-]{20}$/);
      expect(first.apiKey).toMatch(/^nbk_/);
      const again = await bootstrapAdmin(store);
      expect(again).toEqual({ created: false, username: 'admin' });
      const path = writeAdminKeyFile(dir.path, first.apiKey ?? '');
      expect(statSync(path).mode & 0o777).toBe(0o600);
      expect(readFileSync(path, 'utf8').trim()).toBe(first.apiKey);
    } finally {
      dir.cleanup();
      await store.close();
    }
  });

  it('two servers on one store share the generated secret: a token from one works on the other', async () => {
    const a = await makeApp();
    try {
      const b = await makeApp({}, { store: a.store });
      const { token } = await (
        await a.call('POST', '/api/v2/auth/login', { body: { username: 'admin', password: PASSWORD } })
      ).json();
      expect((await b.call('GET', '/api/v2/auth/whoami', { token })).status).toBe(200);
      const c = await makeApp(
        { jwtSecret: 'another-secret-that-is-long-enough-0123456789' },
        { store: a.store },
      );
      expect((await c.call('GET', '/api/v2/auth/whoami', { token })).status).toBe(401);
    } finally {
      await a.close();
    }
  });
});
