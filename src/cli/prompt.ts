/** Questions to the person at the terminal: yes/no confirmations, a line, a password without echo. */
import { createInterface } from 'node:readline';
import { CliError, UsageError } from './errors.js';
import type { CliIo } from './io.js';

/** Reads one line from stdin (the terminal echoes it). */
export function readLine(io: CliIo, question: string): Promise<string> {
  io.stderr.write(question);
  return new Promise((resolve, reject) => {
    const rl = createInterface({ input: io.stdin, terminal: false });
    let answered = false;
    rl.once('line', (line) => {
      answered = true;
      rl.close();
      resolve(line);
    });
    rl.once('close', () => {
      if (!answered) reject(new CliError('no answer (end of input)', 'CANCELLED'));
    });
  });
}

/**
 * Asks `question [y/N]`; true only for y/yes. Without a terminal there is nobody to ask: the caller must
 * pass --yes, so this refuses with a usage error (exit 2).
 */
export async function confirm(io: CliIo, question: string, what: string): Promise<boolean> {
  if (io.stdin.isTTY !== true) {
    throw new UsageError(
      `refusing to ${what} without --yes: stdin is not a terminal`,
      'CONFIRMATION_REQUIRED',
    );
  }
  const answer = await readLine(io, `${question} [y/N] `);
  return /^(y|yes)$/i.test(answer.trim());
}

/** Reads all of stdin (for --password-stdin), without the trailing newline. */
export async function readAllStdin(io: CliIo): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of io.stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

/**
 * Reads a password from the terminal in raw mode, echoing nothing. Backspace edits, Ctrl-C and Ctrl-D
 * cancel. Without a terminal it refuses: use --password-stdin.
 */
export function readPassword(io: CliIo, prompt: string): Promise<string> {
  const stdin = io.stdin;
  if (stdin.isTTY !== true || typeof stdin.setRawMode !== 'function') {
    return Promise.reject(
      new UsageError('stdin is not a terminal: pipe the password with --password-stdin', 'PASSWORD_REQUIRED'),
    );
  }
  io.stderr.write(prompt);
  return new Promise((resolve, reject) => {
    let value = '';
    const finish = (err?: Error): void => {
      stdin.removeListener('data', onData);
      stdin.setRawMode?.(false);
      stdin.pause();
      io.stderr.write('\n');
      if (err) reject(err);
      else resolve(value);
    };
    const onData = (chunk: Buffer | string): void => {
      for (const ch of typeof chunk === 'string' ? chunk : chunk.toString('utf8')) {
        if (ch === '\r' || ch === '\n') return finish();
        if (ch === '\u0003') return finish(new CliError('cancelled', 'CANCELLED'));
        if (ch === '\u0004') {
          if (value === '') return finish(new CliError('cancelled', 'CANCELLED'));
          return finish();
        }
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else if (ch >= ' ') value += ch;
      }
    };
    stdin.setRawMode?.(true);
    stdin.resume();
    stdin.on('data', onData);
  });
}
