import { describe, expect, it } from 'vitest';
import type { Role } from '../../src/core/domain/index.js';
import { ROUTE_POLICIES, type RoutePolicy } from '../../src/server/auth/rbac.js';
import { useApp } from './helpers.js';

/** Values for path parameters: ids that are valid but name nothing, so allowed calls end in 404/422. */
const PARAM_VALUES: Record<string, string> = {
  uid: 'no-such-model',
  node_id: 'no-such-node',
  template_id: 'no-such-template',
  request_id: 'no-such-request',
  username: 'nobody',
  key_id: 'abcdef0123456789',
  replica_id: '0',
  provider: 'huggingface',
  model_id: 'org%2Fname',
  owner: 'org',
  name: 'name',
  hash: '0123456789abcdef',
  n: '1',
};

const RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };
const callers: (Role | 'none')[] = ['none', 'viewer', 'operator', 'admin'];

function pathFor(p: RoutePolicy): string {
  return p.path.replace(/\{([a-z_]+)\}/g, (_, n: string) => {
    const v = PARAM_VALUES[n];
    if (v === undefined)
      throw new Error(`the matrix needs a value for path parameter {${n}} (route ${p.method} ${p.path})`);
    return v;
  });
}

/** What the table says should happen, computed here independently of rbac.ts. */
function expected(p: RoutePolicy, who: Role | 'none'): 'allowed' | 401 | 403 {
  if (p.minRole === 'public') return 'allowed';
  if (who === 'none') return 401;
  return RANK[who] >= RANK[p.minRole] ? 'allowed' : 403;
}

describe('authorization matrix (every route x no token / viewer / operator / admin)', () => {
  // Hubs and router point at a closed port: allowed calls fail fast with 503 instead of going outside.
  const t = useApp({
    hfEndpoint: 'http://127.0.0.1:9',
    modelscopeEndpoint: 'http://127.0.0.1:9',
    routerUrl: 'http://127.0.0.1:9',
    hubTimeoutMs: 2000,
    outboundTimeoutMs: 2000,
  });

  it('covers every registered route, and the OpenAPI document lists exactly the table', async () => {
    const doc = await t.json('GET', '/api/openapi.json');
    const documented = new Set<string>();
    for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, unknown>>)) {
      for (const m of Object.keys(item)) documented.add(`${m.toUpperCase()} ${path}`);
    }
    const table = new Set(ROUTE_POLICIES.map((p) => `${p.method} ${p.path}`));
    expect([...documented].sort()).toEqual([...table].sort());
    const mounted = new Set(t.app.routes_.map((r) => `${r.method.toUpperCase()} ${r.path}`));
    expect([...mounted].sort()).toEqual([...table].sort());
  });

  for (const p of ROUTE_POLICIES) {
    for (const who of callers) {
      const want = expected(p, who);
      it(`${p.method} ${p.path} as ${who} -> ${want}`, async () => {
        const token = who === 'none' ? undefined : t.tokens[who];
        const body = p.method === 'GET' || p.method === 'DELETE' ? undefined : {};
        const res = await t.call(p.method, pathFor(p), { token, body });
        const text = await res.text();
        if (want === 'allowed') {
          expect([401, 403], `${res.status} ${text}`).not.toContain(res.status);
          // No allowed call may crash: 5xx only where a dependency is away (hub, router, node).
          if (res.status >= 500)
            expect(['HUB_UNAVAILABLE', 'ROUTER_UNAVAILABLE', 'NODE_UNREACHABLE'], text).toContain(
              JSON.parse(text).error.code,
            );
        } else {
          expect(res.status, text).toBe(want);
          expect(JSON.parse(text).error.code).toBe(want === 401 ? 'UNAUTHORIZED' : 'FORBIDDEN');
        }
      });
    }
  }

  describe('unknown routes are denied', () => {
    const unknown: [string, string][] = [
      ['GET', '/api/v2/secret'],
      ['POST', '/api/v2/models/x/explode'],
      ['DELETE', '/api/v2/nodes'],
      ['PATCH', '/api/v2/models/foo'],
      ['GET', '/api/v3/models'],
      ['GET', '/api/v2/models/'],
      ['GET', '/api'],
    ];
    for (const [method, path] of unknown) {
      it(`${method} ${path}: 401 without a token, 404 with one`, async () => {
        expect((await t.call(method, path)).status).toBe(401);
        const res = await t.call(method, path, { token: t.tokens.admin });
        expect(res.status).toBe(404);
        expect((await res.json()).error.code).toBe('NOT_FOUND');
      });
    }
  });
});
