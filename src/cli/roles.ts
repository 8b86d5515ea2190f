import type { Command } from 'commander';
import { registerEngineSimCommand } from './role-engine-sim.js';
import { registerNodeCommand } from './role-node.js';
import { registerRouterCommand } from './role-router.js';
import { registerSchedulerCommand } from './role-scheduler.js';
import { registerServerCommand } from './role-server.js';

/** Server-side roles: `up`, `server`, `router`, `scheduler`, `node`, `engine-sim`. */
export function registerRoleCommands(program: Command): void {
  registerEngineSimCommand(program);
  registerNodeCommand(program);
  registerRouterCommand(program);
  registerSchedulerCommand(program);
  registerServerCommand(program);
  program
    .command('up')
    .description('run the all-in-one on this machine: embedded store and every role in one process')
    .option('--data-dir <dir>', 'where state, logs and the model cache live (env NEBULA_DATA_DIR)')
    .addHelpText('after', '\nExamples:\n  nebula up\n  nebula up --data-dir /var/lib/nebula\n')
    .action(async (opts: { dataDir?: string }) => {
      const { runUp } = await import('../up.js');
      await runUp(opts);
    });
}
