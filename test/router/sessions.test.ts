/**
 * Login sessions at the router: the console playground chats with the user's own session, directly and
 * through the server's same-origin proxy. A disabled user or a forged token is refused.
 */
import OpenAI, { AuthenticationError } from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { User } from '../../src/core/domain/auth.js';
import { keys } from '../../src/core/keys.js';
import { decode, encode } from '../../src/store/json.js';
import { makeApp, PASSWORD, type TestApp } from '../server/helpers.js';
import { waitFor } from '../helpers/ports.js';
import { startCluster, type Cluster } from './harness.js';

describe('router: login sessions', () => {
  let cluster: Cluster;
  let server: TestApp;
  let session: string;

  beforeAll(async () => {
    cluster = await startCluster({ replicas: 1 });
    server = await makeApp({ routerUrl: cluster.router.url }, { store: cluster.store });
    const login = await server.json('POST', '/api/v2/auth/login', {
      body: { username: 'viewer', password: PASSWORD },
    });
    session = login.token as string;
  });
  afterAll(async () => {
    await server?.close();
    await cluster?.close();
  });

  it('accepts a session of an active user and refuses forged or foreign tokens', async () => {
    const client = new OpenAI({ baseURL: `${cluster.router.url}/v1`, apiKey: session, maxRetries: 0 });
    const r = await client.chat.completions.create({ model: 'demo', messages: [{ role: 'user', content: 'hi' }] });
    expect(r.choices[0]?.message.content).toBeTruthy();

    const [h, p] = session.split('.');
    const forged = `${h}.${p}.${'A'.repeat(43)}`;
    const bad = new OpenAI({ baseURL: `${cluster.router.url}/v1`, apiKey: forged, maxRetries: 0 });
    await expect(bad.chat.completions.create({ model: 'demo', messages: [{ role: 'user', content: 'x' }] })).rejects.toBeInstanceOf(
      AuthenticationError,
    );
  });

  it('streams through the server proxy with the caller’s session', async () => {
    const res = await server.call('POST', '/api/v2/openai/v1/chat/completions', {
      token: session,
      body: { model: 'demo', messages: [{ role: 'user', content: 'stream please' }], stream: true, max_tokens: 8 },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    const text = await res.text();
    expect(text).toContain('data: [DONE]');
    expect(text.match(/^data: \{/gm)?.length ?? 0).toBeGreaterThan(1);

    const unknown = await server.call('POST', '/api/v2/openai/v1/chat/completions', {
      token: session,
      body: { model: 'no-such-model', messages: [{ role: 'user', content: 'x' }] },
    });
    expect(unknown.status).toBe(404);
    expect((await unknown.json()).error.code).toBe('model_not_found');
    const noToken = await server.call('POST', '/api/v2/openai/v1/chat/completions', {
      body: { model: 'demo', messages: [] },
    });
    expect(noToken.status).toBe(401);
  });

  it('streams through the server proxy with the console’s session cookie (and its CSRF header)', async () => {
    const login = await server.call('POST', '/api/v2/auth/login', {
      body: { username: 'operator', password: PASSWORD },
    });
    const jar = new Map(
      login.headers.getSetCookie().map((l) => {
        const pair = l.split(';')[0] ?? '';
        return [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)] as const;
      }),
    );
    const cookie = `nebula_session=${jar.get('nebula_session')}; nebula_csrf=${jar.get('nebula_csrf')}`;
    const body = { model: 'demo', messages: [{ role: 'user', content: 'via cookie' }], stream: true, max_tokens: 4 };
    const res = await server.call('POST', '/api/v2/openai/v1/chat/completions', {
      headers: { cookie, 'x-nebula-csrf': jar.get('nebula_csrf') ?? '' },
      body,
    });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('data: [DONE]');
    const models = await server.call('GET', '/api/v2/openai/v1/models', { headers: { cookie } });
    expect(models.status).toBe(200);
    const noCsrf = await server.call('POST', '/api/v2/openai/v1/chat/completions', { headers: { cookie }, body });
    expect(noCsrf.status).toBe(403);
  });

  it('stops accepting the session of a disabled user', async () => {
    const kv = await cluster.store.get(keys.user('viewer'));
    const user = decode(User, kv!).value;
    await cluster.store.put(keys.user('viewer'), encode(User, { ...user, disabled: true }));
    const client = new OpenAI({ baseURL: `${cluster.router.url}/v1`, apiKey: session, maxRetries: 0 });
    await waitFor(
      async () => {
        try {
          await client.models.list();
          return false;
        } catch (err) {
          return err instanceof AuthenticationError;
        }
      },
      { timeoutMs: 5_000, what: 'disabled user refused' },
    );
  });
});
