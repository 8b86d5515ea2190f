import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { endpointsOf } from './index.js';
import { ROUTE_TABLE_FILE, renderRouteTable } from './route-table.js';
import { ROUTES } from './routes.gen.js';

describe('the endpoint declarations', () => {
  it('the generated route table is up to date (else run: npx vite-node scripts/gen-api-routes.ts)', () => {
    expect(readFileSync(ROUTE_TABLE_FILE, 'utf8')).toBe(renderRouteTable());
    expect(Object.keys(ROUTES)).toHaveLength(endpointsOf().length);
  });

  it('declare each method + path once, with path parameters their schema knows', () => {
    const seen = new Set<string>();
    for (const { name, endpoint: e } of endpointsOf()) {
      const key = `${e.method.toUpperCase()} ${e.path}`;
      expect(seen.has(key), `${name}: ${key} declared twice`).toBe(false);
      seen.add(key);
      const names = [...e.path.matchAll(/\{([a-z_]+)\}/g)].map((m) => m[1]);
      const shape = (e.params as { shape?: Record<string, unknown> } | undefined)?.shape ?? {};
      expect(Object.keys(shape).sort(), `${name}: params schema vs ${e.path}`).toEqual([...names].sort());
    }
  });
});
