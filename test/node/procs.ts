import { readdirSync, readFileSync } from 'node:fs';

function cmdline(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  } catch {
    return [];
  }
}

function isZombie(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}

function pids(): number[] {
  return readdirSync('/proc')
    .filter((d) => /^[0-9]+$/.test(d))
    .map(Number);
}

/** Live `nebula engine-sim` processes listening on `port` (per their command line). */
export function engineSimPids(port: number): number[] {
  return pids().filter((pid) => {
    const argv = cmdline(pid);
    const i = argv.indexOf('--port');
    return argv.includes('engine-sim') && i >= 0 && argv[i + 1] === String(port) && !isZombie(pid);
  });
}

/** Live processes carrying the node agent's marker for `dataDir` in their environment. */
export function enginesOfDataDir(dataDir: string): number[] {
  return pids().filter((pid) => {
    try {
      const env = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
      return env.includes(`NEBULA_NODE_AGENT_DIR=${dataDir}`) && !isZombie(pid);
    } catch {
      return false;
    }
  });
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !isZombie(pid);
  } catch {
    return false;
  }
}

/** Kills every engine started for `dataDir` (test cleanup, also after failures). */
export function killEnginesOf(dataDir: string): void {
  for (const pid of enginesOfDataDir(dataDir)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone
    }
  }
}
