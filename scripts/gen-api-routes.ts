/**
 * Rewrites src/api/routes.gen.ts (method + path of every endpoint) from the declarations in src/api.
 * Run after adding or changing an endpoint: `npx vite-node scripts/gen-api-routes.ts`.
 */
import { writeFileSync } from 'node:fs';
import { ROUTE_TABLE_FILE, renderRouteTable } from '../src/api/route-table.js';

writeFileSync(ROUTE_TABLE_FILE, renderRouteTable());
console.log(`wrote ${ROUTE_TABLE_FILE}`);
