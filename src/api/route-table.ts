import { endpointsOf } from './index.js';

/** Where the generated method + path table lives (relative to the repository root). */
export const ROUTE_TABLE_FILE = 'src/api/routes.gen.ts';

/**
 * The source of src/api/routes.gen.ts: each endpoint's name, method and path, as plain data. The typed
 * client reads that table instead of the declarations, so the web console's bundle carries no zod
 * schemas; `npx vite-node scripts/gen-api-routes.ts` rewrites it and src/api/routes.test.ts fails when
 * it is stale.
 */
export function renderRouteTable(): string {
  const rows = endpointsOf().map(
    ({ name, endpoint: e }) => `  '${name}': ['${e.method.toUpperCase()}', '${e.path}'],`,
  );
  return [
    '// Generated from the declarations in src/api by scripts/gen-api-routes.ts: do not edit.',
    '/** Method and path of every endpoint of the control API, by `area.name` (no schemas: browser-sized). */',
    'export const ROUTES = {',
    ...rows,
    '} as const;',
    '',
  ].join('\n');
}
