import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { systemClock, type Clock } from '../../core/clock.js';
import type { Logger } from '../../core/logger.js';
import { liveLockHolder, type AgentLockHolder } from './agent-lock.js';
import type { NebulaBin } from '../engine/index.js';
import { findOrphanEngines } from './orphans.js';
import { isSameProcessAlive, signalSafe } from '../proc/index.js';
import { AGENT_MARKER_ENV, REPLICA_MARKER_ENV } from '../replica/index.js';

/**
 * Engines outlive their agent on purpose (they run in their own process groups), so that a restarted or
 * upgraded agent adopts them instead of interrupting inference. The price was engines running unseen when
 * the agent does not come back: the scheduler re-places the node's replicas after its grace period and the
 * GPU memory is used twice. The orphan watchdog bounds that: a small process per agent, started by it in its
 * own session, holding a pipe from the agent. When the pipe closes without a clean "stop" (kill -9, crash,
 * OOM, or an exit that kept the engines) it waits `graceMs` for a new agent to take the data dir's lock
 * (that agent adopts the engines), and otherwise stops every engine carrying this data dir's marker:
 * SIGTERM (and SIGCONT, for a frozen one), SIGKILL after `killGraceMs`.
 *
 * Timing: engines are gone at most `graceMs + killGraceMs` (+ a poll) after the agent died. The scheduler
 * re-places only after the node's lease expired (up to its TTL, 10 s) plus its grace period (50 s), so the
 * defaults (30 s + 10 s) have the engines gone before their replicas start elsewhere. Keep
 * `--orphan-grace` + `--stop-grace-ms` below the scheduler's `--grace-period` when changing either.
 */
export const DEFAULT_ORPHAN_GRACE_MS = 30_000;

export interface OrphanWatchdogArgs {
  dataDir: string;
  /** The agent this watchdog belongs to. */
  agent: AgentLockHolder;
  graceMs: number;
  killGraceMs: number;
}

export type WatchdogOutcome = 'stopped' | 'taken-over' | 'killed';

export interface WatchdogIo {
  /** The pipe from the agent: "stop" lines, then end of file when the agent is gone. */
  input: NodeJS.ReadableStream;
  clock?: Clock;
  log?: (line: string) => void;
  procRoot?: string;
  pollMs?: number;
}

/**
 * The watchdog's life (`nebula node-watchdog` runs it): waits for the agent to go, then for a successor,
 * then stops the engines left behind. Resolves with what happened.
 */
export async function runOrphanWatchdog(args: OrphanWatchdogArgs, io: WatchdogIo): Promise<WatchdogOutcome> {
  const clock = io.clock ?? systemClock;
  const poll = io.pollMs ?? 500;
  const log = io.log ?? (() => undefined);
  const gone = await agentGone(args, io, clock, poll);
  if (gone === 'stopped') {
    log('agent stopped cleanly');
    return 'stopped';
  }
  log(`agent pid ${args.agent.pid} is gone; waiting ${args.graceMs} ms for a new agent to adopt its engines`);
  const deadline = clock.now() + args.graceMs;
  for (;;) {
    if (successor(args)) {
      log('a new agent holds the data dir: leaving its engines to it');
      return 'taken-over';
    }
    if (clock.now() >= deadline) break;
    await clock.sleep(Math.min(poll, Math.max(0, deadline - clock.now())));
  }
  const n = await stopOrphanEngines(args.dataDir, args.killGraceMs, { clock, log, procRoot: io.procRoot });
  log(`no agent came back within ${args.graceMs} ms: stopped ${n} engine process(es)`);
  return 'killed';
}

/** A live agent other than ours holds the data dir's lock. */
function successor(args: OrphanWatchdogArgs): boolean {
  const holder = liveLockHolder(args.dataDir);
  if (holder === undefined) return false;
  return holder.instance !== args.agent.instance || holder.pid !== args.agent.pid;
}

/** Resolves 'stopped' on a clean stop message, 'gone' when the pipe ends or the agent process is gone. */
function agentGone(
  args: OrphanWatchdogArgs,
  io: WatchdogIo,
  clock: Clock,
  poll: number,
): Promise<'stopped' | 'gone'> {
  return new Promise((resolve) => {
    let text = '';
    let done = false;
    const ctl = new AbortController();
    const finish = (how: 'stopped' | 'gone') => {
      if (done) return;
      done = true;
      ctl.abort();
      resolve(how);
    };
    io.input.on('data', (d: Buffer | string) => {
      text += d.toString();
      if (/(^|\n)stop\n/.test(text)) finish('stopped');
      if (text.length > 1024) text = text.slice(-16);
    });
    io.input.on('end', () => finish('gone'));
    io.input.on('close', () => finish('gone'));
    io.input.on('error', () => finish('gone'));
    io.input.resume();
    // Belt and braces: the pipe's end is the signal, the process check covers an inherited write end.
    void (async () => {
      while (!done) {
        try {
          await clock.sleep(poll * 2, ctl.signal);
        } catch {
          return;
        }
        if (!isSameProcessAlive(args.agent.pid, args.agent.start_time, io.procRoot)) finish('gone');
      }
    })();
  });
}

/**
 * Stops every engine started for `dataDir` (its marker in the environment): SIGTERM and SIGCONT to each
 * engine's process group, SIGKILL to what is left after `killGraceMs`. Groups are signalled only when their
 * leader is itself one of these engines, so no foreign group is ever hit. Returns the processes found.
 */
export async function stopOrphanEngines(
  dataDir: string,
  killGraceMs: number,
  opts: { clock?: Clock; log?: (line: string) => void; procRoot?: string } = {},
): Promise<number> {
  const clock = opts.clock ?? systemClock;
  const found = () => findOrphanEngines(dataDir, new Set(), opts.procRoot);
  const first = found();
  const signalAll = (sig: NodeJS.Signals) => {
    for (const o of found()) {
      try {
        if (o.pgid === o.pid) signalSafe(-o.pgid, sig);
        signalSafe(o.pid, sig);
      } catch {
        // EPERM: not ours
      }
    }
  };
  if (first.length === 0) return 0;
  opts.log?.(`stopping engines: ${first.map((o) => `${o.pid} (${o.replica ?? '?'})`).join(', ')}`);
  signalAll('SIGTERM');
  signalAll('SIGCONT');
  const deadline = clock.now() + killGraceMs;
  while (found().length > 0 && clock.now() < deadline) await clock.sleep(100);
  if (found().length > 0) {
    opts.log?.('engines still running after the grace: SIGKILL');
    signalAll('SIGKILL');
  }
  return first.length;
}

/** The agent's side: the watchdog process, told "stop" on a clean shutdown. */
export interface WatchdogHandle {
  /** Clean stop (`enginesStopped`: no engine is left, the watchdog exits at once); else the grace applies. */
  stop(enginesStopped: boolean): void;
  readonly pid: number | undefined;
}

/**
 * Starts the watchdog (`nebula node-watchdog`) in its own session with a pipe from this agent, and starts it
 * again if it dies while the agent runs. Its output goes to `<data-dir>/logs/orphan-watchdog.log`.
 */
export function startOrphanWatchdog(
  args: OrphanWatchdogArgs,
  deps: { nebulaBin: NebulaBin; logger: Logger },
): WatchdogHandle {
  let child: ChildProcess | undefined;
  let stopped = false;
  let startedAt = 0;
  const logPath = join(args.dataDir, 'logs', 'orphan-watchdog.log');
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) {
    // The watchdog must not look like one of the engines it stops.
    if (v !== undefined && k !== AGENT_MARKER_ENV && k !== REPLICA_MARKER_ENV) env[k] = v;
  }
  const launch = () => {
    mkdirSync(join(args.dataDir, 'logs'), { recursive: true });
    const fd = openSync(logPath, 'a', 0o640);
    try {
      child = spawn(
        deps.nebulaBin.command,
        [
          ...deps.nebulaBin.args,
          'node-watchdog',
          '--data-dir',
          args.dataDir,
          '--agent-pid',
          String(args.agent.pid),
          '--agent-start',
          String(args.agent.start_time),
          '--agent-instance',
          args.agent.instance ?? '',
          '--grace-ms',
          String(args.graceMs),
          '--kill-grace-ms',
          String(args.killGraceMs),
        ],
        { detached: true, stdio: ['pipe', fd, fd], env },
      );
    } finally {
      closeSync(fd);
    }
    startedAt = Date.now();
    const c = child;
    c.on('error', (err) => deps.logger.error({ err: err.message }, 'orphan watchdog could not start'));
    c.stdin?.on('error', () => undefined);
    c.once('exit', (code, signal) => {
      if (stopped || child !== c) return;
      const ranMs = Date.now() - startedAt;
      if (ranMs < 2_000) {
        deps.logger.error(
          { code, signal, log: logPath },
          'orphan watchdog exited at once: engines will not be stopped if this agent dies',
        );
        return;
      }
      deps.logger.warn({ code, signal }, 'orphan watchdog exited; starting it again');
      launch();
    });
    // Neither the process nor its pipe keeps the agent's event loop alive.
    c.unref();
    (c.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  };
  launch();
  return {
    get pid() {
      return child?.pid;
    },
    stop(enginesStopped) {
      if (stopped) return;
      stopped = true;
      const stdin = child?.stdin;
      if (!stdin || stdin.destroyed) return;
      if (enginesStopped) stdin.end('stop\n');
      else stdin.end();
    },
  };
}
