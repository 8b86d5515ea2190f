/** `nebula admin migrate`: convert v1 model requests into v2 specs + deployments (idempotent). */
import type { Command } from 'commander';
import { examples, withConnection, withOutput } from '../define.js';
import { FailureError } from '../errors.js';
import { renderFields, renderTable } from '../output/table.js';
import { confirm } from '../prompt.js';
import { action } from '../runtime.js';
import { registerBackupCommands } from './admin-backup.js';
import { registerSettingsCommands } from './admin-settings.js';

export function registerAdminCommands(program: Command): void {
  const admin = program.command('admin').description('administration tasks');
  examples(admin, [
    'nebula admin migrate',
    'nebula admin backup -f nebula-backup.json',
    'nebula admin restore -f nebula-backup.json --force',
    'nebula admin rotate-secret --yes',
    'nebula admin settings set engine_overrides admins',
  ]);
  const migrate = admin
    .command('migrate')
    .description('migrate v1 model requests to v2 models (safe to run again: existing models are skipped)');
  withConnection(withOutput(migrate));
  examples(migrate, ['nebula admin migrate', 'nebula admin migrate -o json']);
  migrate.action(
    action(async (ctx) => {
      const r = await ctx.client().admin.migrate();
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

  const rotate = admin
    .command('rotate-secret')
    .description(
      'replace the session signing secret: every login session ends at once (API keys keep working); asks first unless --yes',
    )
    .option('-y, --yes', 'do not ask for confirmation');
  withConnection(withOutput(rotate));
  examples(rotate, ['nebula admin rotate-secret', 'nebula admin rotate-secret --yes -o json']);
  rotate.action(
    action(async (ctx) => {
      const question = 'Rotate the session signing secret? Every logged-in user must log in again.';
      if (!ctx.bool('yes') && !(await confirm(ctx.io, question, 'rotate the signing secret'))) {
        ctx.err('Nothing rotated.\n');
        return;
      }
      const r = await ctx.client().admin.rotateSecret();
      ctx.print(r, () =>
        renderFields([
          ['Rotated', r.rotated_at],
          ['Sessions', 'every session signed with the previous secret is refused from now on'],
          ['API keys', 'not affected'],
        ]),
      );
    }),
  );
  registerSettingsCommands(admin);
}
