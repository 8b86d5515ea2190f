import type { RouterContext } from '../context.js';
import { routerErrors, type RouterError } from '../errors.js';

/**
 * Authentication then the per-key rate limit, shared by the HTTP and gRPC faces. Returns the error to answer
 * with (and counts it), or undefined when the request may go on.
 */
export function admit(ctx: RouterContext, authorization: string | undefined): RouterError | undefined {
  const now = ctx.now();
  const auth = ctx.auth.authenticate(authorization, now);
  if (!auth.ok) {
    ctx.metrics.authFailure(auth.reason);
    return auth.error;
  }
  const rl = ctx.limiter.check(auth.principal.id, auth.principal.rateLimit, now);
  if (!rl.ok) {
    ctx.metrics.rateLimited.inc();
    return routerErrors.rateLimited(rl.retryAfterS);
  }
  return undefined;
}
