/**
 * The one HTTP client for model hubs (catalog, model facts, downloads): JSON requests, byte ranges and
 * file bodies through undici with manual redirects, so every hop is checked against the URL policy and
 * the token is never sent to another origin. Status codes are classified here: 401/403 unauthorized,
 * 404 not found, 408/429/5xx and transport errors transient (retryable), anything else a plain failure.
 * Callers map HubError to their own error type with `mapError`.
 */
import type { Readable } from 'node:stream';
import { Agent, request, type Dispatcher } from 'undici';
import { HubError, type HubErrorMapper } from './errors.js';
import { checkRedirect, refusal, type UrlPolicy } from './policy.js';

export interface HubClientOptions {
  policy: UrlPolicy;
  /** Sent as `Authorization: Bearer` to the base origin only. */
  token?: string;
  dispatcher?: Dispatcher;
  userAgent?: string;
  /** For the JSON and range requests (default 30 s). */
  jsonTimeoutMs?: number;
  /** Turns every HubError this client throws into the caller's error type. */
  mapError?: HubErrorMapper;
}

export interface OpenedBody {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Readable;
  url: URL;
}

export interface OpenOptions {
  signal?: AbortSignal;
  method?: 'GET' | 'PUT' | 'HEAD';
  /** First byte wanted (`Range: bytes=N-`); with `rangeEnd`, `bytes=N-M` (inclusive). */
  range?: number;
  rangeEnd?: number;
  body?: string;
  what: string;
  timeoutMs?: number;
  accept?: string;
}

const MAX_REDIRECTS = 5;
const DEFAULT_JSON_MAX_BYTES = 64 * 1024 * 1024;

/** A dispatcher tuned for large downloads (kept per cache manager, closed with it). */
export function createHubAgent(opts: { bodyTimeoutMs?: number; connectTimeoutMs?: number } = {}): Agent {
  return new Agent({
    connect: { timeout: opts.connectTimeoutMs ?? 30_000 },
    headersTimeout: 60_000,
    bodyTimeout: opts.bodyTimeoutMs ?? 120_000,
    keepAliveTimeout: 10_000,
  });
}

/** First value of a response header. */
export function headerValue(
  h: Record<string, string | string[] | undefined>,
  name: string,
): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Maps a non-2xx status to a typed error, after draining the body for the message. */
async function statusError(
  status: number,
  h: Record<string, string | string[] | undefined>,
  body: Readable,
  what: string,
  host: string,
): Promise<HubError> {
  let text = '';
  try {
    for await (const c of body as AsyncIterable<Buffer>) {
      if (text.length < 500) text += c.toString('utf8');
    }
  } catch {
    /* the message is best effort */
  }
  const hubMsg =
    headerValue(h, 'x-error-message') ??
    /"(?:error|Message|message)"\s*:\s*"([^"]{1,300})"/.exec(text)?.[1] ??
    '';
  const detail = hubMsg ? `: ${hubMsg}` : '';
  const o = { status, host };
  if (status === 401 || status === 403) {
    return new HubError(
      `${what}: hub answered ${status}${detail} (gated or private repository: set HF_TOKEN / a valid token)`,
      'HUB_UNAUTHORIZED',
      o,
    );
  }
  if (status === 404)
    return new HubError(`${what}: not found on the hub${detail}`, 'MODEL_NOT_FOUND_ON_HUB', o);
  if (status === 408 || status === 429 || status >= 500)
    return new HubError(`${what}: hub answered ${status}${detail}`, 'DOWNLOAD_FAILED', {
      ...o,
      retryable: true,
    });
  return new HubError(`${what}: hub answered ${status}${detail}`, 'DOWNLOAD_FAILED', o);
}

function transient(message: string, cause: unknown, host: string): HubError {
  return new HubError(message, 'DOWNLOAD_FAILED', { retryable: true, cause, host });
}

export class HubClient {
  constructor(private readonly opts: HubClientOptions) {}

  get policy(): UrlPolicy {
    return this.opts.policy;
  }

  private fail(err: unknown): unknown {
    return err instanceof HubError && this.opts.mapError ? this.opts.mapError(err) : err;
  }

  private headersFor(url: URL, extra: Record<string, string>): Record<string, string> {
    const h: Record<string, string> = { 'user-agent': this.opts.userAgent ?? 'nebula', ...extra };
    if (this.opts.token && url.origin === this.opts.policy.base.origin)
      h['authorization'] = `Bearer ${this.opts.token}`;
    return h;
  }

  /**
   * Sends a request, following up to five checked redirects. Returns 2xx responses (and 416 when asked for
   * a range); throws typed errors for everything else. The first URL is checked too: callers build it
   * with `hubUrl`, and nothing outside the policy is ever contacted.
   */
  async open(url: URL, opts: OpenOptions): Promise<OpenedBody> {
    try {
      return await this.openRaw(url, opts);
    } catch (err) {
      throw this.fail(err);
    }
  }

  private async openRaw(url: URL, opts: OpenOptions): Promise<OpenedBody> {
    const first = refusal(this.opts.policy, url);
    if (first !== undefined)
      throw new HubError(`${opts.what}: ${first}`, 'REDIRECT_NOT_ALLOWED', { host: url.host });
    let current = url;
    const timeout = opts.timeoutMs ? AbortSignal.timeout(opts.timeoutMs) : undefined;
    const signals = [opts.signal, timeout].filter((s): s is AbortSignal => s !== undefined);
    const signal =
      signals.length === 0 ? undefined : signals.length === 1 ? signals[0] : AbortSignal.any(signals);
    for (let hop = 0; hop <= MAX_REDIRECTS; hop++) {
      const extra: Record<string, string> = {};
      if (opts.rangeEnd !== undefined) extra['range'] = `bytes=${opts.range ?? 0}-${opts.rangeEnd}`;
      else if (opts.range !== undefined && opts.range > 0) extra['range'] = `bytes=${opts.range}-`;
      if (opts.body !== undefined) extra['content-type'] = 'application/json';
      if (opts.accept) extra['accept'] = opts.accept;
      let res: Dispatcher.ResponseData<unknown>;
      try {
        const reqOpts: Parameters<typeof request>[1] = {
          method: opts.method ?? 'GET',
          headers: this.headersFor(current, extra),
        };
        if (signal) reqOpts.signal = signal;
        if (opts.body !== undefined) reqOpts.body = opts.body;
        if (this.opts.dispatcher) reqOpts.dispatcher = this.opts.dispatcher;
        res = await request(current, reqOpts);
      } catch (err) {
        if (opts.signal?.aborted) throw err;
        const why =
          timeout?.aborted === true
            ? `timed out after ${opts.timeoutMs} ms`
            : err instanceof Error
              ? err.message
              : String(err);
        throw transient(`${opts.what}: hub ${current.host} did not answer: ${why}`, err, current.host);
      }
      const { statusCode: status, headers } = res;
      if (status >= 300 && status < 400 && status !== 304) {
        res.body.resume();
        const loc = headerValue(headers, 'location');
        if (!loc)
          throw new HubError(`${opts.what}: redirect without a location`, 'DOWNLOAD_FAILED', {
            host: current.host,
          });
        current = checkRedirect(this.opts.policy, current, loc);
        continue;
      }
      if ((status >= 200 && status < 300) || (status === 416 && opts.range !== undefined)) {
        return { status, headers, body: res.body, url: current };
      }
      throw await statusError(status, headers, res.body, opts.what, current.host);
    }
    throw new HubError(`${opts.what}: too many redirects`, 'DOWNLOAD_FAILED', { host: url.host });
  }

  /** Reads a body up to `maxBytes` (a HubError past it). */
  private async readCapped(
    res: OpenedBody,
    what: string,
    maxBytes: number,
    signal?: AbortSignal,
  ): Promise<Buffer> {
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const c of res.body as AsyncIterable<Buffer>) {
        size += c.length;
        if (size > maxBytes) {
          res.body.destroy();
          throw new HubError(`${what}: answer larger than ${maxBytes} bytes`, 'DOWNLOAD_FAILED', {
            host: res.url.host,
          });
        }
        chunks.push(c);
      }
    } catch (err) {
      if (err instanceof HubError || signal?.aborted) throw err;
      throw transient(`${what}: ${err instanceof Error ? err.message : String(err)}`, err, res.url.host);
    }
    return Buffer.concat(chunks);
  }

  /** GETs (or PUTs) JSON; returns the parsed body and the response headers. */
  async json(
    url: URL,
    opts: {
      signal?: AbortSignal;
      what: string;
      method?: 'GET' | 'PUT';
      body?: unknown;
      timeoutMs?: number;
      maxBytes?: number;
    },
  ): Promise<{ body: unknown; headers: Record<string, string | string[] | undefined> }> {
    try {
      const o: OpenOptions = {
        what: opts.what,
        timeoutMs: opts.timeoutMs ?? this.opts.jsonTimeoutMs ?? 30_000,
        accept: 'application/json',
      };
      if (opts.signal) o.signal = opts.signal;
      if (opts.method) o.method = opts.method;
      if (opts.body !== undefined) o.body = JSON.stringify(opts.body);
      const res = await this.openRaw(url, o);
      const text = (
        await this.readCapped(res, opts.what, opts.maxBytes ?? DEFAULT_JSON_MAX_BYTES, opts.signal)
      ).toString('utf8');
      try {
        return { body: JSON.parse(text) as unknown, headers: res.headers };
      } catch {
        throw new HubError(`${opts.what}: hub ${res.url.host} answered invalid JSON`, 'DOWNLOAD_FAILED', {
          host: res.url.host,
        });
      }
    } catch (err) {
      throw this.fail(err);
    }
  }

  /**
   * Reads bytes [start, end] (inclusive) of a file. Returns what the hub sent (fewer bytes at the end of
   * the file), the file's total size from `Content-Range` when given, and the HTTP status (206, or 200
   * from a hub that ignores ranges: then the body is cut at `end`).
   */
  async range(
    url: URL,
    start: number,
    end: number,
    opts: { signal?: AbortSignal; what: string; timeoutMs?: number },
  ): Promise<{ bytes: Buffer; total: number | undefined; status: number }> {
    try {
      const o: OpenOptions = {
        what: opts.what,
        range: start,
        rangeEnd: end,
        timeoutMs: opts.timeoutMs ?? this.opts.jsonTimeoutMs ?? 30_000,
      };
      if (opts.signal) o.signal = opts.signal;
      const res = await this.openRaw(url, o);
      const want = end - start + 1;
      if (res.status === 416) {
        res.body.resume();
        return { bytes: Buffer.alloc(0), total: totalOf(res.headers), status: 416 };
      }
      if (res.status === 206) {
        const bytes = await this.readCapped(res, opts.what, want, opts.signal);
        return { bytes, total: totalOf(res.headers), status: 206 };
      }
      // A hub that ignores Range sends the whole file: keep [start, end] and stop reading after it.
      const chunks: Buffer[] = [];
      let seen = 0;
      for await (const c of res.body as AsyncIterable<Buffer>) {
        chunks.push(c);
        seen += c.length;
        if (seen > end) break;
      }
      res.body.destroy();
      const all = Buffer.concat(chunks);
      const len = headerValue(res.headers, 'content-length');
      return {
        bytes: all.subarray(start, end + 1),
        total: len !== undefined && /^\d+$/.test(len) ? Number(len) : undefined,
        status: res.status,
      };
    } catch (err) {
      throw this.fail(err);
    }
  }
}

function totalOf(h: Record<string, string | string[] | undefined>): number | undefined {
  const m = /\/\s*(\d+)\s*$/.exec(headerValue(h, 'content-range') ?? '');
  return m ? Number(m[1]) : undefined;
}
