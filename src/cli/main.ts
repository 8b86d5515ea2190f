/**
 * The `nebula` program. Kept tiny: each command group registers itself from its own file, and a role's
 * implementation is imported only when that command runs, so `nebula --help` stays fast.
 */
import { Command, CommanderError } from 'commander';
import { nebulaVersion } from '../core/version.js';
import { registerRoleCommands } from './roles.js';

export function buildProgram(): Command {
  const program = new Command('nebula');
  program
    .description('Nebula: serve LLMs on GPU clusters (control plane, router, node agent, CLI)')
    .version(nebulaVersion(), '-V, --version', 'print the version')
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ outputError: (str, write) => write(str) });
  registerRoleCommands(program);
  return program;
}

export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  program.exitOverride();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end here with code 0; usage errors exit 2.
      process.exitCode = err.exitCode === 0 ? 0 : 2;
      return;
    }
    process.stderr.write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  }
}
