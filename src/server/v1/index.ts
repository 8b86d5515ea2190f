import type { ServerContext } from '../context.js';
import type { Implementation } from '../http/route.js';
import { v1ActionRoutes } from './actions.js';
import { v1ViewRoutes } from './views.js';

/** v1 control API (seed 000) under /api/. */
export function v1Routes(ctx: ServerContext): Implementation[] {
  return [...v1ViewRoutes(ctx), ...v1ActionRoutes(ctx)];
}

export { laggingEndpoints } from './views.js';
