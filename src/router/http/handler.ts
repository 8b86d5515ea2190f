import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RouterContext } from '../context.js';
import { routerErrors, RouterError } from '../errors.js';
import { ProxyCall } from '../proxy/forward.js';
import { admit, prepareProxy, requestIdFrom } from '../request/index.js';
import { readBody } from './body.js';
import { HttpSink } from './http-sink.js';
import { inspectBody } from './inspect.js';
import { routingHeaders } from './request-headers.js';
import { asRouterError, sendError, sendJson } from './respond.js';

/** OpenAI-compatible routes proxied by the `model` in their body, with their `route` metric label. */
const PROXY_ROUTES = new Map<string, string>([
  ['/v1/chat/completions', 'chat'],
  ['/v1/completions', 'completions'],
  ['/v1/embeddings', 'embeddings'],
  ['/v1/rerank', 'rerank'],
  ['/rerank', 'rerank'],
  ['/v2/rerank', 'rerank'],
]);

const UNKNOWN_MODEL = 'unknown';

/** The router's HTTP face: a plain node:http request listener (no framework on the hot path). */
export function createHttpHandler(ctx: RouterContext): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    const route = PROXY_ROUTES.get(path);
    if (route !== undefined) {
      if (req.method !== 'POST')
        return reject(ctx, res, req, routerErrors.methodNotAllowed(req.method ?? '', path), route);
      handleProxy(ctx, req, res, path, route).catch((err: unknown) => {
        ctx.logger.error({ err: err instanceof Error ? err.message : String(err) }, 'request handler failed');
        if (!res.headersSent) sendError(res, asRouterError(err), requestIdFrom(req.headers['x-request-id']));
        else res.destroy();
      });
      return;
    }
    const isGet = req.method === 'GET' || req.method === 'HEAD';
    if (path === '/healthz' || path === '/health') {
      if (!isGet)
        return reject(ctx, res, req, routerErrors.methodNotAllowed(req.method ?? '', path), 'health');
      sendJson(res, 200, JSON.stringify(ctx.health()));
      return;
    }
    if (path === '/metrics') {
      if (!isGet)
        return reject(ctx, res, req, routerErrors.methodNotAllowed(req.method ?? '', path), 'metrics');
      ctx.metrics.registry.metrics().then(
        (text) => {
          res.writeHead(200, ['content-type', ctx.metrics.registry.contentType]);
          res.end(text);
        },
        () => sendError(res, asRouterError(undefined), ''),
      );
      return;
    }
    if (path === '/v1/models' || path.startsWith('/v1/models/')) {
      if (!isGet)
        return reject(ctx, res, req, routerErrors.methodNotAllowed(req.method ?? '', path), 'models');
      handleModels(ctx, req, res, path);
      return;
    }
    reject(ctx, res, req, routerErrors.notFound(path), 'other');
  };
}

function reject(
  ctx: RouterContext,
  res: ServerResponse,
  req: IncomingMessage,
  err: RouterError,
  route: string,
): void {
  sendError(res, err, requestIdFrom(req.headers['x-request-id']));
  ctx.metrics.request(UNKNOWN_MODEL, route, err.status, 0);
}

/** Authentication and rate limit; answers and returns false when the request may not go on. */
function admitHttp(
  ctx: RouterContext,
  authorization: string | undefined,
  res: ServerResponse,
  requestId: string,
  route: string,
): boolean {
  const err = admit(ctx, authorization);
  if (err === undefined) return true;
  sendError(res, err, requestId);
  ctx.metrics.request(UNKNOWN_MODEL, route, err.status, 0);
  return false;
}

function handleModels(ctx: RouterContext, req: IncomingMessage, res: ServerResponse, path: string): void {
  const requestId = requestIdFrom(req.headers['x-request-id']);
  if (!admitHttp(ctx, req.headers.authorization, res, requestId, 'models')) return;
  if (path === '/v1/models') {
    sendJson(res, 200, ctx.table.modelsListBody(), ['x-request-id', requestId]);
    ctx.metrics.request(UNKNOWN_MODEL, 'models', 200, 0);
    return;
  }
  let id: string;
  try {
    id = decodeURIComponent(path.slice('/v1/models/'.length));
  } catch {
    id = '';
  }
  const entry = findByRoute(ctx, id);
  if (entry === undefined) {
    sendError(res, routerErrors.modelNotFound(id), requestId);
    ctx.metrics.request(UNKNOWN_MODEL, 'models', 404, 0);
    return;
  }
  sendJson(res, 200, JSON.stringify(entry), ['x-request-id', requestId]);
  ctx.metrics.request(UNKNOWN_MODEL, 'models', 200, 0);
}

/** `/v1/models/{id}`: a routable model by any of its names (uid, served name), listed under its served name. */
function findByRoute(ctx: RouterContext, id: string): Record<string, unknown> | undefined {
  const route = ctx.table.lookup(id);
  if (route === undefined || route.replicas.length === 0 || route.listName === '*') return undefined;
  const entry = { id: route.listName, object: 'model', created: route.created, owned_by: 'nebula' };
  return route.parent === undefined ? entry : { ...entry, parent: route.parent };
}

async function handleProxy(
  ctx: RouterContext,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  routeName: string,
): Promise<void> {
  const startedAt = performance.now();
  const h = routingHeaders(req);
  const requestId = requestIdFrom(h.requestId);
  if (!admitHttp(ctx, h.authorization, res, requestId, routeName)) return;

  let body: Buffer;
  try {
    body = await readBody(req, ctx.maxBodyBytes, h.contentLength);
  } catch (err) {
    const re = asRouterError(err);
    if (re.status === 499) {
      ctx.metrics.request(UNKNOWN_MODEL, routeName, 499, (performance.now() - startedAt) / 1000);
      return;
    }
    sendError(res, re, requestId);
    if (re.status === 413) res.once('finish', () => req.socket.destroy());
    ctx.metrics.request(UNKNOWN_MODEL, routeName, re.status, (performance.now() - startedAt) / 1000);
    return;
  }
  const inspected = inspectBody(body);
  if (inspected instanceof RouterError) {
    sendError(res, inspected, requestId);
    ctx.metrics.request(UNKNOWN_MODEL, routeName, 400, (performance.now() - startedAt) / 1000);
    return;
  }
  const prepared = prepareProxy(ctx, routeName, path, requestId, h, inspected, body);
  if (prepared instanceof RouterError) {
    sendError(res, prepared, requestId);
    ctx.metrics.request(UNKNOWN_MODEL, routeName, prepared.status, (performance.now() - startedAt) / 1000);
    return;
  }
  const span = prepared.span;
  if (span !== undefined) res.once('close', () => span.end({ status: res.statusCode }));
  const sink = new HttpSink(
    res,
    requestId,
    prepared.traceId,
    prepared.route.label,
    routeName,
    startedAt,
    ctx.metrics,
    ctx.logger,
    ctx.accessLog,
  );
  const call = new ProxyCall(ctx.forward, prepared, sink);
  // A stream carries usage only when its client asked for it (or in the last event, when the engine adds it
  // on its own): no need to search the whole tail of every other stream.
  if (inspected.stream && !asksForUsage(inspected.json)) sink.usageWindow = 1024;
  res.on('close', () => {
    if (!res.writableFinished) call.abort(new Error('client closed the connection'));
  });
  // The client may have gone while its body was read: then nothing is sent upstream.
  if (res.destroyed) call.abort(new Error('client closed the connection'));
  call.start();
}

function asksForUsage(json: Record<string, unknown>): boolean {
  const so = json['stream_options'];
  return typeof so === 'object' && so !== null && (so as Record<string, unknown>)['include_usage'] === true;
}
