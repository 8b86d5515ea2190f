/**
 * Small builders shared by the command groups: connection and output options, help examples, and `leaf`,
 * which declares one leaf command from a table entry (see src/cli/README.md).
 */
import { Option, type Command } from 'commander';
import { withWait } from './commands/lifecycle.js';
import { action, type CommandContext } from './runtime.js';

const CONNECTION_GROUP = 'Connection Options:';

/** `--server`, `--token`, `--context`: fresh Option objects each time (commander keeps state on them). */
function connectionOptions(): Option[] {
  return [
    new Option('--server <url>', 'control API URL (env NEBULA_SERVER)'),
    new Option('--token <key>', 'API key or login token (env NEBULA_TOKEN)'),
    new Option('--context <name>', 'context from the config file (env NEBULA_CONTEXT)'),
  ].map((o) => o.helpGroup(CONNECTION_GROUP));
}

/**
 * `--server`, `--token`, `--context` (and `--router` for data-plane commands) on a leaf command. The
 * program has the same options before the subcommand (`nebula --server URL model list`); these let them
 * follow it too (`nebula model list --server URL`).
 */
export function withConnection(cmd: Command, opts: { router?: boolean } = {}): Command {
  for (const o of connectionOptions()) cmd.addOption(o);
  if (opts.router) {
    cmd.addOption(
      new Option(
        '--router <url>',
        'OpenAI-compatible router URL (env NEBULA_ROUTER, default http://127.0.0.1:8000)',
      ).helpGroup(CONNECTION_GROUP),
    );
  }
  return cmd;
}

/** `-o, --output table|json|yaml` on a read command. */
export function withOutput(cmd: Command): Command {
  return cmd.addOption(
    new Option('-o, --output <format>', 'output format').choices(['table', 'json', 'yaml']).default('table'),
  );
}

/** The text of the `Examples:` section every command's help ends with (for `addHelpText('after', ...)`). */
export function examplesText(lines: readonly string[]): string {
  return `\nExamples:\n${lines.map((l) => `  ${l}`).join('\n')}\n`;
}

/** The `Examples:` section every command's help ends with. */
export function examples(cmd: Command, lines: readonly string[]): Command {
  return cmd.addHelpText('after', examplesText(lines));
}

/** A command group (`nebula model ...`): its name, what it is for, and the examples of its help. */
export function group(parent: Command, name: string, description: string, lines: readonly string[]): Command {
  return examples(parent.command(name).description(description), lines);
}

/**
 * The action of a list command: one API call, its items printed as a table (a note on stderr when there
 * are none) or as json/yaml with `-o`.
 */
export function listing<T>(
  fetch: (ctx: CommandContext) => Promise<{ items: readonly T[] }>,
  table: (rows: readonly T[], ctx: CommandContext) => string,
  empty: string,
): (ctx: CommandContext) => Promise<void> {
  return async (ctx) => {
    const { items } = await fetch(ctx);
    ctx.printList(items, (rows) => table(rows, ctx), empty);
  };
}

/**
 * The action of a show command: one API call for its (checked) argument, printed as the detail text or
 * as json/yaml with `-o`.
 */
export function showing<T>(
  fetch: (ctx: CommandContext, id: string) => Promise<T>,
  detail: (item: T, ctx: CommandContext) => string,
): (ctx: CommandContext, id: string) => Promise<void> {
  return async (ctx, id) => {
    const item = await fetch(ctx, id);
    ctx.print(item, () => detail(item, ctx));
  };
}

/** Adds the global connection options to the program itself (before any subcommand). */
export function addGlobalOptions(program: Command): void {
  program.enablePositionalOptions();
  for (const o of connectionOptions()) program.addOption(o);
}

/** A required option (commander's `.requiredOption`), as a value for a leaf's `options`. */
export function required(flags: string, description: string): Option {
  return new Option(flags, description).makeOptionMandatory();
}

/** `-y, --yes` of the commands that ask first. */
export function yesOption(): Option {
  return new Option('-y, --yes', 'do not ask for confirmation');
}

/**
 * One entry of a leaf's `options`: an Option, a `[flags, description, default or parser]` row (what
 * commander's `.option()` takes), or a function that adds a shared set (`withSpecFlags`, `withGgufFlags`).
 * Entries are declared in the order given, which is the order `--help` lists them.
 */
export type OptionEntry =
  | Option
  | readonly [
      flags: string,
      description: string,
      defaultOrParser?: string | ((v: string, prev: string[]) => string[]),
    ]
  | ((cmd: Command) => unknown);

/** One positional argument of a leaf (see {@link LeafCommand.args}). */
export type ArgEntry = readonly [
  name: string,
  description: string,
  defaultOrCheck?: string | ((value: string) => string),
];

/** A leaf command as data: what `leaf` declares and runs. */
export interface LeafCommand {
  /** The command's name. */
  name: string;
  /** Another name it answers to (`rm`); every `list` answers to `ls` without saying so. */
  alias?: string;
  /**
   * Positional arguments: `[name, description]`, `[name, description, default]`, or `[name, description,
   * check]` where `check` (commander's argParser) validates the value before the action runs, throwing a
   * UsageError for a bad one, so a bad id never reaches the server.
   */
  args?: readonly ArgEntry[];
  description: string;
  options?: readonly OptionEntry[];
  /** `--wait` / `--timeout` (lifecycle commands). */
  wait?: boolean;
  /** `-o, --output table|json|yaml`: on by default; false for commands that print no data. */
  output?: boolean;
  /** `--router` next to the connection options (data-plane commands). */
  router?: boolean;
  /** False for commands that talk to no server (`context ...`): no connection options. */
  connection?: boolean;
  /** Options declared after the connection options (`withOffline`). */
  trailing?: readonly OptionEntry[];
  /** The `Examples:` lines of its help. */
  examples: readonly string[];
  /** The action: the run's context and the positional arguments (variadic ones joined by spaces). */
  run: (ctx: CommandContext, ...args: string[]) => Promise<void>;
}

function addOptions(cmd: Command, entries: readonly OptionEntry[] = []): void {
  for (const o of entries) {
    if (o instanceof Option) cmd.addOption(o);
    else if (typeof o === 'function') o(cmd);
    else if (typeof o[2] === 'function') cmd.option(o[0], o[1], o[2]);
    else cmd.option(o[0], o[1], o[2]);
  }
}

/**
 * Declares `def` under `parent`: arguments, its own options, then `--wait`/`--timeout`, `-o` and the
 * connection options (the same order on every command), its examples and its action.
 */
export function leaf(parent: Command, def: LeafCommand): Command {
  const cmd = parent.command(def.name);
  const alias = def.alias ?? (def.name === 'list' ? 'ls' : undefined);
  if (alias !== undefined) cmd.alias(alias);
  for (const [name, description, defaultOrCheck] of def.args ?? []) {
    if (typeof defaultOrCheck === 'function') cmd.argument(name, description, defaultOrCheck);
    else cmd.argument(name, description, defaultOrCheck);
  }
  cmd.description(def.description);
  addOptions(cmd, def.options);
  if (def.wait) withWait(cmd);
  if (def.output !== false) withOutput(cmd);
  if (def.connection !== false) withConnection(cmd, def.router ? { router: true } : {});
  addOptions(cmd, def.trailing);
  examples(cmd, def.examples);
  return cmd.action(action(def.run));
}

/** A leaf that removes the one thing its (checked) argument names (`template delete`, `key revoke`, `user delete`). */
export interface RemovalCommand extends Pick<
  LeafCommand,
  'name' | 'alias' | 'args' | 'description' | 'examples'
> {
  verb: 'delete' | 'revoke';
  /** What it removes, as the question and the result say it (`API key`). */
  noun: string;
  /** The noun in the line a refusal without a terminal names (`key`), when shorter. */
  short?: string;
  remove: (ctx: CommandContext, id: string) => Promise<unknown>;
}

const capitalized = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

/**
 * Declares a removal (see {@link RemovalCommand}): `-y, --yes`, no `-o` (it prints no data). Its argument
 * is checked first (give it a check in `args`); then it asks `Delete template x?` (--yes skips it; no
 * terminal and no --yes refuses), removes, and says `Template x deleted.` (`Nothing deleted.` on stderr
 * when the answer is no).
 */
export function removal(parent: Command, def: RemovalCommand): Command {
  const { verb, noun, short, remove, ...rest } = def;
  const past = `${verb}d`;
  return leaf(parent, {
    ...rest,
    options: [yesOption()],
    output: false,
    run: async (ctx, id) => {
      const asked = `${capitalized(verb)} ${noun} ${id}?`;
      if (!(await ctx.confirmed(asked, `${verb} ${short ?? noun} ${id}`, `Nothing ${past}.`))) return;
      await remove(ctx, id);
      ctx.out(`${capitalized(noun)} ${id} ${past}.\n`);
    },
  });
}
