import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { systemClock, type Clock } from '../../core/clock.js';
import type { Logger } from '../../core/logger.js';
import { StoreUnavailableError } from '../errors.js';
import type { Store } from '../types.js';
import type { AutoCompactOptions } from './auto-compactor.js';
import { EmbeddedStore } from './embedded-store.js';
import { applySchema } from './schema.js';
import { prepareStatements } from './statements.js';

export { EmbeddedStore } from './embedded-store.js';
export { prefixEnd, compareKeys } from './key-range.js';
export { DEFAULT_AUTO_COMPACT, type AutoCompactOptions } from './auto-compactor.js';

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
}

/**
 * Opens the embedded store (etcd semantics over SQLite in WAL mode). The file is locked exclusively:
 * a second process opening the same file fails with StoreUnavailableError instead of diverging.
 */
export async function openEmbeddedStore(opts: EmbeddedStoreOptions = {}): Promise<Store> {
  const persistent = opts.path !== undefined && opts.path !== ':memory:';
  if (persistent && opts.path) mkdirSync(dirname(opts.path), { recursive: true });
  const db = new Database(persistent ? opts.path : ':memory:', { timeout: opts.lockTimeoutMs ?? 2000 });
  try {
    if (persistent) db.pragma('locking_mode = EXCLUSIVE');
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
