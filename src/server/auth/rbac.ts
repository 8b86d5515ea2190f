import { endpointsOf } from '../../api/index.js';
import type { MinRole } from '../../api/endpoint.js';
import { roleAtLeast, type Role } from '../../core/domain/common.js';

export type { MinRole };
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

/**
 * THE route -> role table, derived from the endpoint declarations in src/api (each declares its minimum
 * role and audit names). Any request that matches no row is denied (401 without credentials, 404 with
 * them, so probing reveals nothing). Roles: viewer < operator < admin. Seed 004: viewers search,
 * operators import, admins delete. Rows for routes outside the control API would be listed here by hand.
 */
export const ROUTE_POLICIES: readonly RoutePolicy[] = endpointsOf().map(({ endpoint: e }) => ({
  method: e.method.toUpperCase() as HttpMethod,
  path: e.path,
  minRole: e.minRole,
  action: e.action,
  resource: e.resource,
}));

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
