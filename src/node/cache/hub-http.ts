/**
 * HTTP to the hubs: JSON requests and file bodies, through undici with manual redirects so every hop is
 * checked against the URL policy (and the token is never sent to another origin). Status codes are
 * classified at this boundary: 401/403 unauthorized, 404 not found, 408/429/5xx and transport errors
 * transient (retryable), anything else a plain failure.
 */
import type { Readable } from 'node:stream';
import { Agent, request, type Dispatcher } from 'undici';
import { CacheError, TransientHubError } from './errors.js';
import { checkRedirect, type UrlPolicy } from './url-policy.js';

export interface HubHttpOptions {
  policy: UrlPolicy;
  /** Sent as `Authorization: Bearer` to the base origin only. */
  token?: string;
  dispatcher?: Dispatcher;
  userAgent?: string;
  /** For the JSON requests (default 30 s). */
  jsonTimeoutMs?: number;
}

export interface OpenedBody {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Readable;
  url: URL;
}

const MAX_REDIRECTS = 5;

/** A dispatcher tuned for large downloads (kept per cache manager, closed with it). */
export function createHubAgent(opts: { bodyTimeoutMs?: number; connectTimeoutMs?: number } = {}): Agent {
  return new Agent({
    connect: { timeout: opts.connectTimeoutMs ?? 30_000 },
    headersTimeout: 60_000,
    bodyTimeout: opts.bodyTimeoutMs ?? 120_000,
    keepAliveTimeout: 10_000,
  });
}

function header(h: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
}
export { header as headerValue };

/** Maps a non-2xx status to a typed error, after draining the body for the message. */
async function statusError(
  status: number,
  h: Record<string, string | string[] | undefined>,
  body: Readable,
  what: string,
): Promise<CacheError> {
  let text = '';
  try {
    for await (const c of body as AsyncIterable<Buffer>) {
      if (text.length < 500) text += c.toString('utf8');
    }
  } catch {
    /* the message is best effort */
  }
  const hubMsg =
    header(h, 'x-error-message') ?? /"(?:error|Message|message)"\s*:\s*"([^"]{1,300})"/.exec(text)?.[1] ?? '';
  const detail = hubMsg ? `: ${hubMsg}` : '';
  if (status === 401 || status === 403) {
    return new CacheError(
      `${what}: hub answered ${status}${detail} (gated or private repository: set HF_TOKEN / a valid token)`,
      'HUB_UNAUTHORIZED',
    );
  }
  if (status === 404)
    return new CacheError(`${what}: not found on the hub${detail}`, 'MODEL_NOT_FOUND_ON_HUB');
  if (status === 408 || status === 429 || status >= 500)
    return new TransientHubError(`${what}: hub answered ${status}${detail}`);
  return new CacheError(`${what}: hub answered ${status}${detail}`, 'DOWNLOAD_FAILED');
}

export class HubHttp {
  constructor(private readonly opts: HubHttpOptions) {}

  get policy(): UrlPolicy {
    return this.opts.policy;
  }

  private headersFor(url: URL, extra: Record<string, string>): Record<string, string> {
    const h: Record<string, string> = { 'user-agent': this.opts.userAgent ?? 'nebula-node', ...extra };
    if (this.opts.token && url.origin === this.opts.policy.base.origin)
      h['authorization'] = `Bearer ${this.opts.token}`;
    return h;
  }

  /**
   * Sends a request, following up to five checked redirects. Returns 2xx responses (and 416 when asked for
   * a range); throws typed errors for everything else.
   */
  async open(
    url: URL,
    opts: {
      signal: AbortSignal;
      method?: 'GET' | 'PUT' | 'HEAD';
      range?: number;
      body?: string;
      what: string;
      timeoutMs?: number;
    },
  ): Promise<OpenedBody> {
    let current = url;
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      const extra: Record<string, string> = {};
      if (opts.range !== undefined && opts.range > 0) extra['range'] = `bytes=${opts.range}-`;
      if (opts.body !== undefined) extra['content-type'] = 'application/json';
      const signal = opts.timeoutMs
        ? AbortSignal.any([opts.signal, AbortSignal.timeout(opts.timeoutMs)])
        : opts.signal;
      let res: Dispatcher.ResponseData<unknown>;
      try {
        const reqOpts: Parameters<typeof request>[1] = {
          method: opts.method ?? 'GET',
          headers: this.headersFor(current, extra),
          signal,
        };
        if (opts.body !== undefined) reqOpts.body = opts.body;
        if (this.opts.dispatcher) reqOpts.dispatcher = this.opts.dispatcher;
        res = await request(current, reqOpts);
      } catch (err) {
        if (opts.signal.aborted) throw err;
        throw new TransientHubError(`${opts.what}: ${err instanceof Error ? err.message : String(err)}`, err);
      }
      const { statusCode: status, headers } = res;
      if (status >= 300 && status < 400 && status !== 304) {
        res.body.resume();
        const loc = header(headers, 'location');
        if (!loc) throw new CacheError(`${opts.what}: redirect without a location`, 'DOWNLOAD_FAILED');
        current = checkRedirect(this.opts.policy, current, loc);
        continue;
      }
      if ((status >= 200 && status < 300) || (status === 416 && opts.range)) {
        return { status, headers, body: res.body, url: current };
      }
      throw await statusError(status, headers, res.body, opts.what);
    }
    throw new CacheError(`${opts.what}: too many redirects`, 'DOWNLOAD_FAILED');
  }

  /** GETs (or PUTs) JSON; returns the parsed body and the response headers. */
  async json(
    url: URL,
    opts: { signal: AbortSignal; what: string; method?: 'GET' | 'PUT'; body?: unknown },
  ): Promise<{ body: unknown; headers: Record<string, string | string[] | undefined> }> {
    const o: Parameters<HubHttp['open']>[1] = {
      signal: opts.signal,
      what: opts.what,
      timeoutMs: this.opts.jsonTimeoutMs ?? 30_000,
    };
    if (opts.method) o.method = opts.method;
    if (opts.body !== undefined) o.body = JSON.stringify(opts.body);
    const res = await this.open(url, o);
    let text = '';
    try {
      for await (const c of res.body as AsyncIterable<Buffer>) {
        text += c.toString('utf8');
        if (text.length > 64 * 1024 * 1024)
          throw new CacheError(`${opts.what}: answer too large`, 'DOWNLOAD_FAILED');
      }
    } catch (err) {
      if (err instanceof CacheError || opts.signal.aborted) throw err;
      throw new TransientHubError(`${opts.what}: ${err instanceof Error ? err.message : String(err)}`, err);
    }
    try {
      return { body: JSON.parse(text) as unknown, headers: res.headers };
    } catch {
      throw new CacheError(`${opts.what}: hub answered invalid JSON`, 'DOWNLOAD_FAILED');
    }
  }
}
