import { roleAtLeast, type Role } from '../../core/domain/common.js';

/** Who may call a route: anyone (`public`) or a principal with at least this role. */
export type MinRole = Role | 'public';
export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** One row of the route -> role table. `path` uses OpenAPI templates (`/api/v2/models/{uid}`). */
export interface RoutePolicy {
  method: HttpMethod;
  path: string;
  minRole: MinRole;
  /** Audit action name, e.g. `model.create`. */
  action: string;
  /** Audit resource template, filled from path parameters (`model/{uid}`). */
  resource: string;
}

const p = (
  method: HttpMethod,
  path: string,
  minRole: MinRole,
  action: string,
  resource: string,
): RoutePolicy => ({
  method,
  path,
  minRole,
  action,
  resource,
});

/**
 * THE route -> role table. Every route the server answers is listed here with its minimum role; the app
 * refuses to register a route that is missing, and any request that matches no row is denied
 * (401 without credentials, 404 with them, so probing reveals nothing). Roles: viewer < operator < admin.
 * Seed 004: viewers search, operators import, admins delete.
 */
export const ROUTE_POLICIES: readonly RoutePolicy[] = [
  // process endpoints and the API description
  p('GET', '/healthz', 'public', 'system.healthz', 'server'),
  p('GET', '/metrics', 'public', 'system.metrics', 'server'),
  p('GET', '/api/openapi.json', 'public', 'system.openapi', 'server'),
  p('GET', '/api/docs', 'public', 'system.docs', 'server'),

  // v1 (seed 000)
  p('GET', '/api/overview', 'viewer', 'overview.get', 'cluster'),
  p('GET', '/api/nodes', 'viewer', 'node.list', 'nodes'),
  p('GET', '/api/endpoints', 'viewer', 'endpoint.list', 'endpoints'),
  p('GET', '/api/placements', 'viewer', 'placement.list', 'placements'),
  p('GET', '/api/requests', 'viewer', 'model_request.list', 'model_requests'),
  p('GET', '/api/models', 'viewer', 'model.list_v1', 'models'),
  p('GET', '/api/health', 'viewer', 'health.get', 'cluster'),
  p('GET', '/api/metrics/router', 'viewer', 'metrics.router', 'router'),
  p('POST', '/api/models/load', 'operator', 'model_request.load', 'model_requests'),
  p('POST', '/api/models/unload', 'operator', 'model_request.unload', 'model_requests'),
  p('DELETE', '/api/requests/{request_id}', 'operator', 'model_request.unload', 'model_request/{request_id}'),
  p(
    'POST',
    '/api/nodes/{node_id}/models/{uid}/stop',
    'operator',
    'replica.force_stop',
    'node/{node_id}/model/{uid}',
  ),

  // v2 models (seed 002 Phase 4)
  p('POST', '/api/v2/models', 'operator', 'model.create', 'models'),
  p('GET', '/api/v2/models', 'viewer', 'model.list', 'models'),
  p('GET', '/api/v2/models/{uid}', 'viewer', 'model.get', 'model/{uid}'),
  p('PUT', '/api/v2/models/{uid}', 'operator', 'model.update', 'model/{uid}'),
  p('DELETE', '/api/v2/models/{uid}', 'admin', 'model.delete', 'model/{uid}'),
  p(
    'POST',
    '/api/v2/models/{uid}/replicas/{replica_id}/drain',
    'operator',
    'replica.drain',
    'model/{uid}/replica/{replica_id}',
  ),
  p(
    'DELETE',
    '/api/v2/models/{uid}/replicas/{replica_id}/drain',
    'operator',
    'replica.drain_cancel',
    'model/{uid}/replica/{replica_id}',
  ),
  p('POST', '/api/v2/models/{uid}/start', 'operator', 'model.start', 'model/{uid}'),
  p('POST', '/api/v2/models/{uid}/stop', 'operator', 'model.stop', 'model/{uid}'),
  p('PUT', '/api/v2/models/{uid}/scale', 'operator', 'model.scale', 'model/{uid}'),
  p('GET', '/api/v2/models/{uid}/autoscaling', 'viewer', 'model.autoscaling_get', 'model/{uid}'),
  p('PUT', '/api/v2/models/{uid}/autoscaling', 'operator', 'model.autoscale', 'model/{uid}'),
  p('DELETE', '/api/v2/models/{uid}/autoscaling', 'operator', 'model.autoscale_off', 'model/{uid}'),
  p('POST', '/api/v2/models/{uid}/save-as-template', 'operator', 'template.save_from_model', 'model/{uid}'),
  p('GET', '/api/v2/models/{uid}/events', 'viewer', 'event.list', 'model/{uid}'),
  // revisions and rollouts (issue 17)
  p('GET', '/api/v2/models/{uid}/revisions', 'viewer', 'model.revision_list', 'model/{uid}'),
  p('GET', '/api/v2/models/{uid}/revisions/{n}', 'viewer', 'model.revision_get', 'model/{uid}'),
  p('GET', '/api/v2/models/{uid}/revisions/{n}/diff', 'viewer', 'model.revision_diff', 'model/{uid}'),
  p('POST', '/api/v2/models/{uid}/rollback', 'operator', 'model.rollback', 'model/{uid}'),
  p('POST', '/api/v2/models/{uid}/rollout/pause', 'operator', 'model.rollout_pause', 'model/{uid}'),
  p('POST', '/api/v2/models/{uid}/rollout/resume', 'operator', 'model.rollout_resume', 'model/{uid}'),
  p('POST', '/api/v2/models/{uid}/pull', 'operator', 'model.pull', 'model/{uid}'),
  p('GET', '/api/v2/models/{uid}/pulls', 'viewer', 'model.pulls', 'model/{uid}'),
  p(
    'GET',
    '/api/v2/models/{uid}/replicas/{replica_id}/logs',
    'viewer',
    'replica.logs',
    'model/{uid}/replica/{replica_id}',
  ),

  // templates
  p('GET', '/api/v2/templates', 'viewer', 'template.list', 'templates'),
  p('POST', '/api/v2/templates', 'operator', 'template.create', 'templates'),
  p('GET', '/api/v2/templates/{template_id}', 'viewer', 'template.get', 'template/{template_id}'),
  p('PUT', '/api/v2/templates/{template_id}', 'operator', 'template.update', 'template/{template_id}'),
  p('DELETE', '/api/v2/templates/{template_id}', 'operator', 'template.delete', 'template/{template_id}'),
  p(
    'POST',
    '/api/v2/templates/{template_id}/deploy',
    'operator',
    'template.deploy',
    'template/{template_id}',
  ),

  // nodes, cache, disk, alerts
  p('GET', '/api/v2/nodes', 'viewer', 'node.list', 'nodes'),
  p('GET', '/api/v2/nodes/{node_id}', 'viewer', 'node.get', 'node/{node_id}'),
  p('POST', '/api/v2/nodes/{node_id}/cordon', 'operator', 'node.cordon', 'node/{node_id}'),
  p('POST', '/api/v2/nodes/{node_id}/uncordon', 'operator', 'node.uncordon', 'node/{node_id}'),
  p('POST', '/api/v2/nodes/{node_id}/drain', 'operator', 'node.drain', 'node/{node_id}'),
  p('GET', '/api/v2/nodes/{node_id}/cache', 'viewer', 'cache.list', 'node/{node_id}'),
  p('GET', '/api/v2/nodes/{node_id}/disk', 'viewer', 'disk.get', 'node/{node_id}'),
  p('GET', '/api/v2/engines', 'viewer', 'engine.list', 'engines'),
  p('DELETE', '/api/v2/nodes/{node_id}/cache/{hash}', 'admin', 'cache.purge', 'node/{node_id}/cache/{hash}'),
  p('GET', '/api/v2/cache/summary', 'viewer', 'cache.summary', 'cache'),
  p('GET', '/api/v2/alerts', 'viewer', 'alert.list', 'alerts'),

  // events, audit, migration
  p('GET', '/api/v2/events', 'viewer', 'event.list', 'events'),
  p('GET', '/api/v2/audit', 'admin', 'audit.list', 'audit'),
  p('GET', '/api/v2/metrics/router', 'viewer', 'metrics.router', 'router'),
  p('POST', '/api/v2/migrate', 'admin', 'system.migrate', 'model_requests'),
  p('GET', '/api/v2/admin/backup', 'admin', 'system.backup', 'store'),
  p('GET', '/api/v2/settings/cluster', 'viewer', 'settings.get', 'settings/cluster'),
  p('PUT', '/api/v2/settings/cluster', 'admin', 'settings.update', 'settings/cluster'),
  p('POST', '/api/v2/admin/restore', 'admin', 'system.restore', 'store'),
  p('POST', '/api/v2/admin/rotate-secret', 'admin', 'system.rotate_secret', 'store'),

  // OpenAI API of the router, same-origin for the console playground (the router authorizes inference)
  p('POST', '/api/v2/openai/v1/chat/completions', 'viewer', 'inference.chat', 'router'),
  p('POST', '/api/v2/openai/v1/completions', 'viewer', 'inference.completion', 'router'),
  p('POST', '/api/v2/openai/v1/embeddings', 'viewer', 'inference.embedding', 'router'),
  p('GET', '/api/v2/openai/v1/models', 'viewer', 'inference.models', 'router'),

  // auth, users, API keys
  p('POST', '/api/v2/auth/login', 'public', 'auth.login', 'session'),
  p('GET', '/api/v2/auth/whoami', 'viewer', 'auth.whoami', 'session'),
  p('POST', '/api/v2/auth/password', 'viewer', 'auth.change_password', 'session'),
  p('POST', '/api/v2/auth/logout', 'viewer', 'auth.logout', 'session'),
  p('GET', '/api/v2/auth/users', 'admin', 'user.list', 'users'),
  p('POST', '/api/v2/auth/users', 'admin', 'user.create', 'users'),
  p('GET', '/api/v2/auth/users/{username}', 'admin', 'user.get', 'user/{username}'),
  p('PUT', '/api/v2/auth/users/{username}', 'admin', 'user.update', 'user/{username}'),
  p('DELETE', '/api/v2/auth/users/{username}', 'admin', 'user.delete', 'user/{username}'),
  p('POST', '/api/v2/auth/api-keys', 'viewer', 'api_key.create', 'api_keys'),
  p('GET', '/api/v2/auth/api-keys', 'viewer', 'api_key.list', 'api_keys'),
  p('PATCH', '/api/v2/auth/api-keys/{key_id}', 'viewer', 'api_key.update', 'api_key/{key_id}'),
  p('DELETE', '/api/v2/auth/api-keys/{key_id}', 'viewer', 'api_key.revoke', 'api_key/{key_id}'),

  // catalog (seed 004)
  p('GET', '/api/v2/catalog/search', 'viewer', 'catalog.search', 'catalog'),
  p(
    'GET',
    '/api/v2/catalog/models/{provider}/{model_id}',
    'viewer',
    'catalog.get',
    'catalog/{provider}/{model_id}',
  ),
  p(
    'GET',
    '/api/v2/catalog/models/{provider}/{owner}/{name}',
    'viewer',
    'catalog.get',
    'catalog/{provider}/{owner}/{name}',
  ),
  p('POST', '/api/v2/catalog/import', 'operator', 'catalog.import', 'catalog'),
];

interface Compiled {
  policy: RoutePolicy;
  re: RegExp;
  names: string[];
}

function compile(policy: RoutePolicy): Compiled {
  const names: string[] = [];
  const source = policy.path
    .split('/')
    .map((seg) => {
      const m = /^\{([a-z_]+)\}$/.exec(seg);
      if (!m?.[1]) return seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      names.push(m[1]);
      return '([^/]+)';
    })
    .join('/');
  return { policy, re: new RegExp(`^${source}$`), names };
}

/** A matcher over a table; literal segments win over parameters (`/models/load` before `/models/{uid}`). */
export class RouteTable {
  private readonly compiled: Compiled[];

  constructor(policies: readonly RoutePolicy[] = ROUTE_POLICIES) {
    const literalCount = (c: Compiled) => c.policy.path.split('/').filter((s) => !s.startsWith('{')).length;
    this.compiled = policies.map(compile).sort((a, b) => literalCount(b) - literalCount(a));
  }

  /** The policy for a request and its path parameters (still percent-decoded per segment), or undefined. */
  match(method: string, path: string): { policy: RoutePolicy; params: Record<string, string> } | undefined {
    const m = method.toUpperCase() === 'HEAD' ? 'GET' : method.toUpperCase();
    for (const c of this.compiled) {
      if (c.policy.method !== m) continue;
      const r = c.re.exec(path);
      if (!r) continue;
      const params: Record<string, string> = {};
      c.names.forEach((n, i) => {
        const raw = r[i + 1] ?? '';
        try {
          params[n] = decodeURIComponent(raw);
        } catch {
          params[n] = raw;
        }
      });
      return { policy: c.policy, params };
    }
    return undefined;
  }
}

export type Decision = 'allow' | 'unauthenticated' | 'forbidden' | 'not_found';

/**
 * The authorization decision, pure: unknown routes are denied (401 without a principal, 404 with one),
 * public routes are open, everything else needs a principal whose role is at least the route's.
 */
export function authorize(policy: RoutePolicy | undefined, role: Role | undefined): Decision {
  if (!policy) return role === undefined ? 'unauthenticated' : 'not_found';
  if (policy.minRole === 'public') return 'allow';
  if (role === undefined) return 'unauthenticated';
  return roleAtLeast(role, policy.minRole) ? 'allow' : 'forbidden';
}

/** Fills a resource template (`model/{uid}`) from path parameters. */
export function fillResource(template: string, params: Record<string, string>): string {
  return template.replace(/\{([a-z_]+)\}/g, (_, n: string) => params[n] ?? `{${n}}`);
}

export const policyKey = (method: string, path: string) => `${method.toUpperCase()} ${path}`;
