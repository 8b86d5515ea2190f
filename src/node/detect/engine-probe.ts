/**
 * Version probes: run an engine's own "--version" without a shell, with a timeout, and read its version
 * from what it prints. A probe that hangs is killed with its whole process group.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { DetectableEngine } from './engine-bins.js';

export interface VersionProbe {
  args: readonly string[];
  /** The version from the probe's stdout + stderr, or null when nothing recognisable was printed. */
  parse(output: string): string | null;
  /**
   * A failed probe of a candidate found on the PATH means "not installed" rather than "broken": a
   * `python3` without the sglang package is the normal case, not an error worth showing.
   */
  failureMeansAbsent?: boolean;
}

/** The version probe of each engine (argv after the executable). */
export const VERSION_PROBES: Readonly<Record<DetectableEngine, VersionProbe>> = {
  // llama-server prints `version: 4589 (1d1e6a90)` (release builds) or `version: 0.5.0-dev (build 1,
  // commit de3ff81)` (node-llama-cpp's source) and `built with ...` on stderr, among log lines; exits 0.
  llamacpp: {
    args: ['--version'],
    parse: (out) => /^version:\s*(\S.*?)\s*$/m.exec(out)?.[1]?.slice(0, 100) ?? null,
  },
  // vllm prints its version (`0.8.5`) as the last line, possibly after log lines.
  vllm: { args: ['--version'], parse: lastVersionLine },
  // The installed package's version, read without importing sglang (and torch with it): fast and robust.
  sglang: {
    args: ['-c', 'import importlib.metadata as m; print(m.version("sglang"))'],
    parse: lastVersionLine,
    failureMeansAbsent: true,
  },
};

function lastVersionLine(out: string): string | null {
  const lines = out
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => /^v?\d+(\.\d+)+\S*$/.test(l));
  return lines[lines.length - 1] ?? null;
}

export type ProbeResult = { ok: true; output: string } | { ok: false; reason: string };

export interface ProbeOptions {
  timeoutMs: number;
  env?: NodeJS.ProcessEnv;
  /** Lets the caller kill a probe in flight (agent shutdown). */
  track?: (child: ChildProcess) => () => void;
}

const MAX_OUTPUT = 64 * 1024;

/**
 * Runs `path args` (no shell) and collects stdout + stderr (64 KiB at most). Exit code 0 is success; a
 * non-zero exit, a signal, a spawn error or the timeout is a failure with a one-line reason. On timeout
 * the probe's process group is killed and the promise settles at once, even if a grandchild keeps the
 * output pipes open.
 */
export function runProbe(path: string, args: readonly string[], opts: ProbeOptions): Promise<ProbeResult> {
  return new Promise((resolve) => {
    let settled = false;
    let output = '';
    let child: ChildProcess;
    const finish = (r: ProbeResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      untrack();
      resolve(r);
    };
    try {
      child = spawn(path, [...args], {
        shell: false,
        detached: true, // own process group, so a timeout kills what it started too
        stdio: ['ignore', 'pipe', 'pipe'],
        env: opts.env ?? process.env,
      });
    } catch (err) {
      resolve({ ok: false, reason: `cannot run: ${(err as Error).message}` });
      return;
    }
    const untrack = opts.track?.(child) ?? (() => undefined);
    const timer = setTimeout(() => {
      killGroup(child);
      finish({ ok: false, reason: `version probe timed out after ${opts.timeoutMs} ms` });
    }, opts.timeoutMs);
    const collect = (chunk: Buffer) => {
      if (output.length < MAX_OUTPUT) output += chunk.toString('utf8').slice(0, MAX_OUTPUT - output.length);
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    child.on('error', (err) => finish({ ok: false, reason: `cannot run: ${err.message}` }));
    child.on('close', (code, signal) => {
      if (code === 0) finish({ ok: true, output });
      else {
        const last = output.trim().split('\n').pop()?.trim().slice(0, 200);
        const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
        finish({ ok: false, reason: `version probe ${how}${last ? `: ${last}` : ''}` });
      }
    });
  });
}

/** SIGKILL to the child's process group (it was spawned detached, so it leads one). */
export function killGroup(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
}
