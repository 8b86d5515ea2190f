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
