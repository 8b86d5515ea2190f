import { isIP, connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import {
  keepAliveHintS,
  ResponseParser,
  type ResponseEvents,
  type UpstreamHeaders,
} from './response-parser.js';

/**
 * The router's connections to one upstream origin (an engine): keep-alive HTTP/1.1, one request per
 * connection at a time (a slow generation never holds up another request), as many connections as requests
 * in flight, idle ones reused last-in first-out and closed after `keepAliveTimeoutMs` (or the engine's own
 * `Keep-Alive: timeout` hint, less a second).
 *
 * Why not undici here: the proxy path is the router's hot loop, and a general client's per-request work
 * (request objects, header validation, a WASM parser called back per header, a pool that scans its clients
 * for a free one) was a third of the router's CPU per request in bench/router. This client does only what a
 * proxy to an engine needs: it writes the request in one write, parses the response with response-parser.ts,
 * and hands body bytes on as they arrive. undici still does everything else (load scrapes, hubs).
 *
 * Failures reach the handler as errors with a `code`: socket errors keep Node's (ECONNREFUSED, ECONNRESET,
 * ...), and this module adds UPSTREAM_CONNECT_TIMEOUT, UPSTREAM_HEADERS_TIMEOUT (no response head within the
 * first-byte timeout), UPSTREAM_FIRST_BYTE_TIMEOUT (a head but no body within it: a stream opened and then
 * nothing), UPSTREAM_BODY_TIMEOUT (silent for the idle timeout once the body started), UPSTREAM_CLOSED,
 * UPSTREAM_REQUEST (a request head that cannot be sent) and, from the parser, UPSTREAM_PROTOCOL. Both
 * timeouts can be set per request (per model); the pool's are the defaults. A request that meets a reused
 * connection the engine had just closed (the keep-alive race) is sent once more on a new connection, before
 * anything reaches the handler.
 */

export interface UpstreamPoolOptions {
  connectTimeoutMs: number;
  /** First-byte timeout: longest wait from the request to the first byte of the response body. */
  headersTimeoutMs: number;
  /** Idle timeout: longest silence between two reads once the body has started. */
  bodyTimeoutMs: number;
  /** How long an idle connection is kept for reuse. */
  keepAliveTimeoutMs: number;
  /** Extra trust for https upstreams (default: Node's CA store, which NODE_EXTRA_CA_CERTS extends). */
  ca?: string | Buffer | undefined;
}

export interface UpstreamRequest {
  method: 'POST' | 'GET';
  /** Path and query, starting with `/`. */
  path: string;
  /** Extra headers, flat `[name, value, ...]` (host and content-length are added). */
  headers: readonly string[];
  body?: Buffer | undefined;
  /** This request's first-byte timeout (default: the pool's `headersTimeoutMs`). */
  firstByteTimeoutMs?: number | undefined;
  /** This request's idle timeout (default: the pool's `bodyTimeoutMs`). */
  idleTimeoutMs?: number | undefined;
}

/** What the caller may do with a request in flight. */
export interface UpstreamController {
  /** Stops reading the response (back-pressure) until `resume`. */
  pause(): void;
  resume(): void;
  /** Cancels the request: the connection is closed (the engine sees it) and `onError(reason)` follows. */
  abort(reason: Error): void;
}

export interface UpstreamHandler {
  onHead(controller: UpstreamController, status: number, headers: UpstreamHeaders): void;
  onData(controller: UpstreamController, chunk: Buffer): void;
  onEnd(): void;
  /** Called at most once, and never after `onEnd`. */
  onError(err: Error): void;
}

/** The codes this client adds to the socket's own (see the module comment). */
export type UpstreamErrorCode =
  | 'UPSTREAM_CONNECT_TIMEOUT'
  | 'UPSTREAM_HEADERS_TIMEOUT'
  | 'UPSTREAM_FIRST_BYTE_TIMEOUT'
  | 'UPSTREAM_BODY_TIMEOUT'
  | 'UPSTREAM_CLOSED'
  | 'UPSTREAM_REQUEST';

/** An upstream failure with a machine-readable `code` (see the module comment). */
export class UpstreamError extends Error {
  constructor(
    readonly code: UpstreamErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'UpstreamError';
  }
}

/** Bytes that must never reach a request head: they would end a header line. */
const UNSAFE = /[\r\n\0]/;

function headFor(req: UpstreamRequest, host: string, bodyLength: number): string {
  if (UNSAFE.test(req.path) || req.path[0] !== '/')
    throw new UpstreamError('UPSTREAM_REQUEST', 'invalid request path');
  let head = `${req.method} ${req.path} HTTP/1.1\r\nhost: ${host}\r\n`;
  const h = req.headers;
  for (let i = 0; i + 1 < h.length; i += 2) {
    const name = h[i] as string;
    const value = h[i + 1] as string;
    if (UNSAFE.test(name) || UNSAFE.test(value) || name.includes(':'))
      throw new UpstreamError('UPSTREAM_REQUEST', `invalid request header ${JSON.stringify(name)}`);
    head += `${name}: ${value}\r\n`;
  }
  if (req.body !== undefined || req.method === 'POST') head += `content-length: ${bodyLength}\r\n`;
  return `${head}\r\n`;
}

/** One request on one connection; it is also the controller handed to the handler. */
class Exchange implements UpstreamController, ResponseEvents {
  conn: Conn | undefined;
  /** The pool's coarse clock (ms) when the request went out / when the connection last read something. */
  sentAt = 0;
  lastAt = 0;
  finished = false;
  headSeen = false;
  /** The first byte of the body arrived: from here on the idle timeout applies. */
  bodySeen = false;
  bytesIn = 0;
  paused = false;
  /** The request has been re-sent once after meeting a connection the engine had closed. */
  resent = false;

  constructor(
    readonly pool: UpstreamPool,
    readonly payload: Buffer,
    readonly handler: UpstreamHandler,
    readonly firstByteMs: number,
    readonly idleMs: number,
  ) {}

  pause(): void {
    if (this.paused || this.finished) return;
    this.paused = true;
    this.conn?.socket.pause();
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.lastAt = this.pool.coarseNow;
    if (!this.finished) this.conn?.socket.resume();
  }

  abort(reason: Error): void {
    if (this.finished) return;
    const conn = this.conn;
    this.conn = undefined;
    if (conn !== undefined) conn.discard();
    this.fail(reason);
  }

  fail(err: Error): void {
    if (this.finished) return;
    this.finished = true;
    this.handler.onError(err);
  }

  onHead(status: number, headers: UpstreamHeaders): void {
    this.headSeen = true;
    const hint = keepAliveHintS(headers);
    if (hint !== undefined && this.conn !== undefined) this.conn.hintMs = hint * 1000;
    this.handler.onHead(this, status, headers);
  }

  onBody(chunk: Buffer): void {
    if (chunk.length > 0) this.bodySeen = true;
    if (!this.finished) this.handler.onData(this, chunk);
  }

  onComplete(keepAlive: boolean): void {
    const conn = this.conn;
    if (this.finished || conn === undefined) return;
    this.finished = true;
    this.conn = undefined;
    conn.release(keepAlive);
    this.handler.onEnd();
  }
}

/** One connection to the origin. */
class Conn {
  exchange: Exchange | undefined;
  idleSince = 0;
  /** Requests completed on this connection (a reused one may meet the keep-alive race). */
  served = 0;
  /** The engine's keep-alive hint (ms), when it sent one. */
  hintMs = 0;
  connected = false;
  private error: Error | undefined;
  private readonly parser: ResponseParser;

  constructor(
    readonly pool: UpstreamPool,
    readonly socket: Socket,
  ) {
    this.parser = new ResponseParser({
      onHead: (s, h) => this.exchange?.onHead(s, h),
      onBody: (c) => this.exchange?.onBody(c),
      onComplete: (k) => this.exchange?.onComplete(k),
    });
    socket.on('data', (d: Buffer) => this.onData(d));
    socket.on('end', () => this.onEnd());
    socket.on('error', (err) => (this.error ??= err));
    socket.on('close', () => this.onClose());
  }

  send(ex: Exchange): void {
    this.exchange = ex;
    ex.conn = this;
    ex.sentAt = this.pool.coarseNow;
    ex.lastAt = this.pool.coarseNow;
    this.parser.reset(false);
    this.socket.ref();
    if (ex.paused) this.socket.pause();
    this.socket.write(ex.payload);
  }

  private onData(d: Buffer): void {
    const ex = this.exchange;
    if (ex === undefined) {
      // Bytes nobody asked for on an idle connection: it cannot be trusted with a request.
      this.discard();
      return;
    }
    ex.lastAt = this.pool.coarseNow;
    ex.bytesIn += d.length;
    try {
      this.parser.feed(d);
    } catch (err) {
      this.failAndClose(err as Error);
    }
  }

  private onEnd(): void {
    const ex = this.exchange;
    // Nothing came back yet: the close handler decides (it may be the keep-alive race).
    if (ex === undefined || ex.bytesIn === 0) return;
    try {
      this.parser.end();
    } catch (err) {
      this.failAndClose(err as Error);
    }
  }

  private onClose(): void {
    this.pool.forget(this);
    const ex = this.exchange;
    this.exchange = undefined;
    if (ex === undefined || ex.finished) return;
    ex.conn = undefined;
    const err =
      this.error ??
      new UpstreamError(
        'UPSTREAM_CLOSED',
        ex.headSeen ? 'upstream closed the connection mid-response' : 'upstream closed the connection',
      );
    // The keep-alive race: the engine closed this idle connection as the request went out. Nothing of a
    // response came back, so the request is sent again, once, on a new connection.
    if (this.served > 0 && ex.bytesIn === 0 && !ex.resent && !this.pool.closing) {
      ex.resent = true;
      this.pool.connectFor(ex);
      return;
    }
    ex.fail(err);
  }

  failAndClose(err: Error): void {
    const ex = this.exchange;
    this.exchange = undefined;
    if (ex !== undefined) ex.conn = undefined;
    this.discard();
    ex?.fail(err);
  }

  /** The response ended: back to the idle list when it may carry another request. */
  release(keepAlive: boolean): void {
    this.exchange = undefined;
    this.served++;
    if (!keepAlive || this.pool.closing || this.socket.destroyed) {
      this.discard();
      return;
    }
    if (this.socket.isPaused()) this.socket.resume();
    this.socket.unref();
    this.idleSince = this.pool.coarseNow;
    this.pool.idle.push(this);
  }

  /** Closes the connection at once (an engine sees its request cancelled). */
  discard(): void {
    this.exchange = undefined;
    this.pool.forget(this);
    this.socket.destroy();
  }
}

/** Connections to one origin (see the module comment). */
export class UpstreamPool {
  readonly idle: Conn[] = [];
  /** Every open connection, busy, idle or still connecting. */
  private readonly all = new Set<Conn>();
  closing = false;
  /**
   * A coarse clock for timeouts (ms), read on the hot path instead of the system clock: set at each sweep,
   * so it lags by at most one sweep period.
   */
  coarseNow = Date.now();
  private sweeper: NodeJS.Timeout | undefined;
  private tickMs: number;
  private readonly host: string;
  private readonly hostname: string;
  private readonly port: number;
  private readonly tls: boolean;

  constructor(
    readonly origin: string,
    private readonly opts: UpstreamPoolOptions,
  ) {
    const u = new URL(origin);
    if (u.protocol !== 'http:' && u.protocol !== 'https:')
      throw new Error(`upstream origin must be http or https: ${origin}`);
    this.tls = u.protocol === 'https:';
    this.host = u.host;
    this.hostname = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;
    this.port = u.port === '' ? (this.tls ? 443 : 80) : Number(u.port);
    const shortest = Math.min(opts.headersTimeoutMs, opts.bodyTimeoutMs, opts.keepAliveTimeoutMs);
    this.tickMs = UpstreamPool.tickFor(shortest);
  }

  /** Sweep period for a timeout: a quarter of it, between 10 ms and 1 s. */
  private static tickFor(timeoutMs: number): number {
    return Math.max(10, Math.min(1000, Math.floor(timeoutMs / 4)));
  }

  /** Sends a request; the handler hears of its response. Returns the request's controller. */
  request(req: UpstreamRequest, handler: UpstreamHandler): UpstreamController {
    const body = req.body ?? Buffer.alloc(0);
    let payload: Buffer;
    try {
      const head = headFor(req, this.host, body.length);
      payload = Buffer.allocUnsafe(head.length + body.length);
      payload.write(head, 0, 'latin1');
      body.copy(payload, head.length);
    } catch (err) {
      const ex = new Exchange(this, Buffer.alloc(0), handler, 0, 0);
      queueMicrotask(() => ex.fail(err as Error));
      return ex;
    }
    const firstByteMs = req.firstByteTimeoutMs ?? this.opts.headersTimeoutMs;
    const idleMs = req.idleTimeoutMs ?? this.opts.bodyTimeoutMs;
    const ex = new Exchange(this, payload, handler, firstByteMs, idleMs);
    if (this.closing) {
      queueMicrotask(() => ex.fail(new UpstreamError('UPSTREAM_CLOSED', 'the upstream pool is closed')));
      return ex;
    }
    // A model with shorter timeouts than the pool's defaults gets a sweep fine enough for them.
    const tick = UpstreamPool.tickFor(Math.min(firstByteMs, idleMs));
    if (tick < this.tickMs) {
      this.tickMs = tick;
      this.stopSweeper();
    }
    this.startSweeper();
    for (;;) {
      const conn = this.idle.pop();
      if (conn === undefined) break;
      if (conn.socket.destroyed || !conn.socket.writable) {
        this.forget(conn);
        continue;
      }
      conn.send(ex);
      return ex;
    }
    this.connectFor(ex);
    return ex;
  }

  /** @internal opens a new connection for `ex`. */
  connectFor(ex: Exchange): void {
    const socket = this.tls
      ? tlsConnect({
          host: this.hostname,
          port: this.port,
          ...(isIP(this.hostname) === 0 ? { servername: this.hostname } : {}),
          ...(this.opts.ca !== undefined ? { ca: this.opts.ca } : {}),
          ALPNProtocols: ['http/1.1'],
        })
      : netConnect({ host: this.hostname, port: this.port });
    socket.setNoDelay(true);
    socket.setKeepAlive(true, 60_000);
    const conn = new Conn(this, socket);
    this.all.add(conn);
    ex.conn = conn;
    conn.exchange = ex;
    const timer = setTimeout(() => {
      if (conn.connected) return;
      conn.failAndClose(
        new UpstreamError(
          'UPSTREAM_CONNECT_TIMEOUT',
          `connect to ${this.origin} timed out after ${this.opts.connectTimeoutMs} ms`,
        ),
      );
    }, this.opts.connectTimeoutMs);
    // A request cancelled (or timed out) while its connection opened destroyed that connection, so a
    // connection that opens still has its request.
    socket.once(this.tls ? 'secureConnect' : 'connect', () => {
      clearTimeout(timer);
      conn.connected = true;
      conn.send(ex);
    });
    socket.once('close', () => clearTimeout(timer));
  }

  /** @internal */
  forget(conn: Conn): void {
    this.all.delete(conn);
    const i = this.idle.indexOf(conn);
    if (i !== -1) this.idle.splice(i, 1);
    if (this.all.size === 0) this.stopSweeper();
  }

  /** Open connections (busy and idle). */
  get connections(): number {
    return this.all.size;
  }

  get idleConnections(): number {
    return this.idle.length;
  }

  private startSweeper(): void {
    if (this.sweeper !== undefined) return;
    this.coarseNow = Date.now();
    this.sweeper = setInterval(() => this.sweep(), this.tickMs);
    this.sweeper.unref();
  }

  private stopSweeper(): void {
    if (this.sweeper === undefined) return;
    clearInterval(this.sweeper);
    this.sweeper = undefined;
  }

  /** Times out silent requests and closes connections idle for too long. */
  private sweep(): void {
    const now = (this.coarseNow = Date.now());
    for (const conn of [...this.all]) {
      const ex = conn.exchange;
      if (ex !== undefined) {
        if (!conn.connected || ex.paused) continue;
        if (!ex.bodySeen) {
          if (now - ex.sentAt > ex.firstByteMs) {
            conn.failAndClose(
              ex.headSeen
                ? new UpstreamError(
                    'UPSTREAM_FIRST_BYTE_TIMEOUT',
                    `response head but no body within ${ex.firstByteMs} ms`,
                  )
                : new UpstreamError('UPSTREAM_HEADERS_TIMEOUT', `no response within ${ex.firstByteMs} ms`),
            );
          }
        } else if (now - ex.lastAt > ex.idleMs) {
          conn.failAndClose(
            new UpstreamError('UPSTREAM_BODY_TIMEOUT', `no response bytes for ${ex.idleMs} ms`),
          );
        }
        continue;
      }
      const limit =
        conn.hintMs > 0
          ? Math.min(this.opts.keepAliveTimeoutMs, conn.hintMs - 1000)
          : this.opts.keepAliveTimeoutMs;
      if (now - conn.idleSince >= limit) conn.discard();
    }
  }

  /** Stops taking requests; idle connections close now, busy ones when their response ends. */
  close(): void {
    this.closing = true;
    for (const conn of [...this.idle]) conn.discard();
  }

  /** Closes every connection now; requests in flight fail. */
  destroy(): void {
    this.closing = true;
    for (const conn of [...this.all])
      conn.failAndClose(new UpstreamError('UPSTREAM_CLOSED', 'the upstream pool was destroyed'));
    this.stopSweeper();
  }
}
