/**
 * `nebula engine ...`: the inference engines of the cluster's nodes. The group is created once here; each
 * subcommand lives in its own file (engine-list.ts, ...) and is registered below.
 */
import type { Command } from 'commander';
import { examples } from '../define.js';
import { registerEngineListCommand } from './engine-list.js';

/** The `engine` command (found or created, so that every subcommand file can hang under it). */
export function engineGroup(program: Command): Command {
  let engine = program.commands.find((c) => c.name() === 'engine');
  if (!engine) {
    engine = program
      .command('engine')
      .description('inference engines on the nodes: list what each node can launch');
    examples(engine, ['nebula engine list', 'nebula engine list --node gpu-1 -o json']);
  }
  return engine;
}

export function registerEngineCommands(program: Command): void {
  registerEngineListCommand(engineGroup(program));
}
