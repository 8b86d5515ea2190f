import { randomUUID } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NodeConfigError } from '../errors.js';
import { isSameProcessAlive, readProcStat } from '../proc/index.js';

/** Who holds a data dir: the agent's pid, its start time (pid reuse) and a per-start instance id. */
export interface AgentLockHolder {
  pid: number;
  start_time: number;
  /** Tells two agents apart that ran in one process one after the other (tests, `nebula up` restarts). */
  instance?: string | undefined;
}

export function agentLockPath(dataDir: string): string {
  return join(dataDir, 'agent.lock');
}

/** The current holder of `dataDir`'s lock when it is a live process, else undefined. */
export function liveLockHolder(dataDir: string): AgentLockHolder | undefined {
  try {
    const held = JSON.parse(readFileSync(agentLockPath(dataDir), 'utf8')) as Partial<AgentLockHolder>;
    if (typeof held.pid !== 'number' || typeof held.start_time !== 'number') return undefined;
    if (!isSameProcessAlive(held.pid, held.start_time)) return undefined;
    return {
      pid: held.pid,
      start_time: held.start_time,
      instance: typeof held.instance === 'string' ? held.instance : undefined,
    };
  } catch {
    return undefined;
  }
}

/**
 * One agent per data dir: two agents sharing a state file would each launch the same engines (twins).
 * The lock file names the holder's pid and start time, so a lock left by a killed agent is taken over.
 */
export function acquireAgentLock(dataDir: string): { holder: AgentLockHolder; release: () => void } {
  const path = agentLockPath(dataDir);
  const held = liveLockHolder(dataDir);
  if (held && held.pid !== process.pid)
    throw new NodeConfigError(`another node agent (pid ${held.pid}) is using data dir ${dataDir}`);
  const mine: AgentLockHolder = {
    pid: process.pid,
    start_time: readProcStat(process.pid)?.startTime ?? 0,
    instance: randomUUID(),
  };
  writeFileSync(path, JSON.stringify(mine), { mode: 0o600 });
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    try {
      const cur = JSON.parse(readFileSync(path, 'utf8')) as { instance?: unknown };
      if (cur.instance === mine.instance) rmSync(path, { force: true });
    } catch {
      // already gone
    }
  };
  return { holder: mine, release };
}
