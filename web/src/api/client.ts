import { ApiError, errorFromResponse } from './errors.ts';

export type QueryValue = string | number | boolean | undefined | null;

export interface RequestOptions {
  query?: Record<string, QueryValue>;
  body?: unknown;
  signal?: AbortSignal;
  headers?: Record<string, string>;
}

export interface ApiClientOptions {
  /** Prefix of every path; '' in the browser (same origin as the console). */
  baseUrl?: string;
  /**
   * A bearer token, read on every request (callers outside the browser). The console sends none: its
   * session is an HttpOnly cookie the browser adds by itself.
   */
  getToken?: () => string | null;
  /** Whether a cookie session is believed to be open (so a 401 means it ended). */
  hasSession?: () => boolean;
  /** The CSRF token to echo in `X-Nebula-CSRF` (the readable `nebula_csrf` cookie). */
  csrfToken?: () => string | null;
  /** Called when the server says the credentials are no longer valid (401): the app goes back to login. */
  onUnauthorized?: () => void;
  fetch?: typeof fetch;
}

/** The console's one door to the control API: JSON in and out, cookie (or bearer) auth with CSRF, typed errors. */
export interface ApiClient {
  request<T>(method: string, path: string, opts?: RequestOptions): Promise<T>;
  /** The raw response of a streaming call (SSE), after the status was checked. */
  stream(method: string, path: string, opts?: RequestOptions): Promise<Response>;
}

/** `?a=1&b=x` from defined values only. */
export function buildQuery(query: Record<string, QueryValue> | undefined): string {
  if (!query) return '';
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query))
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

export function createApiClient(options: ApiClientOptions): ApiClient {
  const base = options.baseUrl ?? '';
  const doFetch = (input: string, init: RequestInit) => (options.fetch ?? globalThis.fetch)(input, init);

  async function send(method: string, path: string, opts: RequestOptions, accept: string): Promise<Response> {
    const headers: Record<string, string> = { accept, ...opts.headers };
    const token = options.getToken?.() ?? null;
    if (token) headers.authorization = `Bearer ${token}`;
    const csrf = options.csrfToken?.();
    if (csrf) headers['x-nebula-csrf'] = csrf;
    const hadSession = token !== null || options.hasSession?.() === true;
    let body: string | undefined;
    if (opts.body !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(opts.body);
    }
    let res: Response;
    try {
      res = await doFetch(`${base}${path}${buildQuery(opts.query)}`, {
        method,
        headers,
        credentials: 'same-origin',
        ...(body === undefined ? {} : { body }),
        ...(opts.signal ? { signal: opts.signal } : {}),
      });
    } catch (err) {
      if (err instanceof DOMException && err.name === 'AbortError') throw err;
      throw new ApiError(0, 'NETWORK', 'Cannot reach the Nebula server. Check that it is running.');
    }
    if (!res.ok) {
      const err = await errorFromResponse(res);
      // A login attempt with bad credentials is a 401 too, but it is not an expired session.
      if (res.status === 401 && hadSession) options.onUnauthorized?.();
      throw err;
    }
    return res;
  }

  return {
    async request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
      const res = await send(method, path, opts, 'application/json');
      if (res.status === 204) return undefined as T;
      const text = await res.text();
      return (text ? JSON.parse(text) : undefined) as T;
    },
    stream(method: string, path: string, opts: RequestOptions = {}): Promise<Response> {
      return send(method, path, opts, 'text/event-stream');
    },
  };
}

/** The value of a readable cookie of this page (the CSRF token), or null. */
export function readCookie(name: string, cookies: string = globalThis.document?.cookie ?? ''): string | null {
  for (const part of cookies.split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return decodeURIComponent(part.slice(i + 1).trim());
  }
  return null;
}
