import type { Database } from 'better-sqlite3';

/**
 * Tables of the embedded store (the shape of k3s's kine, split for speed):
 * - `log`: append-only history, one row per changed key per revision (a delete keeps the previous value
 *   so watchers see what vanished). Compaction deletes rows below a revision.
 * - `kv`: the current state, one row per live key (what get/list read).
 * - `leases`: granted leases with their TTL and deadline (epoch ms).
 * - `meta`: counters that must survive restarts (compacted revision, next lease id, last revision).
 * Keys are TEXT with BINARY collation: SQLite compares UTF-8 bytes, which is etcd's key order.
 */
export const SCHEMA_VERSION = 1;

const DDL = `
CREATE TABLE IF NOT EXISTS meta (
  name TEXT PRIMARY KEY,
  value INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS kv (
  key TEXT PRIMARY KEY COLLATE BINARY,
  value TEXT NOT NULL,
  create_rev INTEGER NOT NULL,
  mod_rev INTEGER NOT NULL,
  version INTEGER NOT NULL,
  lease INTEGER
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS kv_by_lease ON kv (lease) WHERE lease IS NOT NULL;
CREATE TABLE IF NOT EXISTS log (
  rev INTEGER NOT NULL,
  idx INTEGER NOT NULL,
  key TEXT NOT NULL COLLATE BINARY,
  deleted INTEGER NOT NULL,
  value TEXT,
  create_rev INTEGER NOT NULL,
  version INTEGER NOT NULL,
  PRIMARY KEY (rev, idx)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS leases (
  id INTEGER PRIMARY KEY,
  ttl INTEGER NOT NULL,
  deadline INTEGER NOT NULL
);
`;

/** Opens the schema on a fresh or existing database (idempotent). */
export function applySchema(db: Database, persistent: boolean): void {
  if (persistent) {
    db.pragma('journal_mode = WAL');
    // NORMAL in WAL mode: a crash of the process loses nothing; a power cut may lose the last commits.
    db.pragma('synchronous = NORMAL');
  }
  db.pragma('foreign_keys = OFF');
  db.exec(DDL);
  const row = db.prepare('SELECT value FROM meta WHERE name = ?').get('schema_version') as
    { value: number } | undefined;
  if (!row) db.prepare('INSERT INTO meta (name, value) VALUES (?, ?)').run('schema_version', SCHEMA_VERSION);
}
