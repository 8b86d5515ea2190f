/**
 * The client command groups of `nebula` (everything that talks to a running cluster), registered on the
 * program next to the role commands. Each group lives in its own file under commands/.
 */
import type { Command } from 'commander';
import { registerChatCommand } from './commands/chat.js';
import { registerContextCommands } from './commands/context.js';
import { addGlobalOptions } from './define.js';

export function registerClientCommands(program: Command): void {
  addGlobalOptions(program);
  registerChatCommand(program);
  registerContextCommands(program);
}
