import { existsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { systemClock, type Clock } from '../../core/clock.js';
import { errorMessage } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import {
  describeFix,
  ensurePrivateDir,
  ensurePrivateFile,
  touchPrivateFile,
  type ModeFix,
} from '../../core/private-files.js';
import { StoreCorruptError, StoreUnavailableError } from '../errors.js';
import type { Store } from '../types.js';
import type { AutoCompactOptions } from './auto-compactor.js';
import { EmbeddedStore } from './embedded-store.js';
import { isCorruption, sqliteCode } from './faults.js';
import { applySchema } from './schema.js';
import { prepareStatements } from './statements.js';
import { restoreHint } from './data-dir.js';

export { EmbeddedStore } from './embedded-store.js';
export { prefixEnd, compareKeys } from './key-range.js';
export { DEFAULT_AUTO_COMPACT, type AutoCompactOptions } from './auto-compactor.js';
export { CLUSTER_MARKER, clusterSigns, writeClusterMarker, restoreHint } from './data-dir.js';

export interface EmbeddedStoreOptions {
  /** SQLite file; undefined keeps everything in memory (tests, throwaway runs). */
  path?: string;
  logger?: Logger;
  /** Drives lease expiry (a FakeClock in tests). */
  clock?: Clock;
  /** How long to wait for another process to release the file (ms; default 2000). */
  lockTimeoutMs?: number;
  /** Periodic compaction of history (default every 5 min, keeping 10000 revisions); false turns it off. */
  autoCompact?: AutoCompactOptions | false;
  /**
   * Files proving the store existed before (`admin.key`, the cluster marker): when any is given, a missing
   * or empty store file is refused (StoreCorruptError) instead of silently becoming a new, empty cluster.
   */
  existingSigns?: readonly string[];
  /** `PRAGMA quick_check` before use; a damaged file is refused (default true for files). */
  integrityCheck?: boolean;
  /** Called for each store file or directory that was readable by others and was made owner-only. */
  onModeFix?: (fix: ModeFix) => void;
}

/**
 * Opens the embedded store (etcd semantics over SQLite in WAL mode). The file is locked exclusively:
 * a second process opening the same file fails with StoreUnavailableError instead of diverging.
 */
export async function openEmbeddedStore(opts: EmbeddedStoreOptions = {}): Promise<Store> {
  const path = opts.path !== undefined && opts.path !== ':memory:' ? opts.path : undefined;
  const persistent = path !== undefined;
  if (path !== undefined) {
    refuseMissing(path, opts.existingSigns ?? []);
    // Owner-only, whatever the umask: a directory made here, the file (created 0600 before SQLite opens
    // it, so SQLite keeps that mode and gives its -wal / -shm files the same), and leftovers of earlier
    // runs. An existing directory is the caller's (`nebula up` makes its data dir 0700 itself): it may
    // be shared, like /tmp, and is left as it is.
    if (!existsSync(dirname(path))) ensurePrivateDir(dirname(path));
    const fixes: (ModeFix | undefined)[] = [touchPrivateFile(path)];
    for (const suffix of ['-wal', '-shm', '-journal']) fixes.push(ensurePrivateFile(`${path}${suffix}`));
    for (const fix of fixes) {
      if (!fix) continue;
      opts.logger?.warn({ path: fix.path }, `insecure permissions fixed: ${describeFix(fix)}`);
      opts.onModeFix?.(fix);
    }
  }
  const db = new Database(path ?? ':memory:', { timeout: opts.lockTimeoutMs ?? 2000 });
  try {
    if (persistent) db.pragma('locking_mode = EXCLUSIVE');
    if (path !== undefined && (opts.integrityCheck ?? true)) quickCheck(db, path);
    applySchema(db, persistent);
    // A write takes the exclusive lock now, not at the first put: a second process fails at open.
    db.prepare(
      'INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value',
    ).run('opened_at', Date.now());
    const store = new EmbeddedStore(
      db,
      prepareStatements(db),
      opts.clock ?? systemClock,
      opts.logger,
      opts.autoCompact ?? {},
    );
    opts.logger?.info(
      { path: opts.path ?? ':memory:', revision: await store.revision() },
      'embedded store open',
    );
    return store;
  } catch (err) {
    db.close();
    if (err instanceof StoreCorruptError) throw err;
    if (path !== undefined && isCorruption(sqliteCode(err))) throw corruptError(path, errorMessage(err), err);
    if (
      err instanceof Error &&
      'code' in err &&
      (err.code === 'SQLITE_BUSY' || err.code === 'SQLITE_LOCKED')
    ) {
      throw new StoreUnavailableError(`store file ${opts.path} is in use by another process`, err);
    }
    throw err;
  }
}

/** One line: what is wrong with the file, and how to get the cluster back. */
function corruptError(path: string, why: string, cause?: unknown): StoreCorruptError {
  return new StoreCorruptError(
    `store file ${path} is damaged (${why}); ${restoreHint(dirname(path))}`,
    { path },
    cause,
  );
}

/** SQLite's own structural check of every page in use (`quick_check`: no index-content cross-check). */
function quickCheck(db: Database.Database, path: string): void {
  const rows = db.pragma('quick_check(5)') as { quick_check: string }[];
  const problems = rows.map((r) => r.quick_check).filter((m) => m !== 'ok');
  if (problems.length > 0) throw corruptError(path, `quick_check: ${problems.join('; ').slice(0, 300)}`);
}

/** A missing or 0-byte store file where other files say a cluster lived here: refused, never re-created. */
function refuseMissing(path: string, signs: readonly string[]): void {
  if (signs.length === 0) return;
  const st = statSync(path, { throwIfNoEntry: false });
  if (st && st.size > 0) return;
  const what = st ? 'is empty (0 bytes)' : 'is missing';
  throw new StoreCorruptError(
    `store file ${path} ${what} but ${signs.join(', ')} show a cluster was created here; ${restoreHint(dirname(path), { moveAway: st !== undefined })}, or move the data dir away to start a new cluster`,
    { path, signs: [...signs] },
  );
}
