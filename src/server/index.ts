/**
 * The control API ("server" role): v1 and v2 management routes, catalog, auth (JWT + API keys, RBAC),
 * audit, OpenAPI document and the web console's static files.
 */
export { startServer, type ServerHandle } from './server.js';
export { createApp, type NebulaApp } from './app.js';
export {
  bootstrapAdmin,
  writeAdminKeyFile,
  type BootstrapOptions,
  type BootstrapResult,
} from './auth/bootstrap.js';
export type { ServerDeps, ServerOptions } from './options.js';
export { ROUTE_POLICIES, RouteTable, authorize, type RoutePolicy, type MinRole } from './auth/rbac.js';
export { aggregateState, type StateInput, type StateResult } from './aggregation/state.js';
export { ApiError, ErrorCodes, errorToHttp, type ErrorCode } from './errors.js';
export { SYSTEM_TEMPLATES } from './models/system-templates.js';
