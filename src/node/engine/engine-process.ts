import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { EngineLaunchError } from '../errors.js';
import { isSameProcessAlive, readProcStat, signalSafe } from '../proc/index.js';

/** How an engine process ended. `code` and `signal` are null when it was adopted (not our child). */
export interface ExitInfo {
  code: number | null;
  signal: string | null;
}

export interface SpawnSpec {
  command: string;
  argv: string[];
  env: Record<string, string>;
  logPath: string;
  cwd?: string;
}

/** Describes an exit for endpoints and events: "exited with code 1", "killed by SIGKILL". */
export function describeExit(info: ExitInfo): string {
  if (info.signal) return `killed by ${info.signal}`;
  if (info.code !== null) return `exited with code ${info.code}`;
  return 'exited';
}

/**
 * One engine process, either spawned by this agent or adopted from a previous one. Engines run detached in
 * their own session and process group, so an agent crash does not take them down (adoption picks them up)
 * and stopping one signals the whole group (engines like vLLM fork workers).
 */
export class EngineProcess {
  /** Set before an intentional stop, so the exit is not treated as a crash. */
  expectedExit = false;
  private exitInfo: ExitInfo | undefined;
  private readonly exitPromise: Promise<ExitInfo>;
  private resolveExit!: (info: ExitInfo) => void;
  private pollTimer: ReturnType<typeof setInterval> | undefined;

  private constructor(
    readonly pid: number,
    readonly startTime: number,
    readonly logPath: string,
    readonly adopted: boolean,
  ) {
    this.exitPromise = new Promise((resolve) => (this.resolveExit = resolve));
  }

  /** Starts a process with stdout and stderr appended to `logPath`. */
  static async spawn(spec: SpawnSpec): Promise<EngineProcess> {
    let fd: number;
    try {
      mkdirSync(dirname(spec.logPath), { recursive: true });
      fd = openSync(spec.logPath, 'a', 0o640);
      writeSync(
        fd,
        `--- nebula: ${new Date().toISOString()} launching ${spec.command} ${spec.argv.join(' ')}\n`,
      );
    } catch (err) {
      throw new EngineLaunchError(`cannot open engine log ${spec.logPath}: ${(err as Error).message}`, err);
    }
    try {
      const child = spawn(spec.command, spec.argv, {
        detached: true,
        stdio: ['ignore', fd, fd],
        env: spec.env,
        cwd: spec.cwd,
      });
      const pid = await new Promise<number>((resolve, reject) => {
        child.once('spawn', () => resolve(child.pid ?? -1));
        child.once('error', (err) =>
          reject(new EngineLaunchError(`cannot start ${spec.command}: ${err.message}`, err)),
        );
      });
      const startTime = readProcStat(pid)?.startTime ?? 0;
      const proc = new EngineProcess(pid, startTime, spec.logPath, false);
      child.once('exit', (code, signal) => proc.markExited({ code, signal }));
      // The agent must be able to exit (or be upgraded) while its engines keep running.
      child.unref();
      return proc;
    } finally {
      closeSync(fd);
    }
  }

  /**
   * Takes over a process started by a previous agent. It is not our child, so its exit is found by
   * polling: gone, a zombie, or a different process under the same pid.
   */
  static adopt(pid: number, startTime: number, logPath: string, pollMs = 1000): EngineProcess {
    const proc = new EngineProcess(pid, startTime, logPath, true);
    const check = () => {
      if (!isSameProcessAlive(pid, startTime)) proc.markExited({ code: null, signal: null });
    };
    proc.pollTimer = setInterval(check, pollMs);
    proc.pollTimer.unref();
    check();
    return proc;
  }

  private markExited(info: ExitInfo): void {
    if (this.exitInfo) return;
    this.exitInfo = info;
    if (this.pollTimer) clearInterval(this.pollTimer);
    // Reap what the engine may have left in its group (workers of a crashed leader): no orphans.
    this.signalGroup('SIGKILL', true);
    this.resolveExit(info);
  }

  get exited(): Promise<ExitInfo> {
    return this.exitPromise;
  }

  get running(): boolean {
    return this.exitInfo === undefined;
  }

  /** Stops watching without touching the process (agent shutdown that keeps engines running). */
  detach(): void {
    if (this.pollTimer) clearInterval(this.pollTimer);
    this.pollTimer = undefined;
  }

  /**
   * Signals the engine's process group. For a process we did not spawn, first checks that the pid still
   * belongs to it, so a recycled pid is never signalled.
   */
  signalGroup(signal: NodeJS.Signals, afterExit = false): void {
    if (!afterExit && this.adopted && !isSameProcessAlive(this.pid, this.startTime)) return;
    try {
      if (!signalSafe(-this.pid, signal) && !afterExit) signalSafe(this.pid, signal);
    } catch {
      // EPERM: not ours any more; nothing to do.
    }
  }

  /** SIGTERM to the group, SIGKILL after `graceMs`; resolves when the process is gone. */
  async terminate(graceMs: number): Promise<ExitInfo | undefined> {
    this.expectedExit = true;
    if (!this.running) return this.exitInfo;
    if (this.adopted && !this.pollTimer) {
      // Detached earlier: watch again so the exit is noticed.
      this.pollTimer = setInterval(() => {
        if (!isSameProcessAlive(this.pid, this.startTime)) this.markExited({ code: null, signal: null });
      }, 100);
      this.pollTimer.unref();
    }
    this.signalGroup('SIGTERM');
    // A stopped (SIGSTOP, frozen) engine keeps SIGTERM pending: wake it so it can shut down in its grace
    // instead of waiting for SIGKILL (systemd does the same).
    this.signalGroup('SIGCONT');
    const graceful = await waitOrTimeout(this.exitPromise, graceMs);
    if (graceful) return graceful;
    this.signalGroup('SIGKILL');
    return (await waitOrTimeout(this.exitPromise, 10_000)) ?? undefined;
  }
}

async function waitOrTimeout<T>(p: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  try {
    return await Promise.race([p, timeout]);
  } finally {
    if (timer) clearTimeout(timer);
  }
}
