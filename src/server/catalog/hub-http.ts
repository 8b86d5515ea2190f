import { errorMessage } from '../../core/errors.js';
import { ApiError } from '../errors.js';

/** Hosts hubs legitimately redirect to (API renames, LFS/Xet CDNs), besides the configured bases. */
export const KNOWN_HUB_HOSTS: readonly string[] = [
  'huggingface.co',
  'hf.co',
  'cdn-lfs.huggingface.co',
  'cdn-lfs-us-1.huggingface.co',
  'cdn-lfs-eu-1.huggingface.co',
  'cdn-lfs.hf.co',
  'cas-bridge.xethub.hf.co',
  'hf-mirror.com',
  'modelscope.cn',
  'www.modelscope.cn',
];

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

export interface HubHttpOptions {
  /** Configured hub base URLs (their hosts are allowed; http only when loopback, for tests). */
  bases: string[];
  timeoutMs: number;
  /** Largest response body read (default 8 MiB). */
  maxBytes?: number;
  maxRedirects?: number;
}

export class HubNotFoundError extends Error {}

/**
 * The only way the server talks to model hubs (SSRF guard, seed 004 §7): URLs are built by the providers
 * from configured bases and validated ids, never taken from a request; every hop, including redirects
 * (followed by hand), must be https to an allowlisted host, or http to a configured loopback base; bodies
 * are size-capped and calls time out. Failures become 502/503 HUB_UNAVAILABLE.
 */
export class HubHttp {
  private readonly httpHosts = new Set<string>();
  private readonly hosts = new Set<string>(KNOWN_HUB_HOSTS);

  constructor(
    private readonly fetchImpl: typeof fetch,
    private readonly opts: HubHttpOptions,
  ) {
    for (const b of opts.bases) {
      const u = new URL(b);
      this.hosts.add(u.host);
      if (u.protocol === 'http:' && LOOPBACK.has(u.hostname)) this.httpHosts.add(u.host);
    }
  }

  /** True when a request to `url` is allowed. */
  allowed(url: URL): boolean {
    if (url.username || url.password) return false;
    if (url.protocol === 'https:') return this.hosts.has(url.host) || this.hosts.has(url.hostname);
    return url.protocol === 'http:' && this.httpHosts.has(url.host);
  }

  private unavailable(message: string, details: Record<string, unknown> = {}): ApiError {
    return new ApiError(503, 'HUB_UNAVAILABLE', message, { details });
  }

  /** GETs JSON; throws HubNotFoundError on 401/403/404, ApiError HUB_UNAVAILABLE otherwise. */
  async getJson(
    url: URL,
    init: { method?: 'GET' | 'PUT'; body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<unknown> {
    let current = url;
    for (let hop = 0; hop <= (this.opts.maxRedirects ?? 3); hop++) {
      if (!this.allowed(current)) {
        throw this.unavailable(
          `refusing to contact ${current.protocol}//${current.host}: not an allowed hub host`,
          { host: current.host },
        );
      }
      let res: Response;
      try {
        const req: RequestInit = {
          method: init.method ?? 'GET',
          redirect: 'manual',
          signal: AbortSignal.timeout(this.opts.timeoutMs),
          headers: { accept: 'application/json', 'user-agent': 'nebula-server', ...(init.headers ?? {}) },
        };
        if (init.body !== undefined) {
          req.body = JSON.stringify(init.body);
          (req.headers as Record<string, string>)['content-type'] = 'application/json';
        }
        res = await this.fetchImpl(current, req);
      } catch (err) {
        const why =
          err instanceof Error && err.name === 'TimeoutError'
            ? `timed out after ${this.opts.timeoutMs} ms`
            : errorMessage(err);
        throw this.unavailable(`hub ${current.host} did not answer: ${why}`, { host: current.host });
      }
      if (REDIRECTS.has(res.status)) {
        await res.body?.cancel();
        const loc = res.headers.get('location');
        if (!loc) throw this.unavailable(`hub ${current.host} sent a redirect without a location`);
        try {
          current = new URL(loc, current);
        } catch {
          throw this.unavailable(`hub ${current.host} sent an invalid redirect`);
        }
        continue;
      }
      if (res.status === 404 || res.status === 401 || res.status === 403) {
        await res.body?.cancel();
        throw new HubNotFoundError(`not found on ${current.host} (HTTP ${res.status})`);
      }
      if (!res.ok) {
        await res.body?.cancel();
        throw new ApiError(502, 'HUB_UNAVAILABLE', `hub ${current.host} answered HTTP ${res.status}`, {
          details: { host: current.host, status: res.status },
        });
      }
      const text = await readCapped(res, this.opts.maxBytes ?? 8 * 1024 * 1024);
      try {
        return JSON.parse(text) as unknown;
      } catch {
        throw new ApiError(
          502,
          'HUB_UNAVAILABLE',
          `hub ${current.host} answered with something that is not JSON`,
        );
      }
    }
    throw this.unavailable('too many redirects');
  }
}

async function readCapped(res: Response, maxBytes: number): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw new ApiError(502, 'HUB_UNAVAILABLE', `hub answer larger than ${maxBytes} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
