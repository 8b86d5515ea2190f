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

/**
 * Ends a command that may `--wait`. Without it (or with nothing to wait for: `wait` undefined) prints
 * `result`: the line `done`, or the object with -o json/yaml. With it says `done` (table), waits within
 * `--timeout`, and prints the object waited for with -o json/yaml (the progress said the rest).
 */
export async function finishWaiting(
  ctx: CommandContext,
  done: string,
  result: unknown,
  wait: ((timeoutMs: number) => Promise<unknown>) | undefined,
): Promise<void> {
  if (!ctx.bool('wait') || wait === undefined) {
    ctx.print(result, () => `${done}\n`);
    return;
  }
  const timeoutMs = typeof ctx.flags.timeout === 'number' ? ctx.flags.timeout : 600_000;
  if (ctx.format === 'table') ctx.out(`${done}\n`);
  const final = await wait(timeoutMs);
  if (ctx.format !== 'table') ctx.print(final, () => '');
}

/** Waits for the model to be `target` when --wait was given, then prints the outcome (`finishWaiting`). */
export async function finishLifecycle(
  ctx: CommandContext,
  uid: string,
  target: WaitTarget,
  done: string,
  result: unknown,
): Promise<void> {
  await finishWaiting(ctx, done, result, (timeoutMs) =>
    waitForModel({ client: ctx.client(), uid, target, timeoutMs, progress: ctx.progress() }),
  );
}
