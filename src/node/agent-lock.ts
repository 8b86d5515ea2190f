import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NodeConfigError } from './errors.js';
import { isSameProcessAlive, readProcStat } from './proc.js';

/**
 * One agent per data dir: two agents sharing a state file would each launch the same engines (twins).
 * The lock file names the holder's pid and start time, so a lock left by a killed agent is taken over.
 * Returns the release function.
 */
export function acquireAgentLock(dataDir: string): () => void {
  const path = join(dataDir, 'agent.lock');
  try {
    const held = JSON.parse(readFileSync(path, 'utf8')) as { pid?: unknown; start_time?: unknown };
    if (
      typeof held.pid === 'number' &&
      typeof held.start_time === 'number' &&
      held.pid !== process.pid &&
      isSameProcessAlive(held.pid, held.start_time)
    ) {
      throw new NodeConfigError(`another node agent (pid ${held.pid}) is using data dir ${dataDir}`);
    }
  } catch (err) {
    if (err instanceof NodeConfigError) throw err;
    // Missing or unreadable lock: free to take.
  }
  const mine = { pid: process.pid, start_time: readProcStat(process.pid)?.startTime ?? 0 };
  writeFileSync(path, JSON.stringify(mine), { mode: 0o600 });
  let released = false;
  return () => {
    if (released) return;
    released = true;
    try {
      const cur = JSON.parse(readFileSync(path, 'utf8')) as { pid?: unknown };
      if (cur.pid === process.pid) rmSync(path, { force: true });
    } catch {
      // already gone
    }
  };
}
