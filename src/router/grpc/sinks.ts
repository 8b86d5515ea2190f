import {
  Metadata,
  type ServerErrorResponse,
  type ServerWritableStream,
  type sendUnaryData,
} from '@grpc/grpc-js';
import type { Logger } from '../../core/logger.js';
import type { TraceSpan } from '../../core/tracing.js';
import { SseParser } from '../../core/sse.js';
import { RouterError } from '../errors.js';
import type { RouterMetrics } from '../metrics.js';
import type { ProxyFlow, ProxySink } from '../proxy/forward.js';
import {
  errorMessageOf,
  grpcCodeFor,
  toPredictChunk,
  toPredictResponse,
  type PredictChunkMsg,
  type PredictRequestMsg,
  type PredictResponseMsg,
} from './mapping.js';
import type { UpstreamHeaders } from '../upstream/index.js';

const MAX_UNARY_BYTES = 16 * 1024 * 1024;

/** A gRPC error with the status code matching an HTTP status (and Retry-After as metadata). */
export function grpcError(
  status: number,
  message: string,
  retryAfterS?: number | string,
): ServerErrorResponse {
  const metadata = new Metadata();
  if (retryAfterS !== undefined) metadata.set('retry-after', String(retryAfterS));
  return Object.assign(new Error(message), { code: grpcCodeFor(status), details: message, metadata });
}

export function grpcErrorOf(err: RouterError): ServerErrorResponse {
  return grpcError(err.status, err.message, err.retryAfterS);
}

export interface SinkCommon {
  requestId: string;
  model: string;
  route: string;
  startedAt: number;
  metrics: RouterMetrics;
  logger: Logger;
  /** The router's span for the call (tracing on): ended with the call's status. */
  span: TraceSpan | undefined;
}

/** Collects a non-streamed completion and answers the unary Predict call. */
export class UnarySink implements ProxySink {
  private status = 0;
  private retryAfter: string | undefined;
  private readonly chunks: Buffer[] = [];
  private bytes = 0;
  private answered = false;

  constructor(
    private readonly callback: sendUnaryData<PredictResponseMsg>,
    private readonly c: SinkCommon,
  ) {}

  head(status: number, headers: UpstreamHeaders): void {
    this.status = status;
    const ra = headers['retry-after'];
    if (typeof ra === 'string') this.retryAfter = ra;
  }

  data(chunk: Buffer): boolean {
    this.bytes += chunk.length;
    if (this.bytes <= MAX_UNARY_BYTES) this.chunks.push(chunk);
    return true;
  }

  end(): void {
    const text = Buffer.concat(this.chunks).toString('utf8');
    if (this.bytes > MAX_UNARY_BYTES) return this.reply(grpcError(502, 'upstream response too large'), 502);
    if (this.status !== 200) {
      return this.reply(
        grpcError(this.status, errorMessageOf(text, this.status), this.retryAfter),
        this.status,
      );
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return this.reply(grpcError(502, 'upstream answered with invalid JSON'), 502);
    }
    const out = toPredictResponse(json, this.c.requestId);
    if (out.usage) this.c.metrics.usage(this.c.model, out.usage.prompt_tokens, out.usage.completion_tokens);
    this.reply(null, 200, out);
  }

  cancelled(): void {
    this.record(499);
  }

  fail(err: RouterError | Error, started: boolean): void {
    if (err instanceof RouterError) return this.reply(grpcErrorOf(err), err.status);
    this.c.logger.warn({ err: err.message, request_id: this.c.requestId }, 'grpc predict failed');
    this.reply(grpcError(502, started ? 'upstream ended mid-response' : err.message), 502);
  }

  private reply(err: ServerErrorResponse | null, status: number, value?: PredictResponseMsg): void {
    if (this.answered) return;
    this.answered = true;
    if (err !== null) this.callback(err);
    else this.callback(null, value);
    this.record(status);
  }

  private record(status: number): void {
    this.c.metrics.request(this.c.model, this.c.route, status, (performance.now() - this.c.startedAt) / 1000);
    this.c.span?.end({ status });
  }
}

/** Maps a streamed completion onto StreamPredict: one PredictChunk per SSE event with text, finish or usage. */
export class StreamSink implements ProxySink {
  private status = 0;
  private retryAfter: string | undefined;
  private errorBody = '';
  private readonly parser = new SseParser();
  private sawData = false;
  private finished = false;
  private writable = true;
  private drainHooked = false;
  /** The call's flow control, from `head` on. */
  private flow: ProxyFlow | undefined;

  constructor(
    private readonly stream: ServerWritableStream<PredictRequestMsg, PredictChunkMsg>,
    private readonly c: SinkCommon,
  ) {}

  head(status: number, headers: UpstreamHeaders, flow: ProxyFlow): void {
    this.status = status;
    this.flow = flow;
    const ra = headers['retry-after'];
    if (typeof ra === 'string') this.retryAfter = ra;
    if (status === 200) this.c.metrics.activeStreams.inc();
  }

  data(chunk: Buffer): boolean {
    if (this.status !== 200) {
      if (this.errorBody.length < 65536) this.errorBody += chunk.toString('utf8');
      return true;
    }
    if (!this.sawData) {
      this.sawData = true;
      this.c.metrics.firstToken(this.c.model, (performance.now() - this.c.startedAt) / 1000);
    }
    this.writable = true;
    for (const ev of this.parser.push(chunk)) this.onEvent(ev.data);
    if (!this.writable && !this.drainHooked) {
      this.drainHooked = true;
      this.stream.on('drain', () => this.flow?.resume());
    }
    return this.writable;
  }

  private onEvent(data: string): void {
    if (data === '[DONE]') return;
    let json: unknown;
    try {
      json = JSON.parse(data);
    } catch {
      return;
    }
    const chunk = toPredictChunk(json, this.c.requestId);
    if (chunk === undefined) return;
    if (chunk.usage)
      this.c.metrics.usage(this.c.model, chunk.usage.prompt_tokens, chunk.usage.completion_tokens);
    if (!this.stream.write(chunk)) this.writable = false;
  }

  end(): void {
    if (this.status !== 200) {
      return this.finish(
        grpcError(this.status, errorMessageOf(this.errorBody, this.status), this.retryAfter),
        this.status,
      );
    }
    for (const ev of this.parser.end()) this.onEvent(ev.data);
    this.finish(null, 200);
  }

  cancelled(): void {
    this.finish(null, 499, true);
  }

  fail(err: RouterError | Error, started: boolean): void {
    if (err instanceof RouterError) return this.finish(grpcErrorOf(err), err.status);
    this.c.logger.warn({ err: err.message, request_id: this.c.requestId }, 'grpc stream failed');
    this.finish(
      grpcError(502, started ? 'upstream ended mid-stream' : err.message),
      started ? this.status : 502,
    );
  }

  private finish(err: ServerErrorResponse | null, status: number, cancelled = false): void {
    if (this.finished) return;
    this.finished = true;
    if (this.status === 200) this.c.metrics.activeStreams.dec();
    if (!cancelled) {
      if (err !== null) this.stream.emit('error', err);
      else this.stream.end();
    }
    this.c.metrics.request(this.c.model, this.c.route, status, (performance.now() - this.c.startedAt) / 1000);
    this.c.span?.end({ status });
  }
}
