import type { Logger } from '../../core/logger.js';
import type { Principal } from '../auth/principal.js';
import type { RoutePolicy } from '../auth/rbac.js';

/** Per-request values middlewares hand to handlers (Hono `c.var`). */
export interface RequestVars {
  requestId: string;
  traceId: string;
  /** `traceparent` to send on outbound calls made for this request (same trace, new span). */
  traceparent: string;
  logger: Logger;
  sourceIp: string;
  principal: Principal | undefined;
  /** The token the caller authenticated with (bearer header or session cookie), for calls made on their behalf. */
  credential: string | undefined;
  policy: RoutePolicy | undefined;
  routeParams: Record<string, string>;
  /** Overrides the audit resource (e.g. the uid a create chose). */
  auditResource: string | undefined;
  /** Extra audit details (kept small). */
  auditDetails: Record<string, unknown> | undefined;
  /** Username a login attempt claimed (audit actor of failed logins). */
  claimedUser: string | undefined;
}

export interface ServerEnv {
  Variables: RequestVars;
}
