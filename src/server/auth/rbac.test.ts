import { describe, expect, it } from 'vitest';
import type { Role } from '../../core/domain/index.js';
import { authorize, fillResource, ROUTE_POLICIES, RouteTable, type MinRole } from './rbac.js';

describe('the route -> role table', () => {
  it('has one row per method + path, valid templates and audit names', () => {
    const seen = new Set<string>();
    for (const p of ROUTE_POLICIES) {
      const k = `${p.method} ${p.path}`;
      expect(seen.has(k), k).toBe(false);
      seen.add(k);
      expect(p.path).toMatch(/^\/[a-z0-9/{}_.-]*$/);
      expect(p.action).toMatch(/^[a-z_0-9]+\.[a-z_0-9]+$/);
      for (const name of p.resource.match(/\{([a-z_]+)\}/g) ?? [])
        expect(p.path, `${k}: ${name}`).toContain(name);
    }
  });

  it('keeps the seeds’ rules: viewers read and search, operators change models and import, admins delete models, users, audit, migration', () => {
    const role = (m: string, path: string) =>
      ROUTE_POLICIES.find((p) => p.method === m && p.path === path)?.minRole;
    expect(role('GET', '/api/v2/catalog/search')).toBe('viewer');
    expect(role('POST', '/api/v2/catalog/import')).toBe('operator');
    expect(role('DELETE', '/api/v2/models/{uid}')).toBe('admin');
    expect(role('POST', '/api/v2/models')).toBe('operator');
    expect(role('GET', '/api/v2/audit')).toBe('admin');
    expect(role('POST', '/api/v2/auth/users')).toBe('admin');
    expect(role('POST', '/api/v2/migrate')).toBe('admin');
    expect(role('POST', '/api/v2/auth/login')).toBe('public');
    // nothing that changes state is public except logging in
    const publicWrites = ROUTE_POLICIES.filter((p) => p.minRole === 'public' && p.method !== 'GET').map(
      (p) => p.path,
    );
    expect(publicWrites).toEqual(['/api/v2/auth/login']);
    // every GET under /api/v2 needs at least a viewer
    expect(
      ROUTE_POLICIES.filter(
        (p) => p.path.startsWith('/api/v2/') && p.method === 'GET' && p.minRole === 'public',
      ),
    ).toEqual([]);
  });
});

describe('authorize', () => {
  const roles: (Role | undefined)[] = [undefined, 'viewer', 'operator', 'admin'];
  const mins: MinRole[] = ['public', 'viewer', 'operator', 'admin'];
  const rank = { viewer: 0, operator: 1, admin: 2 } as const;
  it('decides every (min role, caller role) pair', () => {
    for (const min of mins) {
      for (const r of roles) {
        const policy = { method: 'GET' as const, path: '/x', minRole: min, action: 'x.y', resource: 'x' };
        const want =
          min === 'public'
            ? 'allow'
            : r === undefined
              ? 'unauthenticated'
              : rank[r] >= rank[min]
                ? 'allow'
                : 'forbidden';
        expect(authorize(policy, r), `${min}/${r}`).toBe(want);
      }
    }
  });
  it('denies unknown routes: 401 for anonymous, 404 for principals', () => {
    expect(authorize(undefined, undefined)).toBe('unauthenticated');
    for (const r of ['viewer', 'operator', 'admin'] as const)
      expect(authorize(undefined, r)).toBe('not_found');
  });
});

describe('RouteTable.match', () => {
  const table = new RouteTable();
  it('prefers literal segments and extracts decoded parameters', () => {
    expect(table.match('POST', '/api/models/load')?.policy.path).toBe('/api/models/load');
    expect(table.match('GET', '/api/v2/models/abc')?.params).toEqual({ uid: 'abc' });
    expect(table.match('GET', '/api/v2/catalog/models/huggingface/Qwen%2FQwen2.5')?.params).toEqual({
      provider: 'huggingface',
      model_id: 'Qwen/Qwen2.5',
    });
    expect(table.match('GET', '/api/v2/catalog/models/hf/Qwen/Qwen2.5')?.policy.path).toBe(
      '/api/v2/catalog/models/{provider}/{owner}/{name}',
    );
    expect(table.match('HEAD', '/api/v2/models')?.policy.method).toBe('GET');
  });
  it('matches nothing for other methods, trailing slashes, extra segments', () => {
    expect(table.match('PATCH', '/api/v2/models/abc')).toBeUndefined();
    expect(table.match('GET', '/api/v2/models/')).toBeUndefined();
    expect(table.match('GET', '/api/v2/models/a/b/c')).toBeUndefined();
    expect(table.match('GET', '/api/v2/modelsx')).toBeUndefined();
  });
  it('fills audit resources', () => {
    expect(fillResource('node/{node_id}/model/{uid}', { node_id: 'n1', uid: 'm' })).toBe('node/n1/model/m');
    expect(fillResource('model/{uid}', {})).toBe('model/{uid}');
  });
});
