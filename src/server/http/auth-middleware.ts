import type { MiddlewareHandler } from 'hono';
import { authenticate, bearerToken } from '../auth/authenticator.js';
import { principalId } from '../auth/principal.js';
import { authorize } from '../auth/rbac.js';
import type { ServerContext } from '../context.js';
import { ApiError } from '../errors.js';
import type { ServerEnv } from './env.js';
import { checkCsrf, sessionFromCookie } from './session-cookie.js';

/**
 * Authentication, authorization and the per-principal rate limit, in that order. Public routes pass
 * without credentials (a token sent to them is ignored). Everything else needs a valid bearer token (JWT
 * or API key), or the console's session cookie (plus the CSRF header for writes), and a role at least the
 * route's; requests matching no route are answered 401 without
 * credentials and 404 with them, so unknown paths reveal nothing to anonymous callers.
 */
export function authMiddleware(ctx: ServerContext): MiddlewareHandler<ServerEnv> {
  return async (c, next) => {
    const policy = c.var.policy;
    if (policy?.minRole === 'public') return next();
    // A bearer token wins; without one, the console's session cookie (whose writes need the CSRF header).
    const cookie = c.req.header('authorization') ? undefined : sessionFromCookie(c);
    if (cookie !== undefined) checkCsrf(c, ctx.jwtSecret, cookie);
    let principal;
    try {
      const token = bearerToken(c.req.header('authorization')) ?? cookie;
      c.set('credential', token);
      principal =
        token === undefined
          ? undefined
          : await authenticate(token, {
              secret: ctx.jwtSecret,
              users: ctx.users,
              apiKeys: ctx.apiKeys,
              clock: ctx.clock,
              maxSessionTtlSeconds: ctx.options.maxSessionTtlSeconds,
            });
    } catch (err) {
      ctx.metrics.authFailures.inc({ reason: 'invalid_token' });
      throw err;
    }
    c.set('principal', principal);
    const decision = authorize(policy, principal?.role);
    if (decision === 'unauthenticated') {
      ctx.metrics.authFailures.inc({ reason: 'missing_token' });
      throw new ApiError(
        401,
        'UNAUTHORIZED',
        'authentication required: send "Authorization: Bearer <token or API key>"',
        {
          headers: { 'WWW-Authenticate': 'Bearer' },
        },
      );
    }
    if (decision === 'not_found')
      throw new ApiError(404, 'NOT_FOUND', `no route ${c.req.method} ${c.req.path}`);
    if (decision === 'forbidden') {
      ctx.metrics.authFailures.inc({ reason: 'forbidden' });
      throw new ApiError(
        403,
        'FORBIDDEN',
        `this needs the ${policy?.minRole} role; you are ${principal?.role}`,
      );
    }
    if (ctx.rateLimiter && principal) {
      const wait = ctx.rateLimiter.take(principalId(principal));
      if (wait > 0) {
        ctx.metrics.rateLimited.inc({ kind: 'principal' });
        throw new ApiError(429, 'RATE_LIMITED', `too many requests; retry in ${wait} s`, {
          headers: { 'Retry-After': String(wait) },
        });
      }
    }
    return next();
  };
}
