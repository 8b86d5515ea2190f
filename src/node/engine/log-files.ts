import { closeSync, openSync, readdirSync, readSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** Directory of one replica's engine logs: `<data-dir>/logs/<model_uid>/<replica_id>/`. */
export function replicaLogDir(dataDir: string, modelUid: string, replicaId: number): string {
  return join(dataDir, 'logs', modelUid, String(replicaId));
}

/** Log of one launch: `<restart-n>.log` (0 for the first launch, then one per restart). */
export function replicaLogPath(
  dataDir: string,
  modelUid: string,
  replicaId: number,
  restart: number,
): string {
  return join(replicaLogDir(dataDir, modelUid, replicaId), `${restart}.log`);
}

/** Numbered logs in a replica's log dir, oldest first. */
export function listReplicaLogs(dir: string): { n: number; path: string }[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return [];
  }
  return names
    .map((name) => /^([0-9]+)\.log$/.exec(name))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ n: Number(m[1]), path: join(dir, m[0]) }))
    .sort((a, b) => a.n - b.n);
}

/** Latest launch number already used in `dir` (so a new launch after an agent restart does not overwrite). */
export function nextLogNumber(dir: string, atLeast: number): number {
  const last = listReplicaLogs(dir).at(-1);
  return Math.max(atLeast, last ? last.n + 1 : 0);
}

/** Keeps the newest `keep` logs of a replica. */
export function pruneReplicaLogs(dir: string, keep: number): void {
  const logs = listReplicaLogs(dir);
  for (const old of logs.slice(0, Math.max(0, logs.length - keep))) rmSync(old.path, { force: true });
}

/** Reads bytes [from, to) of a file. */
export function readRange(path: string, from: number, to: number): Buffer {
  const len = Math.max(0, to - from);
  const buf = Buffer.alloc(len);
  if (len === 0) return buf;
  const fd = openSync(path, 'r');
  try {
    const n = readSync(fd, buf, 0, len, from);
    return buf.subarray(0, n);
  } finally {
    closeSync(fd);
  }
}

export function fileSize(path: string): number | undefined {
  try {
    return statSync(path).size;
  } catch {
    return undefined;
  }
}

/** Last `lines` lines of a file, reading at most `maxBytes` from its end. Empty when the file is missing. */
export function tailFile(path: string, lines: number, maxBytes = 1024 * 1024): string {
  const size = fileSize(path);
  if (size === undefined || lines <= 0) return '';
  const text = readRange(path, Math.max(0, size - maxBytes), size).toString('utf8');
  const all = text.split('\n');
  if (all.at(-1) === '') all.pop();
  return all.slice(-lines).join('\n') + (all.length ? '\n' : '');
}

/** `reason`, followed by the last lines of the engine's log (what an operator needs to see first). */
export function withLogTail(reason: string, logPath: string, lines = 10): string {
  const tail = tailFile(logPath, lines, 16 * 1024).trimEnd();
  return tail ? `${reason}; last log lines:\n${tail}` : reason;
}
