/** `nebula context list|current|use|add|remove`: named connections to several clusters. */
import type { Command } from 'commander';
import {
  CliContext,
  ContextName,
  findContext,
  loadConfig,
  removeContext,
  saveConfig,
  useContext,
} from '../../core/cli-config.js';
import { defaultConfigPath } from '../../core/cli-config.js';
import { group, leaf, required } from '../define.js';
import { CliError, UsageError } from '../errors.js';
import { renderTable } from '../output/table.js';

/** A context as shown to people and scripts: the token never leaves the file. */
function redacted(ctx: CliContext, current: string | undefined): Record<string, unknown> {
  const { token, ...rest } = ctx;
  return { ...rest, token: token === undefined ? null : '(set)', current: ctx.name === current };
}

/** The context commands read and write the config file only: no server, and (but `list`) no data to print. */
const CONFIG_ONLY = { connection: false, output: false } as const;

export function registerContextCommands(program: Command): void {
  const contexts = group(
    program,
    'context',
    'manage CLI contexts (server URL, router URL, token) in ~/.nebula/config.yaml',
    [
      'nebula context list',
      'nebula context add prod --server https://nebula.example.com --use',
      'nebula context use local',
    ],
  );

  leaf(contexts, {
    name: 'list',
    description: 'list contexts (* marks the current one)',
    ...CONFIG_ONLY,
    output: true,
    examples: ['nebula context list', 'nebula context list -o yaml'],
    run: async (ctx) => {
      const config = loadConfig(defaultConfigPath(ctx.io.env));
      const current = config['current-context'];
      const rows = config.contexts.map((c) => redacted(c, current));
      ctx.printList(
        rows,
        () =>
          renderTable(
            [
              { header: 'CURRENT', value: (r) => (r.current ? '*' : ' ') },
              { header: 'NAME', value: (r) => r.name as string },
              { header: 'SERVER', value: (r) => r.server as string },
              { header: 'ROUTER', value: (r) => r.router as string | undefined },
              { header: 'USER', value: (r) => r.user as string | undefined },
              { header: 'TOKEN', value: (r) => r.token as string | null },
            ],
            rows,
          ),
        'No contexts. Add one with: nebula context add NAME --server URL',
      );
    },
  });

  leaf(contexts, {
    name: 'current',
    description: 'print the name of the current context',
    ...CONFIG_ONLY,
    examples: ['nebula context current'],
    run: async (ctx) => {
      const config = loadConfig(defaultConfigPath(ctx.io.env));
      const name = ctx.io.env.NEBULA_CONTEXT || config['current-context'];
      if (name === undefined || !findContext(config, name))
        throw new CliError('no current context (see: nebula context use NAME)', 'NO_CONTEXT');
      ctx.out(`${name}\n`);
    },
  });

  leaf(contexts, {
    name: 'use',
    args: [['<name>', 'context to make current']],
    description: 'switch the current context',
    ...CONFIG_ONLY,
    examples: ['nebula context use prod'],
    run: async (ctx, name) => {
      useContext(name, { configPath: defaultConfigPath(ctx.io.env) });
      ctx.out(`Switched to context "${name}".\n`);
    },
  });

  leaf(contexts, {
    name: 'add',
    args: [['<name>', 'context name']],
    description: 'add a context (or replace one with --force)',
    options: [
      required('--server <url>', 'control API URL'),
      ['--router <url>', 'OpenAI-compatible router URL (for chat)'],
      ['--token <key>', 'API key (or use: nebula auth login)'],
      ['--user <name>', 'user name shown by context list'],
      ['--use', 'make it the current context'],
      ['--force', 'replace an existing context of that name'],
    ],
    ...CONFIG_ONLY,
    examples: [
      'nebula context add prod --server https://nebula.example.com --router https://llm.example.com --use',
      'nebula context add lab --server http://10.0.0.5:8080 --token nbk_... ',
    ],
    run: async (ctx, name) => {
      const parsedName = ContextName.safeParse(name);
      if (!parsedName.success)
        throw new UsageError(
          `invalid context name "${name}": ${parsedName.error.issues[0]?.message ?? ''}`,
          'INVALID_CONTEXT',
        );
      const candidate: Record<string, unknown> = { name, server: ctx.str('server') };
      for (const k of ['router', 'token', 'user'] as const)
        if (ctx.str(k) !== undefined) candidate[k] = ctx.str(k);
      const checked = CliContext.safeParse(candidate);
      if (!checked.success) {
        const issue = checked.error.issues[0];
        throw new UsageError(
          `--${issue?.path.join('.') ?? '?'}: ${issue?.message ?? 'invalid'}`,
          'INVALID_CONTEXT',
        );
      }
      const path = defaultConfigPath(ctx.io.env);
      const config = loadConfig(path);
      const existing = findContext(config, name);
      if (existing && !ctx.bool('force'))
        throw new CliError(`context "${name}" already exists (use --force to replace it)`, 'CONTEXT_EXISTS');
      config.contexts = config.contexts.filter((c) => c.name !== name);
      config.contexts.push(checked.data);
      if (ctx.bool('use') || config['current-context'] === undefined) config['current-context'] = name;
      saveConfig(path, config);
      ctx.out(
        `Context "${name}" ${existing ? 'replaced' : 'added'}${config['current-context'] === name ? ' (current)' : ''}.\n`,
      );
    },
  });

  leaf(contexts, {
    name: 'remove',
    alias: 'rm',
    args: [['<name>', 'context to remove']],
    description: 'remove a context',
    ...CONFIG_ONLY,
    examples: ['nebula context remove old-lab'],
    run: async (ctx, name) => {
      removeContext(name, { configPath: defaultConfigPath(ctx.io.env) });
      ctx.out(`Context "${name}" removed.\n`);
    },
  });
}
