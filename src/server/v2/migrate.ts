import type { ServerContext } from '../context.js';
import { implement, type Implementation } from '../http/route.js';
import { api } from '../../api/index.js';
import { migrateV1ToV2 } from '../models/migrate.js';

export function migrateRoutes(ctx: ServerContext): Implementation[] {
  return [
    implement(api.admin.migrate, async (c) => {
      const r = await migrateV1ToV2(ctx.store, ctx.clock);
      c.set('auditDetails', { total: r.total, migrated: r.migrated, skipped: r.skipped, failed: r.failed });
      return r;
    }),
  ];
}
