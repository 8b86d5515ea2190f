/** `nebula admin settings get|set`: cluster-wide settings (`/api/v2/settings/cluster`). */
import type { Command } from 'commander';
import { EngineOverrides } from '../../core/domain/settings.js';
import type { ClusterSettingsView, UpdateClusterSettingsRequest } from '../../client/index.js';
import { examples, withConnection, withOutput } from '../define.js';
import { UsageError } from '../errors.js';
import { renderFields } from '../output/table.js';
import { action } from '../runtime.js';

/** A cluster setting (`resource_version` is a precondition, not a setting). */
type Setting = Exclude<keyof UpdateClusterSettingsRequest, 'resource_version'>;

/** The settings `set` knows, with the values each takes (validated here, and again by the server). */
const SETTABLE: { [K in Setting]-?: readonly string[] } = {
  engine_overrides: EngineOverrides.options,
};

function isSettable(key: string | undefined): key is Setting {
  return key !== undefined && Object.hasOwn(SETTABLE, key);
}

function settingsView(s: ClusterSettingsView): string {
  return renderFields([
    ['engine_overrides', s.engine_overrides],
    ['Updated', s.updated_at ? `${s.updated_at} by ${s.updated_by ?? '?'}` : null],
  ]);
}

export function registerSettingsCommands(admin: Command): void {
  const settings = admin
    .command('settings')
    .description('cluster settings (engine_overrides: who may set engine extra args and env)');
  examples(settings, ['nebula admin settings get', 'nebula admin settings set engine_overrides admins']);

  const get = settings.command('get').description('show the cluster settings');
  withConnection(withOutput(get));
  examples(get, ['nebula admin settings get', 'nebula admin settings get -o json']);
  get.action(
    action(async (ctx) => {
      const s = await ctx.client().settings.cluster();
      ctx.print(s, () => settingsView(s));
    }),
  );

  const set = settings
    .command('set')
    .argument('<key>', `setting: ${Object.keys(SETTABLE).join(', ')}`)
    .argument('<value>', 'new value')
    .description('change a cluster setting (admin)');
  withConnection(withOutput(set));
  examples(set, [
    'nebula admin settings set engine_overrides admins     # only admins set engine args / env',
    'nebula admin settings set engine_overrides operators  # operators may too (default)',
  ]);
  set.action(
    action(async (ctx, key, value) => {
      if (!isSettable(key))
        throw new UsageError(`unknown setting "${key}" (known: ${Object.keys(SETTABLE).join(', ')})`);
      const allowed = SETTABLE[key];
      if (value === undefined || !allowed.includes(value))
        throw new UsageError(`${key} must be one of: ${allowed.join(', ')} (got "${value}")`);
      // `allowed` is the setting's own enum, so the value is one of its words.
      const body = { [key]: value } as UpdateClusterSettingsRequest;
      const s = await ctx.client().settings.updateCluster(body);
      ctx.print(s, () => `Setting ${key} is now ${value}.\n`);
    }),
  );
}
