import { errorMessage } from '../../core/errors.js';
import type { PickRequest } from '../balancers/types.js';
import { routerErrors, type RouterError } from '../errors.js';
import type { RouterMetrics } from '../metrics.js';
import type { ModelRoute } from '../table/endpoint-table.js';
import type { HeldRequest, HoldLimits } from '../table/hold-queue.js';
import type { Replica } from '../table/replica.js';
import {
  classifyUpstreamError,
  type UpstreamController,
  type UpstreamHandler,
  type UpstreamHeaders,
} from '../upstream/index.js';

/** What a sink may ask of its call once the response has started. */
export interface ProxyFlow {
  /** The sink can take data again (after `data` returned false). */
  resume(): void;
}

/**
 * Where an upstream response goes: an HTTP response, or the gRPC mapping. A call tells its sink `head`,
 * `data`* and then one of `end`, `fail(err, true)` or `cancelled`; or, when no response started, one of
 * `fail(err, false)` or `cancelled`.
 */
export interface ProxySink {
  /** The upstream's status and headers; from here on the response is passed through (no more retries). */
  head(status: number, headers: UpstreamHeaders, flow: ProxyFlow): void;
  /** A body chunk; return false to pause the upstream until `flow.resume()`. */
  data(chunk: Buffer): boolean;
  end(): void;
  /**
   * The request failed. Before `head` (`started` false) the sink answers with `err` (a RouterError); after
   * it, the stream is cut short as the engine left it.
   */
  fail(err: RouterError | Error, started: boolean): void;
  /** The client went away (`ProxyCall.abort`): nothing is answered; the sink records the request (499). */
  cancelled(): void;
}

export interface ForwardSettings {
  /** Extra attempts on other replicas after a failure before the first byte. */
  maxRetries: number;
  /** How long a replica that refused a connection is avoided. */
  ejectMs: number;
  /** Retry-After (s) sent with 503 when no replica is ready. */
  retryAfterS: number;
  /** Requests for an idle (autoscaled) model wait for a replica: at most this many per model, this long. */
  hold?: HoldLimits | undefined;
  /** A request was held for `route` (the router asks for a wake). */
  onHold?: ((route: ModelRoute) => void) | undefined;
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
 *
 * The call is itself the upstream handler of each attempt (one attempt is in flight at a time: the next
 * starts only once the last one failed), and the flow its sink resumes, so a request allocates nothing
 * per attempt beyond the upstream request.
 */
export class ProxyCall implements UpstreamHandler, ProxyFlow, HeldRequest {
  private readonly tried: string[] = [];
  /** The attempt in flight: its replica (which counts it as outstanding until it ends) and controller. */
  private replica: Replica | undefined;
  private controller: UpstreamController | undefined;
  private aborted = false;
  private abortReason: Error | undefined;
  private lastError: string | undefined;
  private rewritten: Map<string, Buffer> | undefined;
  /** The response head went to the sink: no more retries. */
  private started = false;
  /** Un-holds this call while it waits for an idle model's replica. */
  private unhold: (() => void) | undefined;
  private heldAt = 0;

  constructor(
    private readonly settings: ForwardSettings,
    private readonly req: ForwardRequest,
    private readonly sink: ProxySink,
  ) {}

  start(): void {
    const route = this.req.route;
    route.requests++;
    route.lastRequestAt = this.settings.now();
    if (this.aborted) this.sink.cancelled();
    else this.next();
  }

  /** The client went away: cancel the upstream request (the engine sees the connection close). */
  abort(reason: Error): void {
    if (this.aborted) return;
    this.aborted = true;
    this.abortReason = reason;
    if (this.unhold) {
      this.unhold();
      this.unhold = undefined;
      this.settings.metrics.heldEnded(this.req.route.label, 'cancelled', this.settings.now() - this.heldAt);
      this.sink.cancelled();
      return;
    }
    this.controller?.abort(reason);
  }

  // HeldRequest: the call waits in its model's hold queue (idle model, wake asked).

  resume(): void {
    if (this.unhold) {
      this.unhold = undefined;
      this.settings.metrics.heldEnded(this.req.route.label, 'served', this.settings.now() - this.heldAt);
      this.next();
      return;
    }
    this.controller?.resume();
  }

  expire(why: 'timeout' | 'gone'): void {
    this.unhold = undefined;
    this.settings.metrics.heldEnded(this.req.route.label, why, this.settings.now() - this.heldAt);
    this.fail(
      why === 'gone'
        ? routerErrors.modelNotFound(this.req.model)
        : routerErrors.noReplica(this.req.model, this.settings.retryAfterS),
      false,
    );
  }

  /** Holds the call for an idle model's replica; false when it may not wait (not autoscaled, or full). */
  private hold(): boolean {
    const { route } = this.req;
    const limits = this.settings.hold;
    if (!route.wakeable || limits === undefined || this.tried.length > 0) return false;
    const unhold = route.holds.add(this, limits);
    if (unhold === false) {
      this.settings.metrics.heldEnded(route.label, 'full', 0);
      return false;
    }
    this.unhold = unhold;
    this.heldAt = this.settings.now();
    this.settings.onHold?.(route);
    return true;
  }

  private next(): void {
    const { route } = this.req;
    const replica = this.choose();
    if (replica === undefined) {
      if (this.hold()) return;
      this.fail(
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
    this.replica = replica;
    const t = replica.target;
    const body = this.bodyFor(replica);
    const headers =
      t.authorization === undefined
        ? this.req.headers
        : [...this.req.headers, 'authorization', t.authorization];
    const timeouts = route.timeouts;
    // The upstream never calls back before request() returns (its failures come in a microtask).
    const controller = replica.upstream.request(
      {
        path: t.basePath + this.req.path,
        method: 'POST',
        headers,
        body,
        firstByteTimeoutMs: timeouts?.firstByteMs,
        idleTimeoutMs: timeouts?.idleMs,
      },
      this,
    );
    this.controller = controller;
    if (this.aborted) controller.abort(this.abortReason ?? new Error('aborted'));
  }

  /** Whether another attempt is allowed and possible. */
  private canRetry(): boolean {
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
    const fields = replica.target.bodyFields;
    if (this.req.json === undefined) return this.req.body;
    if ((served === undefined || served === this.req.model) && fields === undefined) return this.req.body;
    this.rewritten ??= new Map();
    // Replicas of one route share a rewrite unless they select differently (llama.cpp adapter ids).
    const key = fields === undefined ? (served ?? '') : `${served ?? ''}|${JSON.stringify(fields)}`;
    let b = this.rewritten.get(key);
    if (b === undefined) {
      b = Buffer.from(JSON.stringify({ ...this.req.json, model: served ?? this.req.model, ...fields }));
      this.rewritten.set(key, b);
    }
    return b;
  }

  /** The sink hears of a failure, unless the client has gone (then only that it was cancelled). */
  private fail(err: RouterError | Error, started: boolean): void {
    if (this.aborted) this.sink.cancelled();
    else this.sink.fail(err, started);
  }

  /** The attempt ended: its replica no longer counts it. Returns that replica. */
  private release(): Replica | undefined {
    const replica = this.replica;
    if (replica !== undefined) {
      this.replica = undefined;
      replica.outstanding--;
    }
    return replica;
  }

  // The upstream handler of the attempt in flight (UpstreamHandler).

  onHead(controller: UpstreamController, statusCode: number, headers: UpstreamHeaders): void {
    if ((statusCode >= 500 || statusCode === 429) && this.canRetry()) {
      controller.abort(new RetrySignal(statusCode));
      return;
    }
    if (statusCode >= 500) this.settings.metrics.upstreamError(this.req.route.label, 'http_5xx');
    else if (statusCode === 429) this.settings.metrics.upstreamError(this.req.route.label, 'http_429');
    this.started = true;
    this.sink.head(statusCode, headers, this);
  }

  onData(controller: UpstreamController, chunk: Buffer): void {
    if (!this.sink.data(chunk)) controller.pause();
  }

  onEnd(): void {
    this.release();
    this.sink.end();
  }

  onError(err: Error): void {
    const replica = this.release();
    if (this.started) {
      const timeout = classifyUpstreamError(err) === 'timeout';
      if (!this.aborted)
        this.settings.metrics.upstreamError(this.req.route.label, timeout ? 'timeout' : 'reset');
      this.fail(timeout ? routerErrors.upstreamTimeout(this.req.model, err.message) : err, true);
      return;
    }
    this.failedBeforeStart(replica, err);
  }

  /** An attempt ended before any byte was passed on: retry on another replica, or answer with the error. */
  private failedBeforeStart(replica: Replica | undefined, err: Error): void {
    const model = this.req.route.label;
    if (this.aborted) {
      this.sink.cancelled();
      return;
    }
    if (err instanceof RetrySignal) {
      this.settings.metrics.upstreamError(model, err.status === 429 ? 'http_429' : 'http_5xx');
      this.lastError = err.message;
    } else {
      const kind = classifyUpstreamError(err);
      this.settings.metrics.upstreamError(model, kind);
      if (kind === 'connect' && replica !== undefined)
        replica.ejectedUntil = this.settings.now() + this.settings.ejectMs;
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
}
