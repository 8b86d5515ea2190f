import type { OpenAPIHono } from '@hono/zod-openapi';
import { nebulaVersion } from '../core/version.js';
import type { Store } from '../store/types.js';
import type { ServerContext } from './context.js';
import type { ServerEnv } from './http/env.js';
import { implement, type Implementation } from './http/route.js';
import { api } from '../api/index.js';
import { buildOpenApiDocument } from './openapi/document.js';
import { DOCS_PAGE } from './openapi/docs-page.js';

/** The store's own fault report as one line, undefined while it is healthy (or cannot tell). */
export function storeFault(store: Store): string | undefined {
  const h = store.health?.();
  if (!h || h.ok) return undefined;
  return h.last ? `${h.last.code} at ${h.last.at}: ${h.last.message}` : 'store fault';
}

/** /healthz, /metrics, the OpenAPI document and the docs page: public, so probes and scrapers need no token. */
export function systemRoutes(ctx: ServerContext, app: OpenAPIHono<ServerEnv>): Implementation[] {
  let doc: unknown;
  return [
    implement(api.system.healthz, async (c) => {
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
    }),
    implement(api.system.metrics, async (c) =>
      c.body(await ctx.metrics.registry.metrics(), 200, {
        'content-type': ctx.metrics.registry.contentType,
      }),
    ),
    implement(api.system.openapi, async (c) => {
      doc ??= buildOpenApiDocument(app);
      return c.json(doc as object);
    }),
    implement(api.system.docs, async (c) => c.html(DOCS_PAGE)),
  ];
}
