import { OpenAPIHono } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { CachedViewSource } from './aggregation/cluster-cache.js';
import { endpointsOf, type AnyEndpoint } from '../api/index.js';
import { ROUTE_POLICIES, RouteTable } from './auth/rbac.js';
import { createContext, type ServerContext } from './context.js';
import { errorToHttp } from './errors.js';
import { auditMiddleware } from './http/audit-middleware.js';
import { authMiddleware } from './http/auth-middleware.js';
import type { ServerEnv } from './http/env.js';
import { requestContext } from './http/request-context.js';
import { bindImplementations, mount } from './http/route.js';
import { securityHeaders } from './http/security-headers.js';
import { serveConsole } from './http/static.js';
import { validationError } from './http/validation.js';
import { registerModelMetrics } from './model-metrics.js';
import { seedSystemTemplates } from './models/system-templates.js';
import type { ServerDeps, ServerOptions } from './options.js';
import { systemRoutes } from './system-routes.js';
import { v1Routes } from './v1/index.js';
import { MAX_RESTORE_BODY_BYTES, RESTORE_PATH } from './v2/backup.js';
import { v2Routes } from './v2/index.js';

/** The Hono app of the control API, with the context its handlers use (tests reach services through it). */
export type NebulaApp = OpenAPIHono<ServerEnv> & {
  readonly context: ServerContext;
  /** The mounted endpoints (every declaration of src/api). */
  readonly routes_: readonly AnyEndpoint[];
};

const MAX_BODY_BYTES = 1024 * 1024;

/**
 * Builds the control API: context (JWT secret from the store), built-in templates, middlewares
 * (request context -> audit -> auth/RBAC/rate limit), every route of the RBAC table, the console and
 * JSON errors. No listener, and no timers or watches unless `viewCache` is set (then call
 * `app.context.views.stop()` when done): tests call `app.request()` directly.
 */
export async function createApp(deps: ServerDeps, options: ServerOptions = {}): Promise<NebulaApp> {
  const ctx = await createContext(deps, options);
  await seedSystemTemplates(ctx.store, ctx.clock.now());
  if (options.viewCache) {
    const cached = new CachedViewSource(ctx.store, ctx.views, ctx.clock, ctx.logger);
    await cached.start();
    ctx.views = cached;
  }
  registerModelMetrics(ctx.metrics.registry, () => ctx.views);

  const app = new OpenAPIHono<ServerEnv>({
    defaultHook: (result) => {
      if (!result.success) throw validationError(result.target, result.error);
    },
  });
  const table = new RouteTable(ROUTE_POLICIES);
  app.use('*', securityHeaders());
  app.use('*', requestContext(ctx, table));
  app.use('/api/*', auditMiddleware(ctx));
  app.use('/api/*', authMiddleware(ctx));
  const apiBodyLimit = bodyLimit({ maxSize: MAX_BODY_BYTES });
  // A restore carries the whole store: its own, larger limit.
  const restoreBodyLimit = bodyLimit({ maxSize: MAX_RESTORE_BODY_BYTES });
  app.use('/api/*', (c, next) =>
    c.req.path === RESTORE_PATH ? restoreBodyLimit(c, next) : apiBodyLimit(c, next),
  );

  // Every declared endpoint gets its handler, or the server does not start (see bindImplementations).
  const impls = bindImplementations(endpointsOf(), [
    ...systemRoutes(ctx, app),
    ...v1Routes(ctx),
    ...v2Routes(ctx),
  ]);
  for (const impl of impls) mount(app, impl, { validateResponses: ctx.options.validateResponses });

  app.use('*', serveConsole(ctx.options.webDir));
  app.notFound((c) =>
    c.json({ error: { code: 'NOT_FOUND', message: `no route ${c.req.method} ${c.req.path}` } }, 404),
  );
  app.onError((err, c) => {
    const { status, body, headers } = errorToHttp(err);
    if (status >= 500) c.var.logger?.error({ err, code: body.error.code }, 'request error');
    for (const [k, v] of Object.entries(headers ?? {})) c.header(k, v);
    return c.json(body, status as 500);
  });
  return Object.assign(app, { context: ctx, routes_: impls.map((i) => i.endpoint) });
}
