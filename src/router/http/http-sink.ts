import type { ServerResponse } from 'node:http';
import type { Logger } from '../../core/logger.js';
import { RouterError, routerErrors } from '../errors.js';
import type { RouterMetrics } from '../metrics.js';
import type { ProxyFlow, ProxySink } from '../proxy/forward.js';
import { asRouterError, sendError } from './respond.js';
import { UsageTail } from './usage-tail.js';
import type { UpstreamHeaders } from '../upstream/index.js';

/** A non-streamed body is held up to this size (then passed on in pieces of it). */
const HOLD_LIMIT = 64 * 1024;

/**
 * Passes an upstream response to the client byte for byte: the status, the few headers that describe the
 * body, then the body. A stream goes out as it arrives (chunks received together are written together, at
 * the end of the same tick; no compression), pausing the upstream when the client reads slowly; a JSON body
 * leaves with its headers in one write. Records the request's metrics when it ends.
 */
export class HttpSink implements ProxySink {
  /** How far from the end of the response usage is looked for (see UsageTail.usage). */
  usageWindow: number | undefined;
  private streaming = false;
  private sawData = false;
  private status = 0;
  private chunked = true;
  private readonly tail = new UsageTail();
  private drainHooked = false;
  private finished = false;
  /** The call's flow control, from `head` on. */
  private flow: ProxyFlow | undefined;
  /** Chunks received and not yet written (this tick's SSE events, or a JSON body until its end). */
  private readonly pending: Buffer[] = [];
  private pendingBytes = 0;
  private flushQueued = false;
  private writable = true;

  constructor(
    private readonly res: ServerResponse,
    private readonly requestId: string,
    private readonly traceId: string,
    private readonly model: string,
    private readonly route: string,
    private readonly startedAt: number,
    private readonly metrics: RouterMetrics,
    private readonly logger: Logger,
    /** Log one line per request (debug level; decided once at start, not per request). */
    private readonly accessLog: boolean,
  ) {}

  head(status: number, headers: UpstreamHeaders, flow: ProxyFlow): void {
    this.status = status;
    this.flow = flow;
    const out: string[] = ['x-request-id', this.requestId];
    const ct = headers['content-type'];
    if (typeof ct === 'string') {
      out.push('content-type', ct);
      this.streaming = ct.startsWith('text/event-stream');
    }
    // A length the engine declared is passed on, for streams too (an engine that wrote its whole stream at
    // once); without one the client gets the chunks as they come.
    const len = headers['content-length'];
    if (typeof len === 'string') {
      out.push('content-length', len);
      this.chunked = false;
    }
    if (this.streaming) out.push('cache-control', 'no-cache', 'x-accel-buffering', 'no');
    const ra = headers['retry-after'];
    if (typeof ra === 'string') out.push('retry-after', ra);
    this.res.writeHead(status, out);
    if (this.streaming) {
      // Clients see the stream open as soon as the engine opens it, not with the first token: when the first
      // event did not come in the same read as the engine's headers, the head leaves on its own once this read
      // is handled (a microtask runs after the whole read); when it did (the usual case with a fast engine),
      // both leave in one write.
      queueMicrotask(this.openStream);
      this.metrics.activeStreams.inc();
    }
  }

  private readonly openStream = (): void => {
    if (!this.sawData && !this.res.headersSent && !this.res.destroyed) this.res.flushHeaders();
  };

  data(chunk: Buffer): boolean {
    if (!this.sawData) {
      this.sawData = true;
      if (this.streaming) this.metrics.firstToken(this.model, (performance.now() - this.startedAt) / 1000);
    }
    this.tail.push(chunk);
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
    if (this.streaming) {
      // Engines send one HTTP chunk per SSE event and several arrive in one read: they are written together
      // at the end of this tick (a write per event costs more than the copy), so nothing waits longer.
      if (!this.flushQueued) {
        this.flushQueued = true;
        queueMicrotask(this.flush);
      }
    } else if (this.pendingBytes >= HOLD_LIMIT) {
      this.flush();
    }
    // A JSON body is held until end(): headers and body then leave in one write.
    return this.writable;
  }

  /** Writes what is pending; a full socket pauses the upstream until it drains. */
  private readonly flush = (): void => {
    this.flushQueued = false;
    const buf = this.takePending();
    if (buf === undefined || this.res.destroyed) return;
    if (this.res.write(buf)) return;
    this.writable = false;
    if (!this.drainHooked) {
      this.drainHooked = true;
      this.res.on('drain', () => {
        this.writable = true;
        this.flow?.resume();
      });
    }
  };

  private takePending(): Buffer | undefined {
    const n = this.pending.length;
    if (n === 0) return undefined;
    const buf = n === 1 ? (this.pending[0] as Buffer) : Buffer.concat(this.pending, this.pendingBytes);
    this.pending.length = 0;
    this.pendingBytes = 0;
    return buf;
  }

  end(): void {
    const rest = this.takePending();
    if (rest !== undefined) this.res.end(rest);
    else this.res.end();
    this.done(this.status);
    if (this.status < 400) {
      const u = this.tail.usage(this.usageWindow);
      if (u !== undefined) this.metrics.usage(this.model, u.prompt, u.completion);
    }
  }

  cancelled(): void {
    // The client is gone; nothing to answer. 499 as nginx logs it.
    if (!this.res.destroyed) this.res.destroy();
    this.done(499);
  }

  fail(err: RouterError | Error, started: boolean): void {
    if (!started) {
      const re = err instanceof RouterError ? err : asRouterError(err);
      if (!(err instanceof RouterError))
        this.logger.warn({ err: err.message, request_id: this.requestId }, 'proxy failed');
      sendError(this.res, re, this.requestId);
      this.done(re.status);
      return;
    }
    this.logger.warn(
      { err: err.message, request_id: this.requestId, model: this.model },
      'upstream ended mid-response',
    );
    // A chunked stream ends with an SSE error event (OpenAI's error shape, and no [DONE]) so clients can tell
    // a cut-off answer from a complete one; a sized body cannot end early, so the connection is cut and the
    // client sees a short body.
    const rest = this.takePending();
    if (!this.chunked) this.res.destroy();
    else {
      if (rest !== undefined) this.res.write(rest);
      if (this.streaming) {
        const re =
          err instanceof RouterError ? err : routerErrors.upstreamInterrupted(this.model, err.message);
        this.res.write(`${rest === undefined || rest.at(-1) === 0x0a ? '' : '\n\n'}data: ${re.toBody()}\n\n`);
      }
      this.res.end();
    }
    this.done(this.status);
  }

  private done(status: number): void {
    if (this.finished) return;
    this.finished = true;
    if (this.streaming) this.metrics.activeStreams.dec();
    const seconds = (performance.now() - this.startedAt) / 1000;
    this.metrics.request(this.model, this.route, status, seconds);
    if (this.accessLog) {
      this.logger.debug(
        {
          request_id: this.requestId,
          trace_id: this.traceId,
          model: this.model,
          route: this.route,
          status,
          ms: seconds * 1000,
        },
        'request',
      );
    }
  }
}
