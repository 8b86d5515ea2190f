import { errorMessage } from '../../core/errors.js';
import type { PickRequest } from '../balancers/types.js';
import { routerErrors, type RouterError } from '../errors.js';
import type { RouterMetrics } from '../metrics.js';
import type { ModelRoute } from '../table/endpoint-table.js';
import type { Replica } from '../table/replica.js';
import {
  classifyUpstreamError,
  type UpstreamController,
  type UpstreamHandler,
  type UpstreamHeaders,
} from '../upstream/index.js';

/** Where an upstream response goes: an HTTP response, or the gRPC mapping. */
export interface ProxySink {
  /** The upstream's status and headers; from here on the response is passed through (no more retries). */
  head(status: number, headers: UpstreamHeaders, replica: Replica): void;
  /** A body chunk; return false to pause the upstream until `ProxyCall.resume()`. */
  data(chunk: Buffer): boolean;
  end(): void;
  /**
   * The request failed. Before `head` (`started` false) the sink answers with `err` (a RouterError); after
   * it, the stream is cut short as the engine left it.
   */
  fail(err: RouterError | Error, started: boolean): void;
}

export interface ForwardSettings {
  /** Extra attempts on other replicas after a failure before the first byte. */
  maxRetries: number;
  /** How long a replica that refused a connection is avoided. */
  ejectMs: number;
  /** Retry-After (s) sent with 503 when no replica is ready. */
  retryAfterS: number;
  metrics: RouterMetrics;
  now: () => number;
}

export interface ForwardRequest {
  route: ModelRoute;
  /** Request path sent upstream (after the target's base path). */
  path: string;
  body: Buffer;
  /** The model the client asked for; when a replica serves it under another name the body is rewritten. */
  model: string;
  /** Parsed body, used only for that rewrite. */
  json: Record<string, unknown> | undefined;
  /** Headers for the upstream, flat `[name, value, ...]` (request id, traceparent, content type). */
  headers: string[];
  pick: PickRequest;
}

class RetrySignal extends Error {
  constructor(readonly status: number) {
    super(`upstream answered ${status}`);
  }
}

/**
 * One proxied request: picks a replica, sends the original bytes, and passes the answer to the sink as it
 * arrives. Connect errors and 5xx (or 429) answers before the first byte are retried on another replica, at
 * most `maxRetries` times and never twice on one replica; anything after the first byte is final.
 */
export class ProxyCall {
  private tried: string[] = [];
  private attempt: Attempt | undefined;
  private aborted = false;
  private abortReason: Error | undefined;
  private lastError: string | undefined;
  private rewritten: Map<string, Buffer> | undefined;
  started = false;

  constructor(
    private readonly settings: ForwardSettings,
    private readonly req: ForwardRequest,
    private readonly sink: ProxySink,
  ) {}

  start(): void {
    if (this.aborted) this.sink.fail(this.abortReason ?? new Error('aborted'), false);
    else this.next();
  }

  /** The client went away: cancel the upstream request (the engine sees the connection close). */
  abort(reason: Error): void {
    if (this.aborted) return;
    this.aborted = true;
    this.abortReason = reason;
    this.attempt?.controller?.abort(reason);
  }

  get isAborted(): boolean {
    return this.aborted;
  }

  /** The sink can take data again. */
  resume(): void {
    this.attempt?.controller?.resume();
  }

  private next(): void {
    const { route } = this.req;
    const replica = this.choose();
    if (replica === undefined) {
      this.sink.fail(
        this.lastError === undefined
          ? routerErrors.noReplica(this.req.model, this.settings.retryAfterS)
          : routerErrors.upstreamFailed(this.req.model, this.lastError),
        false,
      );
      return;
    }
    if (this.tried.length > 0) this.settings.metrics.retry(route.label);
    this.tried.push(replica.id);
    replica.outstanding++;
    const attempt = new Attempt(this, replica);
    this.attempt = attempt;
    const t = replica.target;
    const body = this.bodyFor(replica);
    const headers =
      t.authorization === undefined
        ? this.req.headers
        : [...this.req.headers, 'authorization', t.authorization];
    const timeouts = route.timeouts;
    attempt.controller = replica.upstream.request(
      {
        path: t.basePath + this.req.path,
        method: 'POST',
        headers,
        body,
        firstByteTimeoutMs: timeouts?.firstByteMs,
        idleTimeoutMs: timeouts?.idleMs,
      },
      attempt,
    );
    if (this.aborted) attempt.controller.abort(this.abortReason ?? new Error('aborted'));
  }

  /** Whether another attempt is allowed and possible. */
  canRetry(): boolean {
    if (this.aborted || this.tried.length > this.settings.maxRetries) return false;
    for (const r of this.req.route.replicas) if (!this.tried.includes(r.id)) return true;
    return false;
  }

  private choose(): Replica | undefined {
    const replicas = this.req.route.replicas;
    if (replicas.length === 0) return undefined;
    const now = this.settings.now();
    let ejected = 0;
    let untriedFree = 0;
    for (const r of replicas) {
      const tried = this.tried.includes(r.id);
      if (r.ejectedUntil > now) ejected++;
      else if (!tried) untriedFree++;
    }
    let pick = this.req.pick;
    if (this.tried.length > 0 || ejected > 0) {
      const exclude = new Set(this.tried);
      // Ejected replicas sit out only while another replica can take the request.
      if (untriedFree > 0) for (const r of replicas) if (r.ejectedUntil > now) exclude.add(r.id);
      pick = { ...pick, exclude };
    }
    return this.req.route.balancer.pick(replicas, pick);
  }

  private bodyFor(replica: Replica): Buffer {
    const served = replica.target.servedName;
    if (served === undefined || served === this.req.model || this.req.json === undefined)
      return this.req.body;
    this.rewritten ??= new Map();
    let b = this.rewritten.get(served);
    if (b === undefined) {
      b = Buffer.from(JSON.stringify({ ...this.req.json, model: served }));
      this.rewritten.set(served, b);
    }
    return b;
  }

  /** @internal an attempt ended before any byte was passed on. */
  failedBeforeStart(attempt: Attempt, err: Error): void {
    const replica = attempt.replica;
    const model = this.req.route.label;
    if (this.aborted) {
      this.sink.fail(this.abortReason ?? err, false);
      return;
    }
    if (err instanceof RetrySignal) {
      this.settings.metrics.upstreamError(model, err.status === 429 ? 'http_429' : 'http_5xx');
      this.lastError = err.message;
    } else {
      const kind = classifyUpstreamError(err);
      this.settings.metrics.upstreamError(model, kind);
      if (kind === 'connect') replica.ejectedUntil = this.settings.now() + this.settings.ejectMs;
      this.lastError = errorMessage(err);
      // The model's first-byte timeout is the client's whole wait: no second try after it (the request may
      // still be running on that engine, and a retry would double the wait), and no ejection for one slow
      // request (a hung engine leaves the table through its failing readiness probe).
      if (kind === 'timeout') {
        this.sink.fail(routerErrors.upstreamTimeout(this.req.model, this.lastError), false);
        return;
      }
    }
    if (this.canRetry()) this.next();
    else this.sink.fail(routerErrors.upstreamFailed(this.req.model, this.lastError), false);
  }

  /** @internal */
  get sinkRef(): ProxySink {
    return this.sink;
  }

  /** @internal the model as the client named it (for error messages). */
  get clientModel(): string {
    return this.req.model;
  }

  /** @internal */
  get modelLabel(): string {
    return this.req.route.label;
  }

  /** @internal */
  get metrics(): RouterMetrics {
    return this.settings.metrics;
  }

  /** @internal */
  get abortError(): Error | undefined {
    return this.abortReason;
  }
}

/** One try on one replica (the upstream pool's handler). */
class Attempt implements UpstreamHandler {
  controller: UpstreamController | undefined;
  private done = false;

  constructor(
    private readonly call: ProxyCall,
    readonly replica: Replica,
  ) {}

  onHead(controller: UpstreamController, statusCode: number, headers: UpstreamHeaders): void {
    if ((statusCode >= 500 || statusCode === 429) && this.call.canRetry()) {
      controller.abort(new RetrySignal(statusCode));
      return;
    }
    if (statusCode >= 500) this.call.metrics.upstreamError(this.call.modelLabel, 'http_5xx');
    else if (statusCode === 429) this.call.metrics.upstreamError(this.call.modelLabel, 'http_429');
    this.call.started = true;
    this.call.sinkRef.head(statusCode, headers, this.replica);
  }

  onData(controller: UpstreamController, chunk: Buffer): void {
    if (!this.call.sinkRef.data(chunk)) controller.pause();
  }

  onEnd(): void {
    this.finish();
    this.call.sinkRef.end();
  }

  onError(err: Error): void {
    this.finish();
    if (this.call.started) {
      const timeout = classifyUpstreamError(err) === 'timeout';
      if (!this.call.isAborted)
        this.call.metrics.upstreamError(this.call.modelLabel, timeout ? 'timeout' : 'reset');
      this.call.sinkRef.fail(
        timeout ? routerErrors.upstreamTimeout(this.call.clientModel, err.message) : err,
        true,
      );
      return;
    }
    this.call.failedBeforeStart(this, err);
  }

  private finish(): void {
    if (this.done) return;
    this.done = true;
    this.replica.outstanding--;
  }
}
