import type { MiddlewareHandler } from 'hono';
import { fillResource } from '../auth/rbac.js';
import { RateLimiter } from '../auth/rate-limit.js';
import type { ServerContext } from '../context.js';
import type { ServerEnv } from './env.js';

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * One audit event per mutating request, whatever happened: it wraps everything after it (auth, rate
 * limit, validation, the handler) and writes in `finally`, so 401/403/422/429/5xx are audited too, and
 * exactly once (errors are turned into responses before they reach this point).
 */
export function auditMiddleware(ctx: ServerContext): MiddlewareHandler<ServerEnv> {
  // Anonymous callers that fail authentication could otherwise turn every request into a store write:
  // past a per-address budget their events are only logged (and counted), not stored.
  const anonymous = new RateLimiter({ ratePerSecond: 1, burst: 30 }, ctx.clock);
  return async (c, next) => {
    if (!MUTATING.has(c.req.method)) return next();
    let thrown = false;
    try {
      await next();
    } catch (err) {
      thrown = true;
      throw err;
    } finally {
      const status = thrown ? 500 : c.res.status;
      const policy = c.var.policy;
      const principal = c.var.principal;
      const storeIt = principal !== undefined || status !== 401 || anonymous.take(c.var.sourceIp) === 0;
      await ctx.audit.write(
        {
          actor: principal?.username ?? c.var.claimedUser ?? 'anonymous',
          role: principal?.role ?? null,
          auth_method: principal?.method ?? 'anonymous',
          action: policy?.action ?? 'unknown',
          resource:
            c.var.auditResource ??
            (policy ? fillResource(policy.resource, c.var.routeParams) : c.req.path.slice(0, 200)),
          result: status < 400 ? 'success' : 'failure',
          status_code: status,
          request_id: c.var.requestId,
          source_ip: c.var.sourceIp,
          details: {
            method: c.req.method,
            ...(principal?.keyId ? { key_id: principal.keyId } : {}),
            ...(c.var.auditDetails ?? {}),
          },
        },
        { store: storeIt },
      );
    }
  };
}
