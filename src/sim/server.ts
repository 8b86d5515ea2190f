import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';
import { systemClock, type Clock } from '../core/clock.js';
import { listen } from '../core/listen.js';
import { silentLogger, type Logger } from '../core/logger.js';
import { nebulaVersion } from '../core/version.js';
import type { RequestMeta, SimContext } from './context.js';
import { GenerationService } from './generation.js';
import { OpenAiHttpError, readJson, sendError, sendJson } from './http.js';
import { SimMetrics } from './metrics.js';
import { resolveSimOptions, type ResolvedSimOptions, type SimOptionsInput } from './options.js';
import { embeddings, rerankDocuments } from './pooling.js';

/** Injected dependencies; all optional. */
export interface EngineSimDeps {
  /** Per-request lines are logged at debug level only. */
  logger?: Logger;
  /** Where the vllm:* metrics live; a fresh Registry by default (never prom-client's global one). */
  registry?: Registry;
  clock?: Clock;
  /** Source for --fail-rate decisions (tests make it deterministic). */
  random?: () => number;
}

/** Engine state at a glance (tests and benchmarks). */
export interface SimSnapshot {
  ready: boolean;
  running: number;
  waiting: number;
  kvUsage: number;
  prefixCacheBlocks: number;
}

export interface EngineSimHandle {
  port: number;
  host: string;
  /** Base URL, e.g. http://127.0.0.1:8000 (the OpenAI base URL is `${url}/v1`). */
  url: string;
  options: ResolvedSimOptions;
  registry: Registry;
  snapshot(): SimSnapshot;
  /** Stops accepting, lets running requests finish (up to shutdownGraceMs), then closes. Idempotent. */
  stop(): Promise<void>;
}

const BODY_LIMIT = 32 * 1024 * 1024;
const REQUEST_ID_RE = /^[A-Za-z0-9._:-]{1,128}$/;
const TRACEPARENT_RE = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

type PostHandler = (res: ServerResponse, body: unknown, meta: RequestMeta) => void;

/**
 * Starts the engine simulator: an OpenAI-compatible HTTP server that looks like vLLM from outside
 * (endpoints, response and SSE formats, error shapes, /health, vllm:* metrics) and models its scheduling:
 * a bounded running batch, a FIFO waiting queue, a paged KV cache with prefix caching, TTFT and ITL.
 * Written on node:http directly so a zero-latency request costs microseconds.
 */
export async function startEngineSim(
  options: SimOptionsInput,
  deps: EngineSimDeps = {},
): Promise<EngineSimHandle> {
  const opts = resolveSimOptions(options);
  const clock = deps.clock ?? systemClock;
  const logger = deps.logger ?? silentLogger();
  // The gauges read the generation service at scrape time; it is created just below.
  const metrics = new SimMetrics(
    opts.servedModelName,
    {
      running: () => generation.scheduler.runningCount,
      waiting: () => generation.scheduler.waitingCount,
      kvUsage: () => generation.kvUsage(),
    },
    deps.registry,
  );
  const ctx: SimContext = {
    opts,
    clock,
    logger,
    debug: logger.isLevelEnabled('debug'),
    metrics,
    random: deps.random ?? Math.random,
  };
  const generation = new GenerationService(ctx);

  const startedAt = clock.now();
  const ready = (): boolean => clock.now() - startedAt >= opts.startupMs;
  let closing = false;
  const idPrefix = randomBytes(4).toString('hex');
  let seq = 0;
  const created = Math.floor(clock.now() / 1000);

  const post: Record<string, PostHandler> = {
    '/v1/chat/completions': (res, body, meta) => generation.handle('chat', res, body, meta),
    '/v1/completions': (res, body, meta) => generation.handle('completion', res, body, meta),
    '/v1/embeddings': (res, body, meta) => sendJson(res, 200, embeddings(ctx, body, meta), meta.headers),
    '/v1/rerank': (res, body, meta) => sendJson(res, 200, rerankDocuments(ctx, body, meta), meta.headers),
    '/rerank': (res, body, meta) => sendJson(res, 200, rerankDocuments(ctx, body, meta), meta.headers),
    '/v2/rerank': (res, body, meta) => sendJson(res, 200, rerankDocuments(ctx, body, meta), meta.headers),
  };

  const unavailable = (message: string) => new OpenAiHttpError(503, message, 'ServiceUnavailableError');

  const logFailure = (meta: RequestMeta, err: OpenAiHttpError): void => {
    if (!ctx.debug) return;
    logger.debug(
      {
        request_id: meta.requestId,
        traceparent: meta.traceparent,
        path: meta.path,
        status: err.status,
        error: err.message,
      },
      'request',
    );
  };

  const handleGet = async (path: string, res: ServerResponse): Promise<void> => {
    switch (path) {
      case '/health':
        res.writeHead(ready() && !closing ? 200 : 503, { 'content-length': 0 });
        res.end();
        return;
      case '/metrics': {
        const text = await metrics.registry.metrics();
        res.writeHead(200, {
          'content-type': metrics.registry.contentType,
          'content-length': Buffer.byteLength(text),
        });
        res.end(text);
        return;
      }
      case '/v1/models':
        if (!ready()) return sendError(res, unavailable('model is loading'));
        return sendJson(
          res,
          200,
          JSON.stringify({
            object: 'list',
            data: [
              {
                id: opts.servedModelName,
                object: 'model',
                created,
                owned_by: 'nebula-sim',
                root: opts.model,
                parent: null,
                max_model_len: opts.maxModelLen,
                permission: [],
              },
            ],
          }),
        );
      case '/version':
        return sendJson(res, 200, JSON.stringify({ version: `nebula-sim ${nebulaVersion()}` }));
      default:
        return notFound(res, path);
    }
  };

  const handlePost = async (path: string, req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const handler = post[path];
    if (!handler) return notFound(res, path);
    const rid = req.headers['x-request-id'];
    const tp = req.headers['traceparent'];
    const requestId =
      typeof rid === 'string' && REQUEST_ID_RE.test(rid) ? rid : `${idPrefix}${(++seq).toString(16)}`;
    const meta: RequestMeta = {
      requestId,
      traceparent: typeof tp === 'string' && TRACEPARENT_RE.test(tp) ? tp : undefined,
      path,
      arrival: clock.now(),
      headers: { 'x-request-id': requestId },
    };
    try {
      if (closing) throw unavailable('engine is shutting down');
      if (!ready()) throw unavailable('model is loading');
      const body = await readJson(req, BODY_LIMIT);
      // The client may have gone while the body arrived: nothing to serve.
      if (res.socket === null || res.socket.destroyed) return;
      if (opts.failRate > 0 && ctx.random() < opts.failRate) {
        throw new OpenAiHttpError(500, 'simulated engine failure (--fail-rate)', 'InternalServerError');
      }
      handler(res, body, meta);
    } catch (err) {
      const e =
        err instanceof OpenAiHttpError
          ? err
          : new OpenAiHttpError(500, err instanceof Error ? err.message : String(err), 'InternalServerError');
      logFailure(meta, e);
      sendError(res, e, meta.headers);
    }
  };

  const server = createServer((req, res) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q < 0 ? url : url.slice(0, q);
    const work =
      req.method === 'POST'
        ? handlePost(path, req, res)
        : req.method === 'GET'
          ? handleGet(path, res)
          : methodNotAllowed(res);
    work.catch((err: unknown) => {
      logger.error({ err, path }, 'engine-sim: unexpected error');
      if (!res.headersSent) sendJson(res, 500, JSON.stringify({ detail: 'Internal Server Error' }));
      else res.destroy();
    });
  });
  // Long keep-alive so benchmark clients do not race the server closing idle sockets; no request timeout
  // because streams can be long.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.requestTimeout = 0;

  const port = await listen(server, opts.host, opts.port);
  const hostForUrl = opts.host.includes(':') ? `[${opts.host}]` : opts.host;
  const url = `http://${hostForUrl}:${port}`;
  logger.info({ url, model: opts.model, served_model_name: opts.servedModelName }, 'engine-sim listening');

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      closing = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      generation.abortAll('waiting');
      const deadline = Date.now() + opts.shutdownGraceMs;
      while (generation.activeCount > 0 && Date.now() < deadline) await delay(10);
      generation.abortAll('all');
      // Idle keep-alive sockets are closed as they become idle; stragglers are cut after a second.
      const idle = setInterval(() => server.closeIdleConnections(), 20);
      const force = setTimeout(() => server.closeAllConnections(), 1000);
      server.closeIdleConnections();
      await closed;
      clearInterval(idle);
      clearTimeout(force);
      logger.info({ url }, 'engine-sim stopped');
    })());

  return {
    port,
    host: opts.host,
    url,
    options: opts,
    registry: metrics.registry,
    snapshot: () => ({
      ready: ready(),
      running: generation.scheduler.runningCount,
      waiting: generation.scheduler.waitingCount,
      kvUsage: generation.kvUsage(),
      prefixCacheBlocks: generation.prefixCache.size,
    }),
    stop,
  };
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// FastAPI's shapes for unknown routes and methods, which is what vLLM answers.
async function notFound(res: ServerResponse, _path: string): Promise<void> {
  sendJson(res, 404, JSON.stringify({ detail: 'Not Found' }));
}

async function methodNotAllowed(res: ServerResponse): Promise<void> {
  sendJson(res, 405, JSON.stringify({ detail: 'Method Not Allowed' }));
}
