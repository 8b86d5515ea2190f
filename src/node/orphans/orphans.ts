import { listPids, readProcEnviron, readProcStat } from '../proc/index.js';
import { AGENT_MARKER_ENV, REPLICA_MARKER_ENV } from '../replica/index.js';

export interface OrphanEngine {
  pid: number;
  pgid: number;
  startTime: number;
  replica: string | undefined;
}

/**
 * Engines launched by the agent owning `dataDir` (they carry its marker in their environment) that belong
 * to none of the `keep` process groups: left behind when an agent died between launching an engine and
 * recording it. Only our own user's processes are readable, so nothing else can match.
 */
export function findOrphanEngines(
  dataDir: string,
  keep: ReadonlySet<number>,
  procRoot = '/proc',
): OrphanEngine[] {
  const out: OrphanEngine[] = [];
  for (const pid of listPids(procRoot)) {
    if (pid === process.pid) continue;
    const env = readProcEnviron(pid, procRoot);
    if (env?.get(AGENT_MARKER_ENV) !== dataDir) continue;
    const st = readProcStat(pid, procRoot);
    if (!st || st.state === 'Z' || keep.has(st.pgid) || keep.has(pid)) continue;
    out.push({ pid, pgid: st.pgid, startTime: st.startTime, replica: env.get(REPLICA_MARKER_ENV) });
  }
  return out;
}
