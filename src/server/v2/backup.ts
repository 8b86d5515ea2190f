/**
 * Backup and restore of the cluster's metadata through the control API (admin only): the CLI's default
 * path for `nebula admin backup` / `nebula admin restore`. The logic is src/store/backup.ts.
 */
import { z } from 'zod';
import { Backup, backupStore, restoreStore } from '../../store/backup.js';
import type { ServerContext } from '../context.js';
import { actor } from '../http/helpers.js';
import { defineRoute, type AnyRoute } from '../http/route.js';
import { QueryBool } from '../../api/schemas/common.js';

export const BACKUP_PATH = '/api/v2/admin/backup';
export const RESTORE_PATH = '/api/v2/admin/restore';
/** Restore bodies may be far larger than other requests (audit and events travel along). */
export const MAX_RESTORE_BODY_BYTES = 256 * 1024 * 1024;

const RestoreQuery = z.object({ force: QueryBool.optional() });
const BackupQuery = z.object({
  /** Include the session signing secret (`/meta/jwt-secret`); audited. */
  include_secrets: QueryBool.optional(),
});
const RestoreResult = z
  .object({
    restored: z.number().int(),
    deleted: z.number().int(),
    skipped_leased: z.number().int(),
    txns: z.number().int(),
    revision: z.number().int(),
    backup_revision: z.number().int(),
  })
  .meta({ id: 'RestoreResult' });

export function backupRoutes(ctx: ServerContext): AnyRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: BACKUP_PATH,
      summary: 'Every Nebula key of the store, read at one revision, as a JSON backup',
      description:
        'Leased keys (heartbeats, endpoints, progress, audit and events under retention leases) are included with `lease: true` and are never restored. The session signing secret is left out unless `include_secrets=true` (then the file lets its holder mint sessions). The file holds password and API key hashes: keep it private. Each backup is recorded in the audit trail, with whether it included secrets.',
      tags: ['admin'],
      query: BackupQuery,
      response: Backup.meta({ id: 'Backup' }),
      handler: async (c, { query }) => {
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
      },
    }),
    defineRoute({
      method: 'post',
      path: RESTORE_PATH,
      summary:
        'Writes a backup into the store (refused with 409 when the store has Nebula keys, unless force)',
      description:
        'With `force=true` the store ends up equal to the backup: keys the backup lacks are deleted, the rest overwritten (leased keys of live processes are left alone). The session signing secret is replaced only when the backup has it; otherwise the current one stays (a store without one gets a new one when a server starts). Written in bounded txns; run it again after a failure. Restart the server afterwards so it reloads its caches.',
      tags: ['admin'],
      query: RestoreQuery,
      body: Backup,
      response: RestoreResult,
      handler: async (c, { query, body }) => {
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
      },
    }),
  ];
}
