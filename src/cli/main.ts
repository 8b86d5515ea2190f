/**
 * The `nebula` program. Kept tiny: each command group registers itself from its own file, and a role's
 * implementation is imported only when that command runs, so `nebula --help` stays fast.
 */
import { Command } from 'commander';
import { nebulaVersion } from '../core/version.js';
import { registerRoleCommands } from './roles.js';
import { registerClientCommands } from './commands.js';

export function buildProgram(): Command {
  const program = new Command('nebula');
  program
    .description('Nebula: serve LLMs on GPU clusters (control plane, router, node agent, CLI)')
    .version(nebulaVersion(), '-V, --version', 'print the version')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ outputError: (str, write) => write(str) });
  registerRoleCommands(program);
  registerClientCommands(program);
  return program;
}

/** The `nebula` binary: runs `argv` (process.argv) with the process streams; see run-cli.ts. */
export async function main(argv: string[]): Promise<void> {
  // `nebula model list | head -1`: a reader that goes away is not an error worth a stack trace.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw err;
  });
  // Imported lazily: run-cli imports buildProgram from this file.
  const { runCli } = await import('./run-cli.js');
  const code = await runCli(argv.slice(2));
  // A role command may have set its own non-zero exit code (e.g. 2 for a bad flag) before returning.
  process.exitCode = code !== 0 ? code : (process.exitCode ?? 0);
}
