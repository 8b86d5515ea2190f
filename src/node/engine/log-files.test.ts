import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  listReplicaLogs,
  nextLogNumber,
  pruneReplicaLogs,
  replicaLogDir,
  replicaLogPath,
  tailFile,
} from './log-files.js';

describe('replica log files', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'nebula-logs-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('lays out <data-dir>/logs/<uid>/<replica>/<n>.log and numbers launches', () => {
    expect(replicaLogPath('/d', 'm1', 2, 3)).toBe('/d/logs/m1/2/3.log');
    const rd = replicaLogDir(dir, 'm1', 0);
    expect(nextLogNumber(rd, 0)).toBe(0);
    mkdirSync(rd, { recursive: true });
    for (const n of [0, 1, 10, 2]) writeFileSync(join(rd, `${n}.log`), `launch ${n}\n`);
    writeFileSync(join(rd, 'notes.txt'), 'x');
    expect(listReplicaLogs(rd).map((l) => l.n)).toEqual([0, 1, 2, 10]);
    expect(nextLogNumber(rd, 0)).toBe(11);
    expect(nextLogNumber(rd, 20)).toBe(20);
    pruneReplicaLogs(rd, 2);
    expect(listReplicaLogs(rd).map((l) => l.n)).toEqual([2, 10]);
  });

  it('tails the last lines', () => {
    const f = join(dir, 'a.log');
    writeFileSync(f, Array.from({ length: 50 }, (_, i) => `line ${i}`).join('\n') + '\n');
    expect(tailFile(f, 3)).toBe('line 47\nline 48\nline 49\n');
    expect(tailFile(f, 0)).toBe('');
    expect(tailFile(join(dir, 'missing.log'), 5)).toBe('');
    writeFileSync(f, 'no newline at end');
    expect(tailFile(f, 5)).toBe('no newline at end\n');
  });
});
