/**
 * The standard streams and environment of one CLI run. Injected (never read from `process` inside a command)
 * so that tests can run the whole program in-process and capture what it prints.
 */
import type { Command } from 'commander';

/** Where the CLI writes: process.stdout / process.stderr, or a capture buffer in tests. */
export interface CliOutput {
  write(chunk: string): unknown;
  /** True when a person is looking at it: enables colours and redrawn progress lines. */
  isTTY?: boolean;
  columns?: number;
}

/** Where the CLI reads prompts, passwords and REPL lines from. */
export interface CliInput extends NodeJS.ReadableStream {
  isTTY?: boolean;
  setRawMode?(mode: boolean): unknown;
}

export interface CliIo {
  stdout: CliOutput;
  stderr: CliOutput;
  stdin: CliInput;
  env: Record<string, string | undefined>;
  /** fetch used by the API client and the chat client (tests may wrap it). */
  fetch?: typeof fetch;
  /** Current time in ms for ages and expiry shown in output (tests pin it). */
  now?: () => number;
}

/** The real process streams. */
export function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    stdin: process.stdin,
    env: process.env,
  };
}

// Keyed by the root command so that two programs built in one process (parallel tests) never share streams.
const ioByProgram = new WeakMap<Command, CliIo>();

export function attachIo(program: Command, io: CliIo): void {
  ioByProgram.set(program, io);
}

/** The io of the program `cmd` belongs to; the process streams when none was attached (the `nebula` binary). */
export function ioOf(cmd: Command): CliIo {
  let root = cmd;
  while (root.parent) root = root.parent;
  return ioByProgram.get(root) ?? processIo();
}
