import { describe, expect, it, vi } from 'vitest';
import { buildQuery, createApiClient, readCookie } from './client.ts';
import { ApiError } from './errors.ts';

const json = (body: unknown, status = 200, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

describe('createApiClient', () => {
  it('sends the bearer token, JSON bodies and queries', async () => {
    const fetch = vi.fn(async () => json({ ok: true }));
    const api = createApiClient({ getToken: () => 'tok', fetch });
    await expect(
      api.request('POST', '/api/v2/models', {
        body: { a: 1 },
        query: { q: 'x', empty: '', none: undefined },
      }),
    ).resolves.toEqual({ ok: true });
    const [url, init] = fetch.mock.calls[0] as unknown as [string, RequestInit];
    expect(url).toBe('/api/v2/models?q=x');
    expect((init.headers as Record<string, string>).authorization).toBe('Bearer tok');
    expect(init.body).toBe('{"a":1}');
  });

  it('turns error bodies into ApiError with the server code and message', async () => {
    const api = createApiClient({
      getToken: () => 't',
      fetch: async () =>
        json({ error: { code: 'MODEL_NOT_FOUND', message: 'model x not found' } }, 404, {
          'x-request-id': 'r1',
        }),
    });
    const err = await api.request('GET', '/api/v2/models/x').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({
      status: 404,
      code: 'MODEL_NOT_FOUND',
      message: 'model x not found',
      requestId: 'r1',
    });
  });

  it('falls back to the status for non-JSON errors and reports network failures', async () => {
    const html = createApiClient({
      getToken: () => null,
      fetch: async () => new Response('<html>bad gateway</html>', { status: 502, statusText: 'Bad Gateway' }),
    });
    await expect(html.request('GET', '/x')).rejects.toMatchObject({
      status: 502,
      code: 'HTTP_502',
      message: '502 Bad Gateway',
    });
    const down = createApiClient({
      getToken: () => null,
      fetch: async () => Promise.reject(new TypeError('fetch failed')),
    });
    await expect(down.request('GET', '/x')).rejects.toMatchObject({ status: 0, code: 'NETWORK' });
  });

  it('ends the session on 401 only when a token was sent', async () => {
    const onUnauthorized = vi.fn();
    const res401 = async () => json({ error: { code: 'UNAUTHORIZED', message: 'token expired' } }, 401);
    await expect(
      createApiClient({ getToken: () => 'old', fetch: res401, onUnauthorized }).request('GET', '/x'),
    ).rejects.toBeInstanceOf(ApiError);
    expect(onUnauthorized).toHaveBeenCalledTimes(1);
    await expect(
      createApiClient({ getToken: () => null, fetch: res401, onUnauthorized }).request(
        'POST',
        '/api/v2/auth/login',
      ),
    ).rejects.toThrow('token expired');
    expect(onUnauthorized).toHaveBeenCalledTimes(1);
  });

  it('builds queries from defined values only', () => {
    expect(buildQuery(undefined)).toBe('');
    expect(buildQuery({ a: 1, b: false, c: null, d: '' })).toBe('?a=1&b=false');
  });
});

describe('cookie sessions', () => {
  it('sends no Authorization but the CSRF header and same-origin credentials, and ends the session on 401', async () => {
    const fetch = vi.fn(async () => json({ error: { code: 'UNAUTHORIZED', message: 'ended' } }, 401));
    const onUnauthorized = vi.fn();
    const api = createApiClient({ hasSession: () => true, csrfToken: () => 'csrf-1', fetch, onUnauthorized });
    await expect(api.request('POST', '/api/v2/auth/api-keys', { body: {} })).rejects.toThrow('ended');
    const [, init] = fetch.mock.calls[0] as unknown as [string, RequestInit];
    const headers = init.headers as Record<string, string>;
    expect(headers.authorization).toBeUndefined();
    expect(headers['x-nebula-csrf']).toBe('csrf-1');
    expect(init.credentials).toBe('same-origin');
    expect(onUnauthorized).toHaveBeenCalledTimes(1);
  });

  it('reads a cookie by name', () => {
    expect(readCookie('nebula_csrf', 'a=1; nebula_csrf=x%2Dy; b=2')).toBe('x-y');
    expect(readCookie('nebula_csrf', 'nebula_csrfx=1')).toBeNull();
    expect(readCookie('nebula_csrf', '')).toBeNull();
  });
});
