/**
 * Backup and restore of the cluster's metadata through the control API (admin only): the CLI's default
 * path for `nebula admin backup` / `nebula admin restore`. The logic is src/store/backup.ts.
 */
import { backupStore, restoreStore } from '../../store/backup.js';
import type { ServerContext } from '../context.js';
import { actor } from '../http/helpers.js';
import { implement, type Implementation } from '../http/route.js';
import { api } from '../../api/index.js';

export const BACKUP_PATH = '/api/v2/admin/backup';
export const RESTORE_PATH = '/api/v2/admin/restore';
/** Restore bodies may be far larger than other requests (audit and events travel along). */
export const MAX_RESTORE_BODY_BYTES = 256 * 1024 * 1024;

export function backupRoutes(ctx: ServerContext): Implementation[] {
  return [
    implement(api.admin.backup, async (c, { query }) => {
      const includeSecrets = query.include_secrets ?? false;
      const backup = await backupStore(ctx.store, { clock: ctx.clock, includeSecrets });
      // Reads are not audited by default; an export of every secret hash is.
      await ctx.audit.write({
        actor: actor(c),
        role: c.var.principal?.role ?? null,
        auth_method: c.var.principal?.method ?? 'anonymous',
        action: 'system.backup',
        resource: 'store',
        result: 'success',
        status_code: 200,
        request_id: c.var.requestId,
        source_ip: c.var.sourceIp,
        details: {
          method: 'GET',
          revision: backup.revision,
          keys: backup.keys.length,
          include_secrets: includeSecrets,
        },
      });
      c.header('content-disposition', `attachment; filename="nebula-backup-${backup.revision}.json"`);
      return backup;
    }),
    implement(api.admin.restore, async (c, { query, body }) => {
      const force = query.force ?? false;
      c.set('auditDetails', { force, backup_revision: body.revision, keys: body.keys.length });
      const r = await restoreStore(ctx.store, body, { force });
      c.set('auditDetails', {
        force,
        backup_revision: body.revision,
        restored: r.restored,
        deleted: r.deleted,
      });
      ctx.logger.warn({ ...r, force, backup_revision: body.revision }, 'store restored from a backup');
      return { ...r, backup_revision: body.revision };
    }),
  ];
}
