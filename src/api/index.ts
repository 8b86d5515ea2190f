/**
 * The control API, declared once: every endpoint's method, path, role, audit names and schemas. The
 * server binds handlers to these declarations (src/server/http/route.ts `implement`), the RBAC table and
 * the OpenAPI document derive from them, and src/client calls them by name. Imports only zod and src/core.
 */
import type { AnyEndpoint } from './endpoint.js';
import { admin, metrics, settings } from './admin.js';
import { auth, keys, users } from './auth.js';
import { catalog } from './catalog.js';
import { audit, events } from './events.js';
import { models } from './models.js';
import { alerts, cache, engines, nodes } from './nodes.js';
import { openai } from './openai.js';
import { system } from './system.js';
import { templates } from './templates.js';
import { v1 } from './v1.js';

/** Every endpoint, grouped by area (`api.models.create`). */
export const api = {
  system,
  v1,
  models,
  templates,
  nodes,
  engines,
  cache,
  alerts,
  events,
  audit,
  metrics,
  admin,
  settings,
  openai,
  auth,
  users,
  keys,
  catalog,
};

export type Api = typeof api;

/** Every declared endpoint, with its `area.name`. */
export function endpointsOf(
  groups: Record<string, Record<string, AnyEndpoint>> = api,
): Array<{ name: string; endpoint: AnyEndpoint }> {
  return Object.entries(groups).flatMap(([area, list]) =>
    Object.entries(list).map(([n, endpoint]) => ({ name: `${area}.${n}`, endpoint })),
  );
}

export { endpoint, type AnyEndpoint, type Endpoint, type MinRole } from './endpoint.js';
