import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiKey, User } from '../../src/core/domain/auth.js';
import { sha256Hex } from '../../src/core/ids.js';
import { keys } from '../../src/core/keys.js';
import { putJson } from '../../src/store/json.js';
import { waitFor } from '../helpers/wait-for.js';
import { metricValue, putEndpoint, putSpec, startCluster, type Cluster } from './harness.js';

const LIMITED = 'limited-token-0123456789';
const STORE_SECRET = 'nbk_store-secret-abcdef012345';

function apiKey(extra: Partial<ApiKey> = {}): ApiKey {
  return {
    id: 'key00001',
    name: 'ci',
    prefix: 'nbk_stor',
    key_hash: sha256Hex(STORE_SECRET),
    role: 'viewer',
    owner: 'admin',
    created_at: new Date().toISOString(),
    expires_at: null,
    revoked_at: null,
    ...extra,
  };
}

describe('router: keys, rate limits and readiness', () => {
  let c: Cluster;
  const clientWith = (key: string) =>
    new OpenAI({ baseURL: `${c.router.url}/v1`, apiKey: key, maxRetries: 0 });
  const ask = (client: OpenAI, model = 'demo') =>
    client.chat.completions.create({ model, messages: [{ role: 'user', content: 'hi' }], max_tokens: 1 });
  /** The router's refusal of a request as 401 with this message, or undefined while it answers otherwise. */
  const refusedAs = async (client: OpenAI, message: string) => {
    const r = await ask(client).catch((e: unknown) => e);
    return r instanceof OpenAI.AuthenticationError && r.message.includes(message) ? r : undefined;
  };
  /** The status the router answers for `model` right now (200 when it serves it). */
  const statusOf = async (model: string) => {
    const r = await ask(c.client, model).catch((e: unknown) => e);
    return r instanceof OpenAI.APIError ? r.status : 200;
  };

  beforeAll(async () => {
    c = await startCluster({
      replicas: 1,
      router: {
        host: '127.0.0.1',
        port: 0,
        grpcPort: null,
        tokens: [
          { token: 'test-token-0123456789', name: 'test' },
          { token: LIMITED, name: 'limited', rate_limit: { rps: 0.5, burst: 2 } },
        ],
      },
    });
    // The keys' owner: a key is only as good as the account behind it.
    await putJson(c.store, keys.user('admin'), User, {
      username: 'admin',
      password_hash: 'scrypt$unused',
      role: 'admin',
      disabled: false,
      created_at: new Date().toISOString(),
      updated_at: new Date().toISOString(),
    });
  });
  afterAll(async () => {
    await c?.close();
  });

  it('limits a key to its token bucket with 429 + Retry-After (RateLimitError)', async () => {
    const limited = clientWith(LIMITED);
    await ask(limited);
    await ask(limited);
    const err = await ask(limited).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    const rl = err as InstanceType<typeof OpenAI.RateLimitError>;
    expect(rl.code).toBe('rate_limit_exceeded');
    expect(Number(rl.headers?.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // Other keys are not affected.
    await ask(c.client);
    expect(await metricValue(c.router, 'nebula_router_rate_limited_total')).toBe(1);
  });

  it('accepts a store API key and stops within 5 s of its revocation', async () => {
    await putJson(c.store, keys.apiKey('key00001'), ApiKey, apiKey());
    const client = clientWith(STORE_SECRET);
    const ok = await ask(client).catch((e: unknown) => e);
    expect(ok).not.toBeInstanceOf(Error);
    const revokedAt = Date.now();
    await putJson(c.store, keys.apiKey('key00001'), ApiKey, apiKey({ revoked_at: new Date().toISOString() }));
    const refused = await waitFor(
      async () => (await ask(client).catch((e: unknown) => e)) instanceof OpenAI.AuthenticationError,
      { timeoutMs: 5000 - (Date.now() - revokedAt), intervalMs: 50, what: 'the revoked key to be refused' },
    ).catch(() => false);
    expect(refused).toBe(true);
    expect(
      await metricValue(c.router, 'nebula_router_auth_failures_total', { reason: 'revoked' }),
    ).toBeGreaterThan(0);
  });

  it('refuses expired and deleted store keys', async () => {
    await putJson(c.store, keys.apiKey('key00002'), ApiKey, {
      ...apiKey({ id: 'key00002', expires_at: new Date(Date.now() - 1000).toISOString() }),
      key_hash: sha256Hex('nbk_expired-key-000000'),
    });
    // An unknown key is refused too ("invalid API key"): wait until the router has read the record.
    await waitFor(() => refusedAs(clientWith('nbk_expired-key-000000'), 'expired'), {
      timeoutMs: 5000,
      intervalMs: 20,
      what: 'the router to refuse the key as expired',
    });
    expect(await ask(clientWith('nbk_expired-key-000000')).catch((e: unknown) => e)).toBeInstanceOf(
      OpenAI.AuthenticationError,
    );
    await c.store.delete(keys.apiKey('key00001'));
    // The key was revoked before: wait until it is refused as unknown, not still as revoked.
    await waitFor(() => refusedAs(clientWith(STORE_SECRET), 'invalid API key'), {
      timeoutMs: 5000,
      intervalMs: 20,
      what: 'the router to forget the deleted key',
    });
    expect(await ask(clientWith(STORE_SECRET)).catch((e: unknown) => e)).toBeInstanceOf(
      OpenAI.AuthenticationError,
    );
  });

  it('answers 503 + Retry-After for a known model without a ready replica, and follows endpoint changes', async () => {
    await putSpec(c.store, 'later');
    await putEndpoint(c.store, 'later', 0, c.sims[0]!.port, 'starting');
    // Until the router has read the spec, "later" is an unknown model (404).
    await waitFor(async () => (await statusOf('later')) === 503, {
      timeoutMs: 5000,
      intervalMs: 20,
      what: 'the router to know the model "later"',
    });
    const err = await ask(c.client, 'later').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.InternalServerError);
    const e503 = err as InstanceType<typeof OpenAI.InternalServerError>;
    expect(e503.status).toBe(503);
    expect(e503.code).toBe('no_ready_replica');
    expect(Number(e503.headers?.get('retry-after'))).toBeGreaterThan(0);
    expect((await c.client.models.list()).data.map((m) => m.id)).toEqual(['demo']);

    // The node marks it ready (the sim serves "demo"; the router rewrites the model name it forwards).
    await putEndpoint(c.store, 'later', 0, c.sims[0]!.port, 'ready', 'demo');
    await waitFor(async () => (await statusOf('later')) === 200, {
      timeoutMs: 5000,
      intervalMs: 20,
      what: 'the router to route "later" to its ready replica',
    });
    const ok = await ask(c.client, 'later');
    expect(ok.choices).toHaveLength(1);
    expect((await c.client.models.list()).data.map((m) => m.id).sort()).toEqual(['demo', 'later']);

    await c.store.delete(`/endpoints/later/0`);
    await waitFor(async () => (await statusOf('later')) !== 200, {
      timeoutMs: 5000,
      intervalMs: 20,
      what: 'the router to drop the deleted endpoint',
    });
    const gone = await ask(c.client, 'later').catch((e: unknown) => e);
    expect((gone as { status?: number }).status).toBe(503);
  });
});
