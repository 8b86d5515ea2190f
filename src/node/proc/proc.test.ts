import { describe, expect, it } from 'vitest';
import { isSameProcessAlive, parseProcStat, readProcStat } from './proc.js';
import { foreignPortsInRange, parseProcNetTcp } from './ports-in-use.js';

describe('parseProcStat', () => {
  it('reads state, pgid and start time, even with spaces and parentheses in the name', () => {
    const fields = [
      'S',
      '1',
      '4242',
      '4242',
      '0',
      '-1',
      '4194560',
      '100',
      '0',
      '0',
      '0',
      '5',
      '3',
      '0',
      '0',
      '20',
      '0',
      '1',
      '0',
      '987654',
      '1000',
    ];
    const st = parseProcStat(`4242 (node (engine) x) ${fields.join(' ')}\n`);
    expect(st).toEqual({ pid: 4242, state: 'S', pgid: 4242, startTime: 987654 });
  });

  it('returns undefined for garbage', () => {
    expect(parseProcStat('nonsense')).toBeUndefined();
    expect(parseProcStat('12 (x) S')).toBeUndefined();
  });

  it('reads this process', () => {
    const st = readProcStat(process.pid);
    expect(st?.pid).toBe(process.pid);
    expect(st && isSameProcessAlive(process.pid, st.startTime)).toBe(true);
    expect(st && isSameProcessAlive(process.pid, st.startTime + 1)).toBe(false);
    expect(readProcStat(999_999_999)).toBeUndefined();
  });
});

describe('ports in use', () => {
  const TCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0100007F:9C41 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 1 1 0000000000000000 100 0 0 10 0
   1: 00000000:9C42 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 2 1 0000000000000000 100 0 0 10 0
   2: 0100007F:9C43 0100007F:D431 01 00000000:00000000 00:00000000 00000000  1000        0 3 1 0000000000000000 20 4 30 10 -1
`;
  const TCP6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000000000000000000000000000:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4 1 0000000000000000 100 0 0 10 0
`;

  it('lists listening ports only (IPv4 and IPv6)', () => {
    expect(parseProcNetTcp(TCP)).toEqual([40001, 40002]);
    expect(parseProcNetTcp(TCP6)).toEqual([8080]);
    expect(parseProcNetTcp('')).toEqual([]);
  });

  it('reports foreign ports inside the range', () => {
    expect(
      foreignPortsInRange([8080, 40001, 40002, 40003], { start: 40000, end: 40002 }, new Set([40001])),
    ).toEqual([40002]);
  });
});
