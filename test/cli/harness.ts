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

/** A CLI bound to one config directory (HOME) and default env. */
export function cliFor(home: string, baseEnv: Record<string, string | undefined> = {}) {
  const env = { HOME: home, NEBULA_CONFIG: join(home, '.nebula', 'config.yaml'), ...baseEnv };
  return async (argv: string[], opts: RunOptions = {}): Promise<CliRun> => {
    const stdout = new Capture(opts.tty ?? false);
    const stderr = new Capture(opts.tty ?? false);
    const stdin = new PassThrough() as PassThrough & CliInput;
    stdin.isTTY = false;
    stdin.end(opts.stdin ?? '');
    const code = await runCli(argv, { stdout, stderr, stdin, env: { ...env, ...opts.env } });
    return { code, stdout: stdout.text, stderr: stderr.text };
  };
}
