/** Runs the CLI in-process with captured streams, a private config file and no inherited NEBULA_* env. */
import { PassThrough } from 'node:stream';
import { join } from 'node:path';
import { runCli } from '../../src/cli/run-cli.js';
import type { CliInput, CliOutput } from '../../src/cli/io.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

export class Capture implements CliOutput {
  text = '';
  isTTY: boolean;
  columns = 120;
  constructor(isTTY = false) {
    this.isTTY = isTTY;
  }
  write(chunk: string): boolean {
    this.text += chunk;
    return true;
  }
}

export interface RunOptions {
  env?: Record<string, string | undefined>;
  /** Text on stdin (ended); none = empty stdin. */
  stdin?: string;
  tty?: boolean;
}

export interface CliDefaults {
  /** The CLI's clock (ages). */
  now?: () => number;
}

export interface StartedCli {
  stdout: Capture;
  stderr: Capture;
  /** Resolves when the command ends. */
  done: Promise<CliRun>;
}

export type Cli = ((argv: string[], opts?: RunOptions) => Promise<CliRun>) & {
  /** Starts a command and returns at once, so a test can watch its output while it runs. */
  start(argv: string[], opts?: RunOptions): StartedCli;
};

/** A CLI bound to one config directory (HOME) and default env. */
export function cliFor(
  home: string,
  baseEnv: Record<string, string | undefined> = {},
  defaults: CliDefaults = {},
): Cli {
  const env = { HOME: home, NEBULA_CONFIG: join(home, '.nebula', 'config.yaml'), ...baseEnv };
  const start = (argv: string[], opts: RunOptions = {}): StartedCli => {
    const stdout = new Capture(opts.tty ?? false);
    const stderr = new Capture(opts.tty ?? false);
    const stdin = new PassThrough() as PassThrough & CliInput;
    stdin.isTTY = false;
    stdin.end(opts.stdin ?? '');
    const done = runCli(argv, {
      stdout,
      stderr,
      stdin,
      env: { ...env, ...opts.env },
      ...(defaults.now ? { now: defaults.now } : {}),
    }).then((code) => ({ code, stdout: stdout.text, stderr: stderr.text }));
    return { stdout, stderr, done };
  };
  const run = (argv: string[], opts: RunOptions = {}): Promise<CliRun> => start(argv, opts).done;
  return Object.assign(run, { start });
}
