/**
 * Every credential check agrees: what the server refuses (disabled or deleted user, password changed,
 * logged out, too long a session) the router refuses too, over HTTP and gRPC, within 5 s, against the same
 * store (regression: the router kept accepting a disabled user's API key).
 */
import { credentials, Metadata, type Client, type ServiceError } from '@grpc/grpc-js';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiKey } from '../../src/core/domain/auth.js';
import { keys } from '../../src/core/keys.js';
import { putJson } from '../../src/store/json.js';
import { generateApiKey } from '../../src/server/auth/api-keys.js';
import { loadAiService } from '../../src/router/index.js';
import { signSession } from '../../src/server/auth/jwt.js';
import { waitFor } from '../helpers/ports.js';
import { makeApp, PASSWORD, type TestApp } from '../server/helpers.js';
import { startCluster, type Cluster } from './harness.js';

interface AiClient extends Client {
  Predict(
    req: object,
    md: Metadata,
    cb: (err: ServiceError | null, res?: Record<string, unknown>) => void,
  ): void;
}

describe('credentials agree between the server and the router', () => {
  let cluster: Cluster;
  let server: TestApp;
  let grpc: AiClient;

  beforeAll(async () => {
    cluster = await startCluster({ replicas: 1 });
    server = await makeApp({ routerUrl: cluster.router.url }, { store: cluster.store });
    const { pkg } = loadAiService();
    const Ctor = (
      pkg as unknown as { nebula: { ai: { v1: { AIService: new (a: string, c: unknown) => AiClient } } } }
    ).nebula.ai.v1.AIService;
    grpc = new Ctor(`127.0.0.1:${cluster.router.grpcPort}`, credentials.createInsecure());
  });
  afterAll(async () => {
    grpc?.close();
    await server?.close();
    await cluster?.close();
  });

  /** 200 or the status the router answered over HTTP. */
  const httpStatus = async (token: string): Promise<number> => {
    const client = new OpenAI({ baseURL: `${cluster.router.url}/v1`, apiKey: token, maxRetries: 0 });
    try {
      await client.chat.completions.create({
        model: 'demo',
        messages: [{ role: 'user', content: 'hi' }],
        max_tokens: 1,
      });
      return 200;
    } catch (err) {
      return (err as { status?: number }).status ?? -1;
    }
  };
  /** 0 (OK) or the gRPC status code. */
  const grpcCode = (token: string): Promise<number> =>
    new Promise((resolve) => {
      const md = new Metadata();
      md.set('authorization', `Bearer ${token}`);
      grpc.Predict({ model: 'demo', messages: [{ role: 'user', content: 'hi' }], max_tokens: 1 }, md, (err) =>
        resolve(err ? err.code : 0),
      );
    });
  const UNAUTHENTICATED = 16;
  const serverStatus = async (token: string) =>
    (await server.call('GET', '/api/v2/auth/whoami', { token })).status;

  /** Refused everywhere within 5 s. */
  const refusedEverywhere = async (token: string, what: string) => {
    const started = Date.now();
    await waitFor(async () => (await serverStatus(token)) === 401, {
      timeoutMs: 5_000,
      what: `${what}: server`,
    });
    await waitFor(async () => (await httpStatus(token)) === 401, {
      timeoutMs: 5_000,
      what: `${what}: router HTTP`,
    });
    await waitFor(async () => (await grpcCode(token)) === UNAUTHENTICATED, {
      timeoutMs: 5_000,
      what: `${what}: router gRPC`,
    });
    expect(Date.now() - started).toBeLessThan(5_000);
  };
  const acceptedEverywhere = async (token: string) => {
    expect(await serverStatus(token)).toBe(200);
    expect(await httpStatus(token)).toBe(200);
    expect(await grpcCode(token)).toBe(0);
  };

  const login = async (username: string, password = PASSWORD): Promise<string> =>
    (await server.json('POST', '/api/v2/auth/login', { body: { username, password } })).token as string;
  const createUser = async (username: string) => {
    await server.json('POST', '/api/v2/auth/users', {
      token: server.tokens.admin,
      body: { username, password: PASSWORD, role: 'operator' },
      status: 201,
    });
  };
  const userVersion = async (username: string) =>
    (await server.json('GET', `/api/v2/auth/users/${username}`, { token: server.tokens.admin }))
      .resource_version as number;

  it('refuses the API keys of a disabled user at the router (HTTP and gRPC) within 5 s, and again after re-enabling accepts them', async () => {
    await createUser('alice');
    const session = await login('alice');
    const created = await server.json('POST', '/api/v2/auth/api-keys', {
      token: session,
      body: { name: 'alice ci' },
      status: 201,
    });
    const key = created.key as string;
    await waitFor(async () => (await httpStatus(key)) === 200, { what: 'key known to the router' });
    await acceptedEverywhere(key);

    await server.json('PUT', '/api/v2/auth/users/alice', {
      token: server.tokens.admin,
      body: { disabled: true, resource_version: await userVersion('alice') },
    });
    await refusedEverywhere(key, 'key of a disabled user');
    await refusedEverywhere(session, 'session of a disabled user');

    await server.json('PUT', '/api/v2/auth/users/alice', {
      token: server.tokens.admin,
      body: { disabled: false, resource_version: await userVersion('alice') },
    });
    await waitFor(async () => (await httpStatus(key)) === 200, { timeoutMs: 5_000, what: 're-enabled key' });
    await acceptedEverywhere(key);
    // The disable ended the sessions for good: re-enabling does not bring them back.
    expect(await serverStatus(session)).toBe(401);
    expect(await httpStatus(session)).toBe(401);
  });

  it('refuses the keys of a deleted user, even one whose key record was left unrevoked', async () => {
    await createUser('bob');
    const session = await login('bob');
    const key = (
      await server.json('POST', '/api/v2/auth/api-keys', { token: session, body: { name: 'b' }, status: 201 })
    ).key as string;
    await waitFor(async () => (await httpStatus(key)) === 200, { what: 'key known to the router' });
    // Straight in the store (as a restore or another tool could): the user goes, the key record stays.
    await cluster.store.delete(keys.user('bob'));
    await refusedEverywhere(key, 'key of a deleted user');
  });

  it('refuses a revoked key and an expired key everywhere (expiry checked per request)', async () => {
    const created = await server.json('POST', '/api/v2/auth/api-keys', {
      token: server.tokens.admin,
      body: { name: 'to revoke', role: 'viewer' },
      status: 201,
    });
    await waitFor(async () => (await httpStatus(created.key as string)) === 200, { what: 'key known' });
    await acceptedEverywhere(created.key as string);
    await server.json('DELETE', `/api/v2/auth/api-keys/${created.id as string}`, {
      token: server.tokens.admin,
    });
    await refusedEverywhere(created.key as string, 'revoked key');

    // A key that expires in 1.5 s: nothing is written when it expires, every check compares the time.
    const k = generateApiKey({ name: 'short', role: 'viewer', owner: 'admin', nowMs: Date.now() });
    const record = { ...k.record, expires_at: new Date(Date.now() + 1500).toISOString() };
    await putJson(cluster.store, keys.apiKey(record.id), ApiKey, record);
    await waitFor(async () => (await httpStatus(k.key)) === 200, {
      timeoutMs: 1000,
      what: 'short key known',
    });
    await waitFor(() => Date.now() > Date.parse(record.expires_at), { what: 'expiry' });
    expect(await serverStatus(k.key)).toBe(401);
    expect(await httpStatus(k.key)).toBe(401);
    expect(await grpcCode(k.key)).toBe(UNAUTHENTICATED);
  });

  it('refuses an old session after a password change, at the server and the router', async () => {
    await createUser('carol');
    const old = await login('carol');
    await acceptedEverywhere(old);
    await server.json('POST', '/api/v2/auth/password', {
      token: old,
      body: { current_password: PASSWORD, new_password: 'a-brand-new-password' },
    });
    await refusedEverywhere(old, 'session from before the password change');
    const fresh = await login('carol', 'a-brand-new-password');
    await waitFor(async () => (await httpStatus(fresh)) === 200, { timeoutMs: 5_000, what: 'new session' });
    await acceptedEverywhere(fresh);

    // An admin resetting the password ends the sessions too.
    await server.json('PUT', '/api/v2/auth/users/carol', {
      token: server.tokens.admin,
      body: { password: 'reset-by-the-admin', resource_version: await userVersion('carol') },
    });
    await refusedEverywhere(fresh, 'session from before the admin reset');
  });

  it('logout ends this session only; logout with all ends every session', async () => {
    await createUser('dave');
    const a = await login('dave');
    const b = await login('dave');
    await acceptedEverywhere(a);
    await server.json('POST', '/api/v2/auth/logout', { token: a });
    await refusedEverywhere(a, 'logged-out session');
    await acceptedEverywhere(b);
    const c = await login('dave');
    await server.json('POST', '/api/v2/auth/logout', { token: c, body: { all: true } });
    await refusedEverywhere(b, 'session ended by logout all');
    await refusedEverywhere(c, 'the session that logged out all');
    // An API key is not a session: only "all" applies to it.
    const res = await server.call('POST', '/api/v2/auth/logout', { token: server.tokens.viewer });
    expect(res.status).toBe(400);
    expect((await res.json()).error.code).toBe('NOT_A_SESSION');
  });

  it('a promotion ends the sessions opened under the lower role; a demotion applies to live sessions', async () => {
    await createUser('erin');
    const s = await login('erin');
    await server.json('PUT', '/api/v2/auth/users/erin', {
      token: server.tokens.admin,
      body: { role: 'viewer', resource_version: await userVersion('erin') },
    });
    expect((await server.json('GET', '/api/v2/auth/whoami', { token: s })).role).toBe('viewer');
    await server.json('PUT', '/api/v2/auth/users/erin', {
      token: server.tokens.admin,
      body: { role: 'admin', resource_version: await userVersion('erin') },
    });
    await refusedEverywhere(s, 'session opened before a promotion');
  });

  it('refuses a session whose lifetime is longer than the maximum, whatever it says', async () => {
    const secret = server.app.context.jwtSecret;
    const now = Date.now();
    const long = await signSession(
      secret,
      { username: 'admin', role: 'admin' },
      { nowMs: now, ttlSeconds: 30 * 86400 },
    );
    const ok = await signSession(
      secret,
      { username: 'admin', role: 'admin' },
      { nowMs: now, ttlSeconds: 3600 },
    );
    await acceptedEverywhere(ok.token);
    expect(await serverStatus(long.token)).toBe(401);
    expect(await httpStatus(long.token)).toBe(401);
    expect(await grpcCode(long.token)).toBe(UNAUTHENTICATED);
  });

  it('per-key rate limits set through the API are enforced by the router (429 + Retry-After) and updates apply within 5 s', async () => {
    const created = await server.json('POST', '/api/v2/auth/api-keys', {
      token: server.tokens.admin,
      body: { name: 'limited', role: 'viewer', rate_limit: '6/min:burst=2' },
      status: 201,
    });
    expect(created.rate_limit).toEqual({ rps: 0.1, burst: 2 });
    const key = created.key as string;
    const client = new OpenAI({ baseURL: `${cluster.router.url}/v1`, apiKey: key, maxRetries: 0 });
    const ask = () =>
      client.chat.completions
        .create({ model: 'demo', messages: [{ role: 'user', content: 'hi' }], max_tokens: 1 })
        .then(() => 200)
        .catch((e: unknown) => e);
    await waitFor(async () => (await httpStatus(key)) === 200, { what: 'limited key known to the router' });
    // The bucket held 2; one went to the wait above. Drain it, then the router answers 429 + Retry-After.
    let limited: unknown;
    for (let i = 0; i < 3 && !(limited instanceof OpenAI.RateLimitError); i++) limited = await ask();
    expect(limited).toBeInstanceOf(OpenAI.RateLimitError);
    const retryAfter = Number(
      (limited as InstanceType<typeof OpenAI.RateLimitError>).headers?.get('retry-after'),
    );
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(10);

    // Non-admins cannot set or lift limits; nonsense is refused and changes nothing.
    const own = await server.json('POST', '/api/v2/auth/api-keys', {
      token: server.tokens.operator,
      body: { name: 'mine' },
      status: 201,
    });
    for (const [method, path, body] of [
      ['POST', '/api/v2/auth/api-keys', { name: 'x', rate_limit: '1000/s' }],
      ['PATCH', `/api/v2/auth/api-keys/${own.id as string}`, { rate_limit: '1000/s' }],
    ] as const) {
      const res = await server.call(method, path, { token: server.tokens.operator, body });
      expect(res.status).toBe(403);
    }
    for (const bad of ['fast', '0/s', { rps: -1 }, { rps: 1, extra: true }]) {
      const res = await server.call('PATCH', `/api/v2/auth/api-keys/${created.id as string}`, {
        token: server.tokens.admin,
        body: { rate_limit: bad },
      });
      expect(res.status, JSON.stringify(bad)).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
    }
    expect(await ask()).toBeInstanceOf(OpenAI.RateLimitError);

    // Lifted by an admin: the router follows within 5 s.
    const updated = await server.json('PATCH', `/api/v2/auth/api-keys/${created.id as string}`, {
      token: server.tokens.admin,
      body: { rate_limit: { rps: 100, burst: 100 } },
    });
    expect(updated.rate_limit).toEqual({ rps: 100, burst: 100 });
    const t0 = Date.now();
    await waitFor(async () => (await ask()) === 200, {
      timeoutMs: 5_000,
      intervalMs: 50,
      what: 'raised limit applied',
    });
    expect(Date.now() - t0).toBeLessThan(5_000);
    for (let i = 0; i < 5; i++) expect(await ask()).toBe(200);
    // And tightened again.
    await server.json('PATCH', `/api/v2/auth/api-keys/${created.id as string}`, {
      token: server.tokens.admin,
      body: { rate_limit: '1/h:burst=1' },
    });
    await waitFor(async () => (await ask()) instanceof OpenAI.RateLimitError, {
      timeoutMs: 5_000,
      intervalMs: 50,
      what: 'tightened limit applied',
    });
    const listed = await server.json('GET', '/api/v2/auth/api-keys', { token: server.tokens.admin });
    expect(listed.items.find((k: { id: string }) => k.id === created.id).rate_limit).toEqual({
      rps: 1 / 3600,
      burst: 1,
    });
  });
});
