/**
 * The client command groups of `nebula` (everything that talks to a running cluster), registered on the
 * program next to the role commands. Each group lives in its own file under commands/.
 */
import type { Command } from 'commander';
import { registerAdminCommands } from './commands/admin.js';
import { registerApplyCommands } from './commands/apply.js';
import { registerAuthCommands } from './commands/auth.js';
import { registerCacheCommands } from './commands/cache.js';
import { registerCatalogCommands } from './commands/catalog.js';
import { registerChatCommand } from './commands/chat.js';
import { registerContextCommands } from './commands/context.js';
import { registerEngineListCommand } from './commands/engine-list.js';
import { registerEngineCommands } from './commands/engine.js';
import { registerEventCommands } from './commands/events.js';
import { registerKeyCommands } from './commands/key.js';
import { registerLegacyTopCommands } from './commands/legacy.js';
import { registerLogsCommand } from './commands/logs.js';
import { registerMetricsCommand } from './commands/metrics.js';
import { registerModelCommands } from './commands/model.js';
import { registerNodeCommands } from './commands/node.js';
import { registerStatusCommand } from './commands/status.js';
import { registerTemplateCommands } from './commands/template.js';
import { registerUserCommands } from './commands/user.js';
import { addGlobalOptions } from './define.js';

export function registerClientCommands(program: Command): void {
  addGlobalOptions(program);
  registerModelCommands(program);
  registerTemplateCommands(program);
  registerApplyCommands(program);
  registerChatCommand(program);
  registerLogsCommand(program);
  registerMetricsCommand(program);
  registerStatusCommand(program);
  registerNodeCommands(program);
  registerEngineListCommand(program);
  registerCacheCommands(program);
  registerCatalogCommands(program);
  registerEventCommands(program);
  registerLegacyTopCommands(program);
  registerAuthCommands(program);
  registerUserCommands(program);
  registerKeyCommands(program);
  registerContextCommands(program);
  registerAdminCommands(program);
  registerEngineCommands(program);
}
