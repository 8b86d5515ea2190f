import { readdirSync, readFileSync } from 'node:fs';

/** What the agent needs from `/proc/<pid>/stat`. */
export interface ProcStat {
  pid: number;
  /** One-letter state: R, S, D, Z (zombie), T, X... */
  state: string;
  /** Process group id (field 5). */
  pgid: number;
  /** Start time in clock ticks after boot (field 22): with the pid, identifies one process for its life. */
  startTime: number;
}

/**
 * Parses the text of `/proc/<pid>/stat`. The command name (field 2) is in parentheses and may itself hold
 * spaces and parentheses, so fields are counted from the last ')'.
 */
export function parseProcStat(text: string): ProcStat | undefined {
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const pid = Number(text.slice(0, open).trim());
  // After ')' come fields 3, 4, 5...: field N is at index N - 3.
  const rest = text
    .slice(close + 1)
    .trim()
    .split(/\s+/);
  const state = rest[0];
  const pgid = Number(rest[2]);
  const startTime = Number(rest[19]);
  if (!Number.isInteger(pid) || !state || !Number.isFinite(pgid) || !Number.isFinite(startTime))
    return undefined;
  return { pid, state, pgid, startTime };
}

export function readProcStat(pid: number, procRoot = '/proc'): ProcStat | undefined {
  try {
    return parseProcStat(readFileSync(`${procRoot}/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

/**
 * True when `pid` is a live process that started at `startTime` (so not a recycled pid), and not a zombie
 * (an exited process whose parent has not reaped it yet is gone for our purposes).
 */
export function isSameProcessAlive(pid: number, startTime: number, procRoot = '/proc'): boolean {
  const st = readProcStat(pid, procRoot);
  return st !== undefined && st.startTime === startTime && st.state !== 'Z' && st.state !== 'X';
}

/** Environment of a process (readable for our own processes only); undefined when unreadable. */
export function readProcEnviron(pid: number, procRoot = '/proc'): Map<string, string> | undefined {
  let raw: string;
  try {
    raw = readFileSync(`${procRoot}/${pid}/environ`, 'utf8');
  } catch {
    return undefined;
  }
  const env = new Map<string, string>();
  for (const entry of raw.split('\0')) {
    const eq = entry.indexOf('=');
    if (eq > 0) env.set(entry.slice(0, eq), entry.slice(eq + 1));
  }
  return env;
}

/** Command line of a process as its argv; undefined when unreadable. */
export function readProcCmdline(pid: number, procRoot = '/proc'): string[] | undefined {
  try {
    const raw = readFileSync(`${procRoot}/${pid}/cmdline`, 'utf8');
    return raw.split('\0').filter((s) => s !== '');
  } catch {
    return undefined;
  }
}

/** Pids of all processes visible in /proc. */
export function listPids(procRoot = '/proc'): number[] {
  try {
    return readdirSync(procRoot)
      .filter((d) => /^[0-9]+$/.test(d))
      .map(Number);
  } catch {
    return [];
  }
}

/** Sends a signal, ignoring "no such process". Returns false when the target was already gone. */
export function signalSafe(target: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(target, signal);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ESRCH') return false;
    throw err;
  }
}
