import type { MiddlewareHandler } from 'hono';
import { randomBytes } from 'node:crypto';
import { RouteTable } from '../auth/rbac.js';
import type { ServerContext } from '../context.js';
import type { ServerEnv } from './env.js';
import { sourceIp } from './source-ip.js';
import { continueTrace, formatTraceparent, sanitizeRequestId } from './trace.js';

/**
 * First middleware of every request: request id (X-Request-Id echoed when sane, else generated), W3C
 * trace context (continued from `traceparent` or started), source ip, the matching route policy, a
 * child logger, and on the way out the access log line and request metrics (labelled by route template,
 * never by raw path, so probing cannot blow up metric cardinality).
 */
export function requestContext(ctx: ServerContext, table: RouteTable): MiddlewareHandler<ServerEnv> {
  return async (c, next) => {
    const started = performance.now();
    const requestId = sanitizeRequestId(c.req.header('x-request-id')) ?? randomBytes(8).toString('hex');
    const match = table.match(c.req.method, c.req.path);
    // With OpenTelemetry on, the request's span is the parent of everything the request calls (probes
    // and scrapes are not traced: they would drown the traces that matter).
    const routePath = match?.policy.path;
    const span =
      routePath === '/healthz' || routePath === '/metrics'
        ? undefined
        : ctx.tracing.startSpan(`${c.req.method} ${routePath ?? 'unmatched'}`, {
            traceparent: c.req.header('traceparent'),
            tracestate: c.req.header('tracestate'),
            kind: 'server',
            attributes: {
              'http.request.method': c.req.method,
              'http.route': routePath,
              'nebula.request_id': requestId,
            },
          });
    let traceId: string;
    let traceparent: string;
    if (span) {
      traceId = span.traceId;
      traceparent = span.traceparent;
    } else {
      const t = continueTrace(c.req.header('traceparent'));
      traceId = t.traceId;
      traceparent = formatTraceparent(t.traceId, t.spanId, t.flags);
    }
    c.set('requestId', requestId);
    c.set('traceId', traceId);
    c.set('traceparent', traceparent);
    c.set('sourceIp', sourceIp(c, ctx.options.trustProxy));
    c.set('policy', match?.policy);
    c.set('routeParams', match?.params ?? {});
    c.set('principal', undefined);
    c.set('auditResource', undefined);
    c.set('auditDetails', undefined);
    c.set('claimedUser', undefined);
    const logger = ctx.logger.child({ request_id: requestId, trace_id: traceId });
    c.set('logger', logger);
    try {
      await next();
    } finally {
      c.header('X-Request-Id', requestId);
      const status = c.res.status;
      const seconds = (performance.now() - started) / 1000;
      span?.setAttributes({ 'enduser.id': c.var.principal?.username });
      span?.end({ status });
      const route =
        match?.policy.path ??
        (c.req.path.startsWith('/api/') || c.req.path === '/api' ? 'unmatched' : 'static');
      ctx.metrics.requests.inc({ route, method: c.req.method, status: String(status) });
      ctx.metrics.duration.observe({ route, method: c.req.method }, seconds);
      const line = {
        method: c.req.method,
        route,
        status,
        duration_ms: Math.round(seconds * 1000 * 10) / 10,
        actor: c.var.principal?.username,
        source_ip: c.var.sourceIp,
      };
      if (status >= 500) logger.error(line, 'request failed');
      else if (route !== '/healthz' && route !== '/metrics') logger.info(line, 'request');
    }
  };
}
