/** `--wait` / `--timeout` handling shared by the commands that change a model's lifecycle. */
import { Option, type Command } from 'commander';
import { parseDurationFlag } from '../args.js';
import type { CommandContext } from '../runtime.js';
import { waitForModel, type WaitTarget } from '../wait.js';

/** `--wait` and `--timeout` on a lifecycle command. */
export function withWait(cmd: Command): Command {
  return cmd
    .option('--wait', 'wait until the model gets there, showing progress (exit 1 if it fails)')
    .addOption(
      // Parsed while the flags are read, so a bad value stops the command before anything is sent.
      new Option('--timeout <duration>', 'how long --wait waits (30s, 10m, 1h)')
        .argParser((v) => parseDurationFlag(v, '--timeout'))
        .default(600_000, '10m'),
    );
}

/** Waits when --wait was given, then prints the outcome (a line, or the final object with -o json/yaml). */
export async function finishLifecycle(
  ctx: CommandContext,
  uid: string,
  target: WaitTarget,
  done: string,
  result: unknown,
): Promise<void> {
  if (!ctx.bool('wait')) {
    ctx.print(result, () => `${done}\n`);
    return;
  }
  const timeoutMs = typeof ctx.flags.timeout === 'number' ? ctx.flags.timeout : 600_000;
  if (ctx.format === 'table') ctx.out(`${done}\n`);
  const final = await waitForModel({
    client: ctx.client(),
    uid,
    target,
    timeoutMs,
    progress: ctx.progress(),
  });
  if (ctx.format !== 'table') ctx.print(final, () => '');
}
