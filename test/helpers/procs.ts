import { readdirSync, readFileSync } from 'node:fs';

/** Pids of live processes whose command line contains every one of `needles` (Linux /proc scan). */
export function findProcesses(...needles: string[]): number[] {
  const out: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^[0-9]+$/.test(entry)) continue;
    let cmdline: string;
    try {
      cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replace(/\0/g, ' ');
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Zombies have exited; they only wait for their parent to reap them.
      if (/^\d+ \(.*\) Z /.test(stat)) continue;
    } catch {
      continue;
    }
    if (needles.every((n) => cmdline.includes(n))) out.push(Number(entry));
  }
  return out;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) Z /.test(stat);
  } catch {
    return false;
  }
}
