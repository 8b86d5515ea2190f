/* eslint-disable @typescript-eslint/no-explicit-any -- the tests poke at JSON bodies */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { startEngineSim, type EngineSimHandle } from './server.js';
import type { SimOptionsInput } from './options.js';
import { waitFor } from '../../test/helpers/wait-for.js';

const handles: EngineSimHandle[] = [];
afterEach(async () => {
  await Promise.all(handles.splice(0).map((h) => h.stop()));
});

async function sim(opts: Partial<SimOptionsInput> = {}, deps: Parameters<typeof startEngineSim>[1] = {}) {
  const h = await startEngineSim(
    { model: 'org/demo', port: 0, ttftMs: 0, itlMs: 0, shutdownGraceMs: 200, ...opts },
    deps,
  );
  handles.push(h);
  return h;
}

function post(h: EngineSimHandle, path: string, body: unknown, init: RequestInit = {}) {
  return fetch(`${h.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(init.headers as Record<string, string> | undefined) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    ...(init.signal ? { signal: init.signal } : {}),
  });
}

/** The JSON payloads of an SSE body, with "[DONE]" kept as a string. */
function events(text: string): unknown[] {
  expect(text.endsWith('\n\n')).toBe(true);
  return text
    .split('\n\n')
    .filter((e) => e !== '')
    .map((e) => {
      expect(e.startsWith('data: ')).toBe(true);
      const data = e.slice(6);
      return data === '[DONE]' ? data : JSON.parse(data);
    });
}

async function metricValue(h: EngineSimHandle, name: string, labels = ''): Promise<number> {
  const text = await (await fetch(`${h.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(labels));
  if (!line) throw new Error(`metric ${name} ${labels} not found`);
  return Number(line.slice(line.lastIndexOf(' ') + 1));
}

const chat = (content: string, extra: Record<string, unknown> = {}) => ({
  model: 'org/demo',
  messages: [{ role: 'user', content }],
  ...extra,
});

describe('engine-sim: chat and completions', () => {
  it('answers a non-streaming chat completion in OpenAI shape with usage', async () => {
    const h = await sim();
    const res = await post(h, '/v1/chat/completions', chat('hello there world'), {
      headers: { 'x-request-id': 'abc-1' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-request-id')).toBe('abc-1');
    const body = (await res.json()) as any;
    expect(body).toMatchObject({
      id: 'chatcmpl-abc-1',
      object: 'chat.completion',
      model: 'org/demo',
      choices: [
        { index: 0, message: { role: 'assistant', content: 'hello there world' }, finish_reason: 'stop' },
      ],
    });
    expect(body.usage.completion_tokens).toBe(3);
    expect(body.usage.prompt_tokens).toBeGreaterThan(3);
    expect(body.usage.total_tokens).toBe(body.usage.prompt_tokens + 3);
    expect(typeof body.created).toBe('number');
  });

  it('streams chat chunks in vLLM format and ends with [DONE]', async () => {
    const h = await sim({ itlMs: 1 });
    const res = await post(h, '/v1/chat/completions', chat('one two three four', { stream: true }));
    expect(res.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
    const ev = events(await res.text()) as any[];
    expect(ev.at(-1)).toBe('[DONE]');
    const chunks = ev.slice(0, -1);
    expect(chunks[0].choices[0].delta).toEqual({ role: 'assistant', content: '' });
    for (const c of chunks) {
      expect(c.object).toBe('chat.completion.chunk');
      expect(c.id).toBe(chunks[0].id);
      expect(c.usage).toBeUndefined();
    }
    expect(chunks.map((c) => c.choices[0].delta.content).join('')).toBe('one two three four');
    expect(chunks.at(-1).choices[0].finish_reason).toBe('stop');
    expect(chunks.slice(0, -1).every((c) => c.choices[0].finish_reason === null)).toBe(true);
  });

  it('adds a final usage chunk with stream_options.include_usage and honours max_tokens', async () => {
    const h = await sim();
    const res = await post(
      h,
      '/v1/chat/completions',
      chat('a b c d e f', {
        stream: true,
        max_completion_tokens: 2,
        stream_options: { include_usage: true },
      }),
    );
    const ev = events(await res.text()) as any[];
    const last = ev.at(-2);
    expect(last.choices).toEqual([]);
    expect(last.usage.completion_tokens).toBe(2);
    expect(ev.at(-3).choices[0].finish_reason).toBe('length');
  });

  it('serves /v1/completions streaming and not, with stop strings and token-id prompts', async () => {
    const h = await sim();
    const plain = (await (
      await post(h, '/v1/completions', { prompt: 'alpha beta gamma', stop: ' gamma' })
    ).json()) as any;
    expect(plain).toMatchObject({
      object: 'text_completion',
      choices: [{ text: 'alpha beta', finish_reason: 'stop', index: 0 }],
      usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
    });
    expect(plain.id).toMatch(/^cmpl-/);
    const streamed = events(
      await (await post(h, '/v1/completions', { prompt: 'x y', stream: true })).text(),
    ) as any[];
    expect(
      streamed
        .slice(0, -1)
        .map((c) => c.choices[0].text)
        .join(''),
    ).toBe('x y');
    expect(streamed.at(-2).object).toBe('text_completion');
    const ids = (await (
      await post(h, '/v1/completions', { prompt: [1, 2, 3], max_tokens: 4 })
    ).json()) as any;
    expect(ids.usage.prompt_tokens).toBe(3);
  });

  it('generates exactly max_tokens words in random mode, deterministically', async () => {
    const h = await sim({ mode: 'random' });
    const a = (await (await post(h, '/v1/completions', { prompt: 'p', max_tokens: 9 })).json()) as any;
    const b = (await (await post(h, '/v1/completions', { prompt: 'p', max_tokens: 9 })).json()) as any;
    expect(a.usage.completion_tokens).toBe(9);
    expect(a.choices[0].finish_reason).toBe('length');
    expect(a.choices[0].text).toBe(b.choices[0].text);
  });
});

describe('engine-sim: errors', () => {
  it('answers bad input with OpenAI-shaped errors and vLLM status codes', async () => {
    const h = await sim({ maxModelLen: 32 });
    const cases: [unknown, number, RegExp][] = [
      ['{not json', 400, /not valid JSON/],
      [{ model: 'org/demo' }, 400, /messages/],
      [chat('x', { n: 2 }), 400, /n=1/],
      [chat('x', { model: 'other' }), 404, /does not exist/],
      [chat('x', { stream_options: { include_usage: true } }), 400, /stream=True/],
      [chat('x', { max_tokens: 100 }), 400, /too large/],
      [chat('word '.repeat(40)), 400, /maximum context length/],
      [chat('x', { temperature: -1 }), 400, /temperature/],
    ];
    for (const [body, status, message] of cases) {
      const res = await post(h, '/v1/chat/completions', body);
      expect(res.status).toBe(status);
      const err = ((await res.json()) as any).error;
      expect(err.message).toMatch(message);
      expect(err.code).toBe(status);
      expect(typeof err.type).toBe('string');
      expect(err).toHaveProperty('param');
    }
    expect((await fetch(`${h.url}/v1/nope`)).status).toBe(404);
    expect((await fetch(`${h.url}/v1/chat/completions`, { method: 'PUT' })).status).toBe(405);
  });

  it('fails every request with 500 at fail-rate 1, before any byte of a stream', async () => {
    const h = await sim({ failRate: 1 });
    expect((await post(h, '/v1/embeddings', { input: 'x' })).status).toBe(500);
    const res = await post(h, '/v1/chat/completions', chat('x', { stream: true }));
    expect(res.status).toBe(500);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(((await res.json()) as any).error.type).toBe('InternalServerError');
    const half = await sim(
      { failRate: 0.5 },
      {
        random: (() => {
          let i = 0;
          return () => (i++ % 2 === 0 ? 0.1 : 0.9);
        })(),
      },
    );
    expect((await post(half, '/v1/completions', { prompt: 'x' })).status).toBe(500);
    expect((await post(half, '/v1/completions', { prompt: 'x' })).status).toBe(200);
  });
});

describe('engine-sim: pooling endpoints and metadata', () => {
  it('returns deterministic unit embeddings, as floats or base64, with dimensions', async () => {
    const h = await sim({ embeddingDim: 16 });
    const one = (await (
      await post(h, '/v1/embeddings', { input: ['cat', 'dog', 'cat'], encoding_format: 'float' })
    ).json()) as any;
    expect(one.object).toBe('list');
    expect(one.data).toHaveLength(3);
    expect(one.data[0]).toMatchObject({ object: 'embedding', index: 0 });
    expect(one.data[0].embedding).toHaveLength(16);
    expect(one.data[0].embedding).toEqual(one.data[2].embedding);
    expect(one.data[0].embedding).not.toEqual(one.data[1].embedding);
    const norm = Math.hypot(...(one.data[1].embedding as number[]));
    expect(norm).toBeCloseTo(1, 5);
    expect(one.usage).toMatchObject({ prompt_tokens: 3, total_tokens: 3 });
    const b64 = (await (
      await post(h, '/v1/embeddings', { input: 'cat', encoding_format: 'base64', dimensions: 8 })
    ).json()) as any;
    const f = new Float32Array(new Uint8Array(Buffer.from(b64.data[0].embedding as string, 'base64')).buffer);
    expect(f).toHaveLength(8);
    expect(Math.hypot(...f)).toBeCloseTo(1, 5);
  });

  it('reranks at /v1/rerank, /rerank and /v2/rerank', async () => {
    const h = await sim();
    const body = {
      model: 'org/demo',
      query: 'capital of France',
      documents: ['bananas', 'Paris is the capital of France', 'tea'],
      top_n: 2,
    };
    let first: any;
    for (const path of ['/v1/rerank', '/rerank', '/v2/rerank']) {
      const res = (await (await post(h, path, body)).json()) as any;
      expect(res.results).toHaveLength(2);
      expect(res.results[0]).toMatchObject({
        index: 1,
        document: { text: 'Paris is the capital of France' },
      });
      expect(res.results[0].relevance_score).toBeGreaterThan(res.results[1].relevance_score);
      expect(res.usage.total_tokens).toBeGreaterThan(0);
      first ??= res.results;
      expect(res.results).toEqual(first);
    }
  });

  it('lists the served model and reports /health after the startup delay', async () => {
    const h = await sim({ servedModelName: 'demo', startupMs: 1000, maxModelLen: 2048 });
    const t0 = Date.now();
    expect((await fetch(`${h.url}/health`)).status).toBe(503);
    expect((await post(h, '/v1/chat/completions', chat('x', { model: 'demo' }))).status).toBe(503);
    await waitFor(async () => (await fetch(`${h.url}/health`)).status === 200, {
      timeoutMs: 5000,
      intervalMs: 5,
    });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
    const models = (await (await fetch(`${h.url}/v1/models`)).json()) as any;
    expect(models).toMatchObject({
      object: 'list',
      data: [{ id: 'demo', object: 'model', owned_by: 'nebula-sim', root: 'org/demo', max_model_len: 2048 }],
    });
    expect((await post(h, '/v1/chat/completions', chat('x', { model: 'demo' }))).status).toBe(200);
  });

  it('exposes vLLM metrics with model_name labels, and counters move', async () => {
    const h = await sim();
    const text = await (await fetch(`${h.url}/metrics`)).text();
    for (const name of [
      'vllm:num_requests_running',
      'vllm:num_requests_waiting',
      'vllm:kv_cache_usage_perc',
      'vllm:gpu_cache_usage_perc',
      'vllm:prompt_tokens_total',
      'vllm:generation_tokens_total',
      'vllm:request_success_total',
      'vllm:prefix_cache_queries_total',
      'vllm:prefix_cache_hits_total',
    ]) {
      expect(text).toContain(`${name}{model_name="org/demo",engine="0"`);
    }
    expect(text).toContain('# TYPE vllm:time_to_first_token_seconds histogram');
    expect(text).toContain('# TYPE vllm:e2e_request_latency_seconds histogram');
    expect(text).toContain('# TYPE vllm:prompt_tokens_total counter');
    expect(text).toContain('# TYPE vllm:num_requests_running gauge');
    await post(h, '/v1/chat/completions', chat('one two three'));
    expect(await metricValue(h, 'vllm:generation_tokens_total')).toBe(3);
    expect(await metricValue(h, 'vllm:prompt_tokens_total')).toBeGreaterThan(3);
    expect(await metricValue(h, 'vllm:request_success_total', 'finished_reason="stop"')).toBe(1);
    expect(await metricValue(h, 'vllm:time_to_first_token_seconds_count')).toBe(1);
    expect(await metricValue(h, 'vllm:e2e_request_latency_seconds_count')).toBe(1);
    expect(await metricValue(h, 'vllm:prefix_cache_queries_total')).toBeGreaterThan(0);
  });
});

describe('engine-sim: scheduling, KV cache and prefix cache', () => {
  it('runs at most max-num-seqs requests, queues the rest, and answers 429 beyond max-waiting', async () => {
    const h = await sim({ maxNumSeqs: 2, maxWaiting: 2, ttftMs: 600 });
    let maxRunning = 0;
    let maxWaiting = 0;
    const probe = setInterval(() => {
      const s = h.snapshot();
      maxRunning = Math.max(maxRunning, s.running);
      maxWaiting = Math.max(maxWaiting, s.waiting);
    }, 5);
    try {
      const inflight = [1, 2, 3, 4].map((i) =>
        post(h, '/v1/completions', { prompt: `p${i}`, max_tokens: 1 }),
      );
      await waitFor(() => h.snapshot().waiting === 2, { timeoutMs: 3000, intervalMs: 5 });
      expect(h.snapshot()).toMatchObject({ running: 2, waiting: 2 });
      expect(await metricValue(h, 'vllm:num_requests_running')).toBe(2);
      expect(await metricValue(h, 'vllm:num_requests_waiting')).toBe(2);
      expect(await metricValue(h, 'vllm:kv_cache_usage_perc')).toBeGreaterThan(0);
      const refused = await post(h, '/v1/completions', { prompt: 'late' });
      expect(refused.status).toBe(429);
      expect(((await refused.json()) as any).error.code).toBe(429);
      const statuses = await Promise.all(inflight.map(async (p) => (await p).status));
      expect(statuses).toEqual([200, 200, 200, 200]);
    } finally {
      clearInterval(probe);
    }
    expect(maxRunning).toBe(2);
    expect(maxWaiting).toBe(2);
    expect(h.snapshot()).toMatchObject({ running: 0, waiting: 0, kvUsage: 0 });
  });

  it('admits by KV blocks: requests that do not fit the cache wait', async () => {
    const h = await sim({ kvBlocks: 4, blockSize: 4, ttftMs: 400, maxModelLen: 64 });
    // Each request: 3-token prompt + 10 output tokens = 13 tokens = 4 blocks: the whole cache.
    const a = post(h, '/v1/completions', { prompt: 'a b c', max_tokens: 10, ignore_eos: true });
    const b = post(h, '/v1/completions', { prompt: 'd e f', max_tokens: 10, ignore_eos: true });
    await waitFor(() => h.snapshot().waiting === 1, { timeoutMs: 3000, intervalMs: 5 });
    expect(h.snapshot()).toMatchObject({ running: 1, waiting: 1 });
    expect([(await a).status, (await b).status]).toEqual([200, 200]);
  });

  it('gives a shorter TTFT and prefix-cache hits to a prompt whose prefix is cached', async () => {
    const h = await sim({ ttftMs: 400, itlMs: 0, blockSize: 16 });
    const system = { role: 'system', content: 'You are a careful assistant. '.repeat(60) };
    const ask = async (q: string) => {
      const t0 = performance.now();
      const res = await post(h, '/v1/chat/completions', {
        messages: [system, { role: 'user', content: q }],
        stream: true,
        max_tokens: 2,
      });
      const reader = res.body!.getReader();
      await reader.read();
      const ttft = performance.now() - t0;
      while (!(await reader.read()).done) {
        // drain
      }
      return ttft;
    };
    const cold = await ask('first question');
    const hitsBefore = await metricValue(h, 'vllm:prefix_cache_hits_total');
    const warm = await ask('another question entirely');
    const hitsAfter = await metricValue(h, 'vllm:prefix_cache_hits_total');
    expect(cold).toBeGreaterThanOrEqual(380);
    expect(warm).toBeLessThan(cold / 2);
    expect(hitsBefore).toBe(0);
    expect(hitsAfter).toBeGreaterThan(100);
    expect(hitsAfter % 16).toBe(0);
    expect(h.snapshot().prefixCacheBlocks).toBeGreaterThan(5);
  });

  it('frees the slot and blocks when the client disconnects mid-stream', async () => {
    const h = await sim({ itlMs: 20, maxNumSeqs: 1 });
    const ac = new AbortController();
    const res = await post(
      h,
      '/v1/completions',
      { prompt: 'x', max_tokens: 500, ignore_eos: true, stream: true },
      { signal: ac.signal },
    );
    const reader = res.body!.getReader();
    await reader.read();
    expect(h.snapshot().running).toBe(1);
    expect(h.snapshot().kvUsage).toBeGreaterThan(0);
    ac.abort();
    await reader.read().catch(() => undefined);
    await waitFor(() => h.snapshot().running === 0, { timeoutMs: 3000, intervalMs: 5 });
    expect(h.snapshot()).toMatchObject({ running: 0, kvUsage: 0 });
    expect(await metricValue(h, 'vllm:request_success_total', 'finished_reason="abort"')).toBe(1);
    // The freed slot serves the next request.
    expect((await post(h, '/v1/completions', { prompt: 'y', max_tokens: 1 })).status).toBe(200);
  });
});

describe('engine-sim: logging and shutdown', () => {
  it('logs one debug line per request with the traceparent and request id', async () => {
    const lines: any[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _enc, cb) {
        lines.push(JSON.parse(chunk.toString()));
        cb();
      },
    });
    const h = await sim({}, { logger: pino({ level: 'debug' }, sink) });
    const tp = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    await post(h, '/v1/chat/completions', chat('hi'), {
      headers: { traceparent: tp, 'x-request-id': 'r-9' },
    });
    // The request line is logged as the response ends, and the sink hears of it a moment later.
    await waitFor(() => lines.some((l) => l.msg === 'request'), { timeoutMs: 5000, intervalMs: 5 });
    const line = lines.find((l) => l.msg === 'request');
    expect(line).toMatchObject({
      traceparent: tp,
      request_id: 'r-9',
      path: '/v1/chat/completions',
      finish_reason: 'stop',
    });
    expect(lines.filter((l) => l.msg === 'request')).toHaveLength(1);
  });

  it('stop() refuses new work, answers waiting requests 503 and closes', async () => {
    const h = await startEngineSim({
      model: 'm',
      port: 0,
      ttftMs: 300,
      itlMs: 0,
      maxNumSeqs: 1,
      shutdownGraceMs: 2000,
    });
    handles.push(h);
    const running = post(h, '/v1/completions', { prompt: 'a', max_tokens: 1 });
    const waiting = post(h, '/v1/completions', { prompt: 'b', max_tokens: 1 });
    await waitFor(() => h.snapshot().waiting === 1, { timeoutMs: 3000, intervalMs: 5 });
    const stopped = h.stop();
    expect((await waiting).status).toBe(503);
    expect((await running).status).toBe(200);
    await stopped;
    await expect(fetch(`${h.url}/health`)).rejects.toThrow();
  });
});
