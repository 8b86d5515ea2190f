/** `nebula admin migrate`: convert v1 model requests into v2 specs + deployments (idempotent). */
import type { Command } from 'commander';
import { examples, withConnection, withOutput } from '../define.js';
import { FailureError } from '../errors.js';
import { renderTable } from '../output/table.js';
import { action } from '../runtime.js';
import { registerBackupCommands } from './admin-backup.js';
import { registerSettingsCommands } from './admin-settings.js';

export function registerAdminCommands(program: Command): void {
  const admin = program.command('admin').description('administration tasks');
  examples(admin, [
    'nebula admin migrate',
    'nebula admin backup -f nebula-backup.json',
    'nebula admin restore -f nebula-backup.json --force',
    'nebula admin settings set engine_overrides admins',
  ]);
  const migrate = admin
    .command('migrate')
    .description('migrate v1 model requests to v2 models (safe to run again: existing models are skipped)');
  withConnection(withOutput(migrate));
  examples(migrate, ['nebula admin migrate', 'nebula admin migrate -o json']);
  migrate.action(
    action(async (ctx) => {
      const r = await ctx.client().migrate();
      ctx.print(r, () => {
        let out = `Migrated ${r.migrated} of ${r.total} v1 request(s): ${r.skipped} skipped, ${r.failed} failed.\n`;
        if (r.details.length > 0) {
          out += renderTable(
            [
              { header: 'REQUEST', value: (d) => d.request_id },
              { header: 'MODEL', value: (d) => d.model_uid },
              { header: 'RESULT', value: (d) => d.result },
              { header: 'REASON', value: (d) => d.reason, maxWidth: 80 },
            ],
            r.details,
          );
        }
        return out;
      });
      if (r.failed > 0)
        throw new FailureError(`${r.failed} v1 request(s) could not be migrated`, 'MIGRATE_FAILED');
    }),
  );
  registerBackupCommands(admin);
  registerSettingsCommands(admin);
}
