import type { ServerContext } from '../context.js';
import { defineRoute, type AnyRoute } from '../http/route.js';
import { migrateV1ToV2 } from '../models/migrate.js';
import { MigrateResponse } from '../../api/schemas/v1.js';

export function migrateRoutes(ctx: ServerContext): AnyRoute[] {
  return [
    defineRoute({
      method: 'post',
      path: '/api/v2/migrate',
      summary: 'Migrate v1 model requests to v2 models (idempotent)',
      description:
        'Running/Scheduled requests become running deployments, the rest stopped; models that already exist are skipped.',
      tags: ['admin'],
      response: MigrateResponse,
      handler: async (c) => {
        const r = await migrateV1ToV2(ctx.store, ctx.clock);
        c.set('auditDetails', { total: r.total, migrated: r.migrated, skipped: r.skipped, failed: r.failed });
        return r;
      },
    }),
  ];
}
