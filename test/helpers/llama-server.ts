/**
 * The real llama-server for suites that need one. `scripts/test.sh` builds it (`nebula engine install
 * llamacpp --cpu --print-path`) and exports its path as NEBULA_TEST_LLAMA_SERVER. Without it the suites
 * fail in CI (CI set: a missing engine must not turn into a green run) and skip locally with a message.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { freePort, waitFor } from './ports.js';

export const LLAMA_SERVER_ENV = 'NEBULA_TEST_LLAMA_SERVER';

/** The binary from NEBULA_TEST_LLAMA_SERVER when it is executable. */
export function llamaServerBinary(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const p = env[LLAMA_SERVER_ENV];
  if (!p) return undefined;
  try {
    accessSync(p, constants.X_OK);
    return p;
  } catch {
    return undefined;
  }
}

/**
 * Whether a suite needing llama-server should be skipped: false when the binary is there; throws in CI when
 * it is not (so the run fails), true locally (after saying why once).
 */
export function skipWithoutLlamaServer(suite: string): boolean {
  if (llamaServerBinary()) return false;
  const why = `${suite} needs a real llama-server: set ${LLAMA_SERVER_ENV} (scripts/test.sh does: node bin/nebula.js engine install llamacpp --cpu --print-path)`;
  if (process.env['CI']) throw new Error(`${why}; CI is set, so this fails instead of skipping`);
  process.stderr.write(`skipping: ${why}\n`);
  return true;
}

export interface RunningLlamaServer {
  url: string;
  port: number;
  proc: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

/** Starts llama-server on a free port with `model`; resolves once /health answers 200. */
export async function startLlamaServer(
  model: string,
  extraArgs: string[] = [],
  opts: { timeoutMs?: number } = {},
): Promise<RunningLlamaServer> {
  const bin = llamaServerBinary();
  if (!bin) throw new Error(`${LLAMA_SERVER_ENV} is not set`);
  const port = await freePort();
  let out = '';
  const proc = spawn(
    bin,
    ['-m', model, '--host', '127.0.0.1', '--port', String(port), '--metrics', ...extraArgs],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  proc.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((res) => proc.once('exit', () => res()));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
    await exited;
  };
  try {
    const state = await waitFor(
      async () => {
        if (proc.exitCode !== null || proc.signalCode !== null) return 'exited';
        const r = await fetch(`${url}/health`);
        return r.status === 200 ? 'ready' : undefined;
      },
      { timeoutMs: opts.timeoutMs ?? 60_000, what: `llama-server on ${model}` },
    );
    if (state === 'exited') throw new Error(`llama-server exited: ${out.slice(-800)}`);
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, port, proc, output: () => out, stop };
}
