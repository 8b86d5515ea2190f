import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import OpenAI from 'openai';
import { credentials, Metadata, type Client, type ServiceError } from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/logger.js';
import { loadAiService, startRouter, upstreamFromEnv, type RouterHandle } from '../../src/router/index.js';
import { tempDir } from '../helpers/tmp.js';
import { metricValue } from './harness.js';
import { okJson, startFakeUpstream } from './fake-upstream.js';

const KEY = 'static-token-0123456789';
type Fake = Awaited<ReturnType<typeof startFakeUpstream>>;

describe('router: static upstreams and what goes over the wire', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const c of cleanups.reverse()) await c();
    cleanups.length = 0;
  });

  async function fake(reply: Parameters<typeof startFakeUpstream>[0]): Promise<Fake> {
    const f = await startFakeUpstream(reply);
    cleanups.push(() => f.stop());
    return f;
  }
  async function router(opts: Parameters<typeof startRouter>[0]): Promise<RouterHandle> {
    const r = await startRouter(
      {
        host: '127.0.0.1',
        port: 0,
        grpcPort: null,
        tokens: [{ token: KEY, name: 't' }],
        scrapeIntervalMs: 0,
        ...opts,
      },
      { logger: silentLogger() },
    );
    cleanups.push(() => r.stop());
    return r;
  }
  const post = (
    r: RouterHandle,
    body: string,
    headers: Record<string, string> = {},
    path = '/v1/chat/completions',
  ) =>
    fetch(`${r.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json', ...headers },
      body,
    });

  it('forwards the original bytes with request id and a traceparent, never the client key', async () => {
    const up = await fake((res) =>
      okJson(res, { id: 'x', choices: [], usage: { prompt_tokens: 3, completion_tokens: 2 } }),
    );
    const r = await router({ staticUpstreams: upstreamFromEnv(up.url, 'm1') });
    const raw = '{ "model" : "m1",\n  "messages": [{"role":"user","content":"h\\u00e9"}], "zz": 1.50 }';
    const res = await post(r, raw, { 'x-request-id': 'rid-1' });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBe('rid-1');
    await res.json();
    const seen = up.seen[0]!;
    expect(seen.path).toBe('/v1/chat/completions');
    expect(seen.body.toString()).toBe(raw);
    expect(seen.headers['x-request-id']).toBe('rid-1');
    expect(seen.headers['traceparent']).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
    expect(seen.headers['authorization']).toBeUndefined();
    expect(seen.headers['accept-encoding']).toBeUndefined();
    expect(await metricValue(r, 'nebula_router_prompt_tokens_total', { model: 'm1' })).toBe(3);

    const parent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const res2 = await post(r, raw, { traceparent: parent });
    expect(res2.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    await res2.text();
    const tp = up.seen[1]!.headers['traceparent'] as string;
    expect(tp.startsWith('00-0af7651916cd43dd8448eb211c80319c-')).toBe(true);
    expect(tp).not.toBe(parent);
  });

  it('routes every model to NEBULA_UPSTREAM_URL when no model is named (lite mode)', async () => {
    const up = await fake((res) => okJson(res, { ok: true }));
    const r = await router({ staticUpstreams: upstreamFromEnv(up.url, undefined) });
    expect((await post(r, '{"model":"anything"}')).status).toBe(200);
    expect((await post(r, '{"model":"other"}')).status).toBe(200);
    const list = (await (
      await fetch(`${r.url}/v1/models`, { headers: { authorization: `Bearer ${KEY}` } })
    ).json()) as {
      data: unknown[];
    };
    expect(list.data).toEqual([]);
  });

  it('reads a YAML upstreams file with served names and upstream keys, and reloads it', async () => {
    const up = await fake((res) => okJson(res, { ok: true }));
    const dir = tempDir();
    cleanups.push(dir.cleanup);
    const file = join(dir.path, 'upstreams.yaml');
    writeFileSync(
      file,
      `alias:\n  urls: ["${up.url}/base"]\n  served_model_name: real-name\n  api_key: up-secret\n`,
    );
    const r = await router({ staticUpstreamsFile: file });
    expect((await post(r, '{"model":"alias","x":[1, 2]}')).status).toBe(200);
    const seen = up.seen[0]!;
    expect(seen.path).toBe('/base/v1/chat/completions');
    expect(JSON.parse(seen.body.toString())).toEqual({ model: 'real-name', x: [1, 2] });
    expect(seen.headers['authorization']).toBe('Bearer up-secret');

    writeFileSync(file, `renamed: ["${up.url}"]\n`);
    r.reload();
    expect((await post(r, '{"model":"alias"}')).status).toBe(404);
    expect((await post(r, '{"model":"renamed"}')).status).toBe(200);
  });

  it('retries a 5xx before the first byte on another upstream; mid-stream errors just end the stream', async () => {
    const bad = await fake((res) => {
      res.writeHead(503, { 'content-type': 'application/json' });
      res.end('{"error":"busy"}');
    });
    const streaming = await fake((res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: {"choices":[{"delta":{"content":"par"}}]}\n\n');
      setTimeout(() => res.destroy(), 50);
    });
    const r = await router({
      staticUpstreams: [...upstreamFromEnv(`${bad.url},${streaming.url}`, 'm')],
      policy: 'round-robin',
    });
    const res = await post(r, '{"model":"m","stream":true}');
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain('"par"');
    expect(text).not.toContain('[DONE]');
    expect(bad.seen).toHaveLength(1);
    expect(await metricValue(r, 'nebula_router_retries_total')).toBe(1);
    expect(await metricValue(r, 'nebula_router_upstream_errors_total', { kind: 'reset' })).toBe(1);
  });

  it('takes a 429 to another upstream, and passes it through from the last one', async () => {
    const busy = await fake((res) => {
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '7' });
      res.end('{"error":{"message":"slow down","type":"rate_limit","param":null,"code":"busy"}}');
    });
    const r = await router({ staticUpstreams: upstreamFromEnv(busy.url, 'm') });
    const client = new OpenAI({ baseURL: `${r.url}/v1`, apiKey: KEY, maxRetries: 0 });
    const err = await client.chat.completions.create({ model: 'm', messages: [] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.RateLimitError);
    expect((err as InstanceType<typeof OpenAI.RateLimitError>).headers?.get('retry-after')).toBe('7');
  });

  it('answers 413 for bodies over the limit, and 502 when no upstream answers', async () => {
    const up = await fake((res) => okJson(res, {}));
    const r = await router({ staticUpstreams: upstreamFromEnv(up.url, 'm'), maxBodyBytes: 1024 });
    const big = await post(r, JSON.stringify({ model: 'm', pad: 'x'.repeat(2000) }));
    expect(big.status).toBe(413);
    expect(((await big.json()) as { error: { code: string } }).error.code).toBe('request_too_large');
    expect(up.seen).toHaveLength(0);
    await up.stop();
    const r2 = await router({ staticUpstreams: upstreamFromEnv(up.url, 'm') });
    const dead = await post(r2, '{"model":"m"}');
    expect(dead.status).toBe(502);
    expect(((await dead.json()) as { error: { code: string } }).error.code).toBe('upstream_unavailable');
  });

  it('works without auth when asked (--no-auth) and denies by default otherwise', async () => {
    const up = await fake((res) => okJson(res, {}));
    const open = await router({
      staticUpstreams: upstreamFromEnv(up.url, 'm'),
      noAuth: true,
      tokens: undefined,
    });
    expect(
      (await fetch(`${open.url}/v1/chat/completions`, { method: 'POST', body: '{"model":"m"}' })).status,
    ).toBe(200);
    const closed = await router({ staticUpstreams: upstreamFromEnv(up.url, 'm'), tokens: undefined });
    expect(
      (await fetch(`${closed.url}/v1/chat/completions`, { method: 'POST', body: '{"model":"m"}' })).status,
    ).toBe(401);
  });

  it('prepares gRPC calls as HTTP ones: request id, the continued trace and tracestate go upstream', async () => {
    const up = await fake((res) =>
      okJson(res, { id: 'x', choices: [{ index: 0, text: 'ok', finish_reason: 'stop' }] }),
    );
    const r = await router({ staticUpstreams: upstreamFromEnv(up.url, 'm1'), grpcPort: 0 });
    const { pkg } = loadAiService();
    type Predict = Client & {
      Predict(req: object, md: Metadata, cb: (err: ServiceError | null) => void): void;
    };
    const Ctor = (
      pkg as unknown as { nebula: { ai: { v1: { AIService: new (a: string, c: unknown) => Predict } } } }
    ).nebula.ai.v1.AIService;
    const client = new Ctor(`127.0.0.1:${r.grpcPort}`, credentials.createInsecure());
    cleanups.push(() => client.close());
    const trace = '0af7651916cd43dd8448eb211c80319c';
    const md = new Metadata();
    md.set('authorization', `Bearer ${KEY}`);
    md.set('traceparent', `00-${trace}-b7ad6b7169203331-01`);
    md.set('tracestate', 'vendor=1');
    await new Promise<void>((resolve, reject) =>
      client.Predict({ model: 'm1', prompt: 'hi', request_id: 'grpc-rid' }, md, (err) =>
        err ? reject(err) : resolve(),
      ),
    );
    expect(up.seen).toHaveLength(1);
    const h = up.seen[0]?.headers ?? {};
    expect(h['x-request-id']).toBe('grpc-rid');
    expect(h['traceparent']).toMatch(new RegExp(`^00-${trace}-[0-9a-f]{16}-01$`));
    expect(h['tracestate']).toBe('vendor=1');
  });
});
