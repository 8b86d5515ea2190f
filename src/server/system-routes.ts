import type { OpenAPIHono } from '@hono/zod-openapi';
import { z } from 'zod';
import { nebulaVersion } from '../core/version.js';
import type { Store } from '../store/types.js';
import type { ServerContext } from './context.js';
import type { ServerEnv } from './http/env.js';
import { defineRoute, type AnyRoute } from './http/route.js';
import { buildOpenApiDocument } from './openapi/document.js';
import { DOCS_PAGE } from './openapi/docs-page.js';

const Healthz = z.object({
  status: z.enum(['ok', 'unavailable']),
  version: z.string(),
  store: z.string(),
  /** Why the store is unhealthy (a fault of its file, or no answer). */
  store_error: z.string().optional(),
});

/** The store's own fault report as one line, undefined while it is healthy (or cannot tell). */
export function storeFault(store: Store): string | undefined {
  const h = store.health?.();
  if (!h || h.ok) return undefined;
  return h.last ? `${h.last.code} at ${h.last.at}: ${h.last.message}` : 'store fault';
}

/** /healthz, /metrics, the OpenAPI document and the docs page: public, so probes and scrapers need no token. */
export function systemRoutes(ctx: ServerContext, app: OpenAPIHono<ServerEnv>): AnyRoute[] {
  let doc: unknown;
  return [
    defineRoute({
      method: 'get',
      path: '/healthz',
      summary:
        'Liveness and store health (503 when the store does not answer within 2 s or reports a fault of its file)',
      tags: ['system'],
      response: Healthz,
      handler: async (c) => {
        const timeout = new Promise<false>((r) => setTimeout(() => r(false), 2000).unref());
        const ok = await Promise.race([
          ctx.store.revision().then(
            () => true,
            () => false,
          ),
          timeout,
        ]);
        const fault = storeFault(ctx.store);
        const healthy = ok && fault === undefined;
        const body = {
          status: healthy ? ('ok' as const) : ('unavailable' as const),
          version: nebulaVersion(),
          store: ctx.store.kind,
          ...(healthy ? {} : { store_error: fault ?? 'the store did not answer within 2 s' }),
        };
        return healthy ? body : c.json(body, 503);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/metrics',
      summary: 'Prometheus metrics of this server (nebula_server_*)',
      tags: ['system'],
      produces: 'text/plain; version=0.0.4',
      handler: async (c) =>
        c.body(await ctx.metrics.registry.metrics(), 200, {
          'content-type': ctx.metrics.registry.contentType,
        }),
    }),
    defineRoute({
      method: 'get',
      path: '/api/openapi.json',
      summary: 'This API as an OpenAPI 3 document, generated from the validation schemas',
      tags: ['system'],
      produces: 'application/json',
      handler: async (c) => {
        doc ??= buildOpenApiDocument(app);
        return c.json(doc as object);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/docs',
      summary: 'Human-readable API reference (self-contained page rendering /api/openapi.json)',
      tags: ['system'],
      produces: 'text/html',
      handler: async (c) => c.html(DOCS_PAGE),
    }),
  ];
}
