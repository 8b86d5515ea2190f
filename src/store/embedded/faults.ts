/**
 * Faults of the embedded store's SQLite file seen at runtime. A damaged page is found only when something
 * reads it, possibly long after start: the error that surfaces then (SQLITE_CORRUPT on a backup, an audit
 * write) is recorded here so health views stop saying "ok", and rethrown as a typed store error.
 */
import { errorMessage } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { StoreCorruptError, StoreIoError } from '../errors.js';
import type { StoreHealth } from '../types.js';

/** Corruption does not heal: it stays red until the store is reopened (restored). */
const CORRUPT = /^SQLITE_(CORRUPT|NOTADB)/;
/** The file could not be read or written: red while it keeps happening. */
const IO = /^SQLITE_(IOERR|FULL|CANTOPEN|READONLY|PROTOCOL)/;
/** An I/O fault keeps health red this long after it was last seen. */
export const IO_FAULT_HOLD_MS = 60_000;

/** The SQLite result code of an error (better-sqlite3's SqliteError carries it as `code`). */
export function sqliteCode(err: unknown): string | undefined {
  if (err instanceof Error && 'code' in err && typeof err.code === 'string' && err.code.startsWith('SQLITE_'))
    return err.code;
  return undefined;
}

/** True for the codes that mean the file's content is damaged. */
export function isCorruption(code: string | undefined): boolean {
  return code !== undefined && CORRUPT.test(code);
}

export class FaultRecorder {
  private count = 0;
  private last: { code: string; message: string; atMs: number; corrupt: boolean } | undefined;
  private corrupt = false;

  /**
   * Records `err` when it is a fault of the file and returns what the caller should throw: a
   * StoreCorruptError / StoreIoError for faults, `err` itself for everything else.
   */
  note(err: unknown, nowMs: number, logger: Logger | undefined): unknown {
    const code = sqliteCode(err);
    if (code === undefined) return err;
    const corrupt = CORRUPT.test(code);
    if (!corrupt && !IO.test(code)) return err;
    this.count += 1;
    this.corrupt ||= corrupt;
    const message = errorMessage(err);
    this.last = { code, message, atMs: nowMs, corrupt };
    logger?.error({ code, err: message, faults: this.count }, 'embedded store file fault');
    return corrupt
      ? new StoreCorruptError(`the store file is damaged (${code}: ${message})`, { sqlite_code: code }, err)
      : new StoreIoError(`the store file failed (${code}: ${message})`, err);
  }

  health(nowMs: number): StoreHealth {
    const last = this.last;
    const ok = !this.corrupt && (last === undefined || nowMs - last.atMs > IO_FAULT_HOLD_MS);
    return {
      ok,
      errors: this.count,
      ...(last
        ? { last: { code: last.code, message: last.message, at: new Date(last.atMs).toISOString() } }
        : {}),
    };
  }
}
