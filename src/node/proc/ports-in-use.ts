import { readFile } from 'node:fs/promises';
import type { PortRange } from '../../core/domain/index.js';

const TCP_LISTEN = '0A';

/**
 * Listening TCP ports from the text of `/proc/net/tcp` or `/proc/net/tcp6`: rows whose state (`st`) is
 * 0A (LISTEN); the port is the hex after the colon of `local_address`.
 */
export function parseProcNetTcp(text: string): number[] {
  const ports = new Set<number>();
  for (const line of text.split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/);
    const local = cols[1];
    const state = cols[3];
    if (!local || state !== TCP_LISTEN) continue;
    const hexPort = local.slice(local.lastIndexOf(':') + 1);
    if (!/^[0-9A-Fa-f]{1,4}$/.test(hexPort)) continue;
    ports.add(parseInt(hexPort, 16));
  }
  return [...ports].sort((a, b) => a - b);
}

/** Ports of `listening` inside `range` that are not in `own` (the conflict signal for the scheduler). */
export function foreignPortsInRange(
  listening: Iterable<number>,
  range: PortRange,
  own: ReadonlySet<number>,
): number[] {
  const out = new Set<number>();
  for (const p of listening) if (p >= range.start && p <= range.end && !own.has(p)) out.add(p);
  return [...out].sort((a, b) => a - b);
}

/** Every TCP port something listens on (IPv4 and IPv6); empty where /proc is not available. */
export async function listeningTcpPorts(procRoot = '/proc'): Promise<number[]> {
  const all = new Set<number>();
  for (const f of ['net/tcp', 'net/tcp6']) {
    const text = await readFile(`${procRoot}/${f}`, 'utf8').catch(() => '');
    for (const p of parseProcNetTcp(text)) all.add(p);
  }
  return [...all].sort((a, b) => a - b);
}
