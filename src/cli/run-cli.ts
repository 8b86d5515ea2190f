/**
 * The programmatic entry of the CLI: `runCli(argv, io)` runs one command with the given streams and
 * environment and resolves with its exit code (0 ok, 1 failure, 2 usage). The `nebula` binary and the
 * tests both go through it, so what tests see is what people see.
 */
import { CommanderError, type Command } from 'commander';
import { EXIT_OK, EXIT_USAGE, SilentExit, describeError, formatErrorLine } from './errors.js';
import { attachIo, processIo, type CliIo } from './io.js';
import { buildProgram } from './program.js';

function forEachCommand(cmd: Command, fn: (c: Command) => void): void {
  fn(cmd);
  for (const sub of cmd.commands) forEachCommand(sub, fn);
}

/** Runs `argv` (user arguments only, e.g. `['model', 'list']`) and resolves with the exit code. */
export async function runCli(argv: readonly string[], ioOverrides: Partial<CliIo> = {}): Promise<number> {
  const io: CliIo = { ...processIo(), ...ioOverrides };
  const program = buildProgram();
  attachIo(program, io);
  forEachCommand(program, (c) => {
    c.exitOverride();
    c.showHelpAfterError(false);
    c.configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      // commander's own usage errors ("unknown option", "missing argument") get our one-line shape.
      outputError: (s) => io.stderr.write(formatErrorLine(s, 'USAGE')),
      getOutHelpWidth: () => io.stdout.columns ?? 100,
      getErrHelpWidth: () => io.stderr.columns ?? 100,
      getOutHasColors: () => false,
      getErrHasColors: () => false,
    });
  });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return EXIT_OK;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end here with 0; usage errors were already printed by outputError.
      return err.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
    }
    if (err instanceof SilentExit) return err.exitCode;
    const d = describeError(err);
    io.stderr.write(formatErrorLine(d.message, d.code));
    return d.exitCode;
  }
}
