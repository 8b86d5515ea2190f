/** Small builders shared by the command groups: connection and output options, help examples. */
import { Option, type Command } from 'commander';

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

/** The `Examples:` section every command's help ends with. */
export function examples(cmd: Command, lines: readonly string[]): Command {
  return cmd.addHelpText('after', `\nExamples:\n${lines.map((l) => `  ${l}`).join('\n')}\n`);
}

/** Adds the global connection options to the program itself (before any subcommand). */
export function addGlobalOptions(program: Command): void {
  program.enablePositionalOptions();
  for (const o of connectionOptions()) program.addOption(o);
}
