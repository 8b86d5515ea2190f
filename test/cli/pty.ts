/**
 * Drives the real `nebula` entry (run from source with vite-node) inside a pseudo-terminal made by
 * util-linux `script`, so tests can type keys (Ctrl-C included) and read what a person would see.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { waitFor } from '../helpers/wait-for.js';

const ROOT = resolve(import.meta.dirname, '../..');

function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;?]*[A-Za-z]|\u001b[()][A-Z0-9]|\r/g;

export interface PtySession {
  /** Everything printed so far, escape sequences and CRs removed. */
  text(): string;
  write(keys: string): void;
  /** Resolves when `pattern` appears in the output after `from` (a text() length). */
  waitFor(pattern: RegExp | string, opts?: { from?: number; timeoutMs?: number }): Promise<void>;
  /** Resolves with the exit code. */
  exited(timeoutMs?: number): Promise<number | null>;
  kill(): void;
}

export function spawnCliInPty(args: string[], env: Record<string, string>): PtySession {
  const cmd = ['node_modules/.bin/vite-node', 'test/cli/fixtures/cli-entry.ts', '--', ...args]
    .map(shellQuote)
    .join(' ');
  const child: ChildProcess = spawn('script', ['-qefc', cmd, '/dev/null'], {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', TERM: 'xterm', COLUMNS: '120', LINES: '40', ...env },
    detached: true, // its own process group, so kill() reaches vite-node and node too
  });
  let raw = '';
  child.stdout?.on('data', (d: Buffer) => (raw += d.toString('utf8')));
  child.stderr?.on('data', (d: Buffer) => (raw += d.toString('utf8')));
  const exit = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
  const text = (): string => raw.replace(ANSI, '');
  return {
    text,
    write: (keys) => child.stdin?.write(keys),
    async waitFor(pattern, opts = {}) {
      const from = opts.from ?? 0;
      await waitFor(
        () => {
          const t = text().slice(from);
          return typeof pattern === 'string' ? t.includes(pattern) : pattern.test(t);
        },
        {
          timeoutMs: opts.timeoutMs ?? 20_000,
          intervalMs: 25,
          what: () => `${String(pattern)}; output so far:\n${text()}`,
        },
      );
    },
    async exited(timeoutMs = 20_000) {
      const timer = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), timeoutMs).unref());
      const r = await Promise.race([exit, timer]);
      if (r === 'timeout') throw new Error(`process did not exit; output:\n${text()}`);
      return r;
    },
    kill() {
      if (child.exitCode === null && child.pid !== undefined) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    },
  };
}
