import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { metricValue, startCluster, TOKEN, type Cluster } from './harness.js';

describe('router: OpenAI API through the SDK', () => {
  let c: Cluster;
  beforeAll(async () => {
    c = await startCluster({ replicas: 2, sim: { itlMs: 20 } });
  });
  afterAll(async () => {
    await c?.close();
  });

  it('answers a chat completion with usage and echoes the request id', async () => {
    const { data, response } = await c.client.chat.completions
      .create(
        { model: 'demo', messages: [{ role: 'user', content: 'hello there' }], max_tokens: 4 },
        { headers: { 'x-request-id': 'req-abc' } },
      )
      .withResponse();
    expect(response.headers.get('x-request-id')).toBe('req-abc');
    expect(data.object).toBe('chat.completion');
    expect(data.choices[0]?.message.content?.length).toBeGreaterThan(0);
    expect(data.usage?.completion_tokens).toBe(4);
    expect(
      await metricValue(c.router, 'nebula_router_completion_tokens_total', { model: 'demo' }),
    ).toBeGreaterThanOrEqual(4);
  });

  it('streams a chat completion chunk by chunk', async () => {
    const started = Date.now();
    const stream = await c.client.chat.completions.create({
      model: 'demo',
      messages: [{ role: 'user', content: 'one two three four five six' }],
      max_tokens: 8,
      stream: true,
      stream_options: { include_usage: true },
    });
    const arrivals: number[] = [];
    let text = '';
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      arrivals.push(Date.now() - started);
      text += chunk.choices[0]?.delta.content ?? '';
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text.length).toBeGreaterThan(0);
    expect(usage?.completion_tokens).toBe(8);
    // 8 tokens 20 ms apart: the first chunk must arrive well before the last (nothing buffered).
    expect(arrivals.length).toBeGreaterThanOrEqual(8);
    expect(arrivals[arrivals.length - 1]! - arrivals[0]!).toBeGreaterThan(100);
    expect(
      await metricValue(c.router, 'nebula_router_time_to_first_token_seconds_count', { model: 'demo' }),
    ).toBeGreaterThan(0);
  });

  it('serves completions, streamed and not', async () => {
    const done = await c.client.completions.create({ model: 'demo', prompt: 'say something', max_tokens: 3 });
    expect(done.choices[0]?.text.length).toBeGreaterThan(0);
    const stream = await c.client.completions.create({
      model: 'demo',
      prompt: 'say more',
      max_tokens: 3,
      stream: true,
    });
    let n = 0;
    for await (const chunk of stream) n += chunk.choices.length;
    expect(n).toBeGreaterThanOrEqual(3);
  });

  it('serves embeddings', async () => {
    const res = await c.client.embeddings.create({ model: 'demo', input: ['a', 'b'] });
    expect(res.data).toHaveLength(2);
    expect(res.data[0]?.embedding.length).toBeGreaterThan(0);
  });

  it('lists models with a ready replica, once each, owned by nebula', async () => {
    const page = await c.client.models.list();
    expect(page.data.map((m) => m.id)).toEqual(['demo']);
    expect(page.data[0]?.owned_by).toBe('nebula');
    const one = await c.client.models.retrieve('demo');
    expect(one.id).toBe('demo');
  });

  it('refuses a bad key with AuthenticationError (401)', async () => {
    const bad = new OpenAI({ baseURL: `${c.router.url}/v1`, apiKey: 'wrong-key-000000', maxRetries: 0 });
    const err = await bad.chat.completions
      .create({ model: 'demo', messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.AuthenticationError);
    expect((err as InstanceType<typeof OpenAI.AuthenticationError>).code).toBe('invalid_api_key');
    const res = await fetch(`${c.router.url}/v1/models`);
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({
      error: {
        message: expect.any(String),
        type: 'authentication_error',
        param: null,
        code: 'invalid_api_key',
      },
    });
    expect(await metricValue(c.router, 'nebula_router_auth_failures_total')).toBeGreaterThanOrEqual(2);
  });

  it('answers an unknown model with NotFoundError (404, model_not_found)', async () => {
    const err = await c.client.chat.completions
      .create({ model: 'nope', messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.NotFoundError);
    expect((err as InstanceType<typeof OpenAI.NotFoundError>).code).toBe('model_not_found');
  });

  it('rejects invalid JSON (400), bodies over the limit (413) and wrong methods (405)', async () => {
    const post = (body: string) =>
      fetch(`${c.router.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body,
      });
    const bad = await post('{"model":');
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string } }).error.code).toBe('invalid_json');
    const noModel = await post('{"messages":[]}');
    expect(noModel.status).toBe(400);
    const get = await fetch(`${c.router.url}/v1/chat/completions`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(get.status).toBe(405);
    const unknown = await fetch(`${c.router.url}/v1/nothing`);
    expect(unknown.status).toBe(404);
  });

  it('reports health and metrics', async () => {
    const h = (await (await fetch(`${c.router.url}/healthz`)).json()) as Record<string, unknown>;
    expect(h).toMatchObject({ status: 'ok', ready_replicas: 2, models: 1, store: 'ok' });
    const text = await (await fetch(`${c.router.url}/metrics`)).text();
    for (const name of [
      'nebula_router_requests_total',
      'nebula_router_request_duration_seconds',
      'nebula_router_time_to_first_token_seconds',
      'nebula_router_prompt_tokens_total',
      'nebula_router_completion_tokens_total',
      'nebula_router_active_streams',
      'nebula_router_ready_replicas',
      'nebula_router_retries_total',
      'nebula_router_rate_limited_total',
      'nebula_router_auth_failures_total',
    ]) {
      expect(text).toContain(name);
    }
    expect(text).toMatch(/nebula_router_ready_replicas\{model="demo"[^}]*\} 2/);
  });
});
