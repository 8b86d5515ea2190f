import { describe, expect, it, vi } from 'vitest';
import { buildQuery, createClient } from './client.js';
import { ApiError } from './errors.js';

const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
const fetchOf = (fn: () => Promise<Response>) =>
  vi.fn<(url: string | URL | Request, init?: RequestInit) => Promise<Response>>(fn);

describe('the typed client', () => {
  it('derives method and path from the declarations and sends the bearer token, JSON bodies and queries', async () => {
    const fetch = fetchOf(async () => json({ ok: true }));
    const api = createClient({ baseUrl: '', token: 'tok', fetch });
    await api.models.scale('m 1', 3);
    await api.models.list({ q: 'x', state: undefined });
    const [url, init] = fetch.mock.calls[0] ?? [];
    expect(url).toBe('/api/v2/models/m%201/scale');
    expect(init?.method).toBe('PUT');
    expect((init?.headers as Record<string, string>).authorization).toBe('Bearer tok');
    expect(init?.body).toBe('{"replicas":3}');
    expect(fetch.mock.calls[1]?.[0]).toBe('/api/v2/models?q=x');
  });

  it('sends owner/name hub ids as two segments', async () => {
    const fetch = fetchOf(async () => json({}));
    const api = createClient({ baseUrl: 'http://h:1/', fetch });
    await api.catalog.get('huggingface', 'org/tiny-GGUF');
    await api.catalog.get('modelscope', 'single');
    expect(fetch.mock.calls.map((c) => c[0])).toEqual([
      'http://h:1/api/v2/catalog/models/huggingface/org/tiny-GGUF',
      'http://h:1/api/v2/catalog/models/modelscope/single',
    ]);
  });

  it('turns error bodies into ApiError with the server code, message and request id', async () => {
    const api = createClient({
      baseUrl: '',
      token: 't',
      fetch: async () =>
        json({ error: { code: 'MODEL_NOT_FOUND', message: 'model x not found' } }, 404, {
          'x-request-id': 'r1',
        }),
    });
    const err = await api.models.get('x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({
      status: 404,
      code: 'MODEL_NOT_FOUND',
      message: 'model x not found',
      requestId: 'r1',
    });
  });

  it('falls back to the status line for HTML errors and reports network failures; an abort stays an abort', async () => {
    const html = createClient({
      baseUrl: '',
      fetch: async () => new Response('<html>bad gateway</html>', { status: 502, statusText: 'Bad Gateway' }),
    });
    await expect(html.request('GET', '/x')).rejects.toMatchObject({
      status: 502,
      message: '502 Bad Gateway',
    });
    const down = createClient({
      baseUrl: '',
      fetch: async () => Promise.reject(new TypeError('fetch failed')),
    });
    await expect(down.request('GET', '/x')).rejects.toMatchObject({ status: 0, code: 'UNREACHABLE' });
    const ctl = new AbortController();
    ctl.abort();
    const aborted = createClient({
      baseUrl: '',
      fetch: async () => Promise.reject(new DOMException('aborted', 'AbortError')),
    });
    await expect(
      aborted.catalog.search({ provider: 'huggingface' }, { signal: ctl.signal }),
    ).rejects.toMatchObject({
      name: 'AbortError',
    });
  });

  it('ends the session on 401 only when credentials were sent', async () => {
    const onUnauthorized = vi.fn();
    const res401 = async () => json({ error: { code: 'UNAUTHORIZED', message: 'token expired' } }, 401);
    await expect(
      createClient({ baseUrl: '', token: 'old', fetch: res401, onUnauthorized }).auth.whoami(),
    ).rejects.toBeInstanceOf(ApiError);
    expect(onUnauthorized).toHaveBeenCalledTimes(1);
    await expect(
      createClient({ baseUrl: '', fetch: res401, onUnauthorized }).auth.login('a', 'b'),
    ).rejects.toThrow('token expired');
    expect(onUnauthorized).toHaveBeenCalledTimes(1);
  });

  it('builds queries from defined values only', () => {
    expect(buildQuery(undefined)).toBe('');
    expect(buildQuery({ a: 1, b: false, c: null, d: '' })).toBe('?a=1&b=false');
  });

  it('cookie sessions: no Authorization, the CSRF header, same-origin credentials, the session ends on 401', async () => {
    const fetch = fetchOf(async () => json({ error: { code: 'UNAUTHORIZED', message: 'ended' } }, 401));
    const onUnauthorized = vi.fn();
    const api = createClient({
      baseUrl: '',
      hasSession: () => true,
      csrfToken: () => 'csrf-1',
      fetch,
      onUnauthorized,
    });
    await expect(api.keys.create({ name: 'k' })).rejects.toThrow('ended');
    const [url, init] = fetch.mock.calls[0] ?? [];
    expect(url).toBe('/api/v2/auth/api-keys');
    const headers = init?.headers as Record<string, string>;
    expect(headers.authorization).toBeUndefined();
    expect(headers['x-nebula-csrf']).toBe('csrf-1');
    expect(init?.credentials).toBe('same-origin');
    expect(onUnauthorized).toHaveBeenCalledTimes(1);
  });

  it('opens SSE streams with the event-stream Accept header and no timeout', async () => {
    const fetch = fetchOf(
      async () => new Response('data: a\n\n', { headers: { 'content-type': 'text/event-stream' } }),
    );
    const api = createClient({ baseUrl: '', fetch, timeoutMs: 5 });
    const lines: string[] = [];
    for await (const line of api.models.followLogs('m', 0, { tail: 10 })) lines.push(line);
    expect(lines).toEqual(['a']);
    const [url, init] = fetch.mock.calls[0] ?? [];
    expect(url).toBe('/api/v2/models/m/replicas/0/logs?tail=10&follow=true');
    expect((init?.headers as Record<string, string>).accept).toBe('text/event-stream');
    expect(init?.signal).toBeUndefined();
  });
});
