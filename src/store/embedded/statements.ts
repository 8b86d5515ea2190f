import type { Database, Statement } from 'better-sqlite3';

/** A row of `kv` as SQLite returns it. */
export interface KvRow {
  key: string;
  value: string;
  create_rev: number;
  mod_rev: number;
  version: number;
  lease: number | null;
}

/** A row of `log` as SQLite returns it. */
export interface LogRow {
  rev: number;
  idx: number;
  key: string;
  deleted: number;
  value: string | null;
  create_rev: number;
  version: number;
}

export interface LeaseRow {
  id: number;
  ttl: number;
  deadline: number;
}

/** Every statement the store runs, prepared once (better-sqlite3 statements are reusable and fast). */
export interface Statements {
  getKv: Statement<[string], KvRow>;
  upsertKv: Statement<[string, string, number, number, number, number | null]>;
  deleteKv: Statement<[string]>;
  listAll: Statement<[string, number], KvRow>;
  listRange: Statement<[string, string, number], KvRow>;
  keysInRange: Statement<[string, string], KvRow>;
  keysFrom: Statement<[string], KvRow>;
  keysOfLease: Statement<[number], KvRow>;
  insertLog: Statement<[number, number, string, number, string | null, number, number]>;
  logAll: Statement<[number, number], LogRow>;
  logFrom: Statement<[number, number, string], LogRow>;
  logRange: Statement<[number, number, string, string], LogRow>;
  maxRev: Statement<[], { rev: number | null }>;
  compact: Statement<[number]>;
  getMeta: Statement<[string], { value: number }>;
  setMeta: Statement<[string, number]>;
  insertLease: Statement<[number, number, number]>;
  updateLease: Statement<[number, number]>;
  deleteLease: Statement<[number]>;
  allLeases: Statement<[], LeaseRow>;
}

const KV_COLS = 'key, value, create_rev, mod_rev, version, lease';
const LOG_COLS = 'rev, idx, key, deleted, value, create_rev, version';

export function prepareStatements(db: Database): Statements {
  return {
    getKv: db.prepare(`SELECT ${KV_COLS} FROM kv WHERE key = ?`),
    upsertKv: db.prepare(
      `INSERT INTO kv (${KV_COLS}) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (key) DO UPDATE SET value = excluded.value, create_rev = excluded.create_rev,
         mod_rev = excluded.mod_rev, version = excluded.version, lease = excluded.lease`,
    ),
    deleteKv: db.prepare('DELETE FROM kv WHERE key = ?'),
    listAll: db.prepare(`SELECT ${KV_COLS} FROM kv WHERE key >= ? ORDER BY key LIMIT ?`),
    listRange: db.prepare(`SELECT ${KV_COLS} FROM kv WHERE key >= ? AND key < ? ORDER BY key LIMIT ?`),
    keysInRange: db.prepare(`SELECT ${KV_COLS} FROM kv WHERE key >= ? AND key < ? ORDER BY key`),
    keysFrom: db.prepare(`SELECT ${KV_COLS} FROM kv WHERE key >= ? ORDER BY key`),
    keysOfLease: db.prepare(`SELECT ${KV_COLS} FROM kv WHERE lease = ? ORDER BY key`),
    insertLog: db.prepare(`INSERT INTO log (${LOG_COLS}) VALUES (?, ?, ?, ?, ?, ?, ?)`),
    logAll: db.prepare(`SELECT ${LOG_COLS} FROM log WHERE rev >= ? AND rev <= ? ORDER BY rev, idx`),
    logFrom: db.prepare(
      `SELECT ${LOG_COLS} FROM log WHERE rev >= ? AND rev <= ? AND key >= ? ORDER BY rev, idx`,
    ),
    logRange: db.prepare(
      `SELECT ${LOG_COLS} FROM log WHERE rev >= ? AND rev <= ? AND key >= ? AND key < ? ORDER BY rev, idx`,
    ),
    maxRev: db.prepare('SELECT MAX(rev) AS rev FROM log'),
    compact: db.prepare('DELETE FROM log WHERE rev < ?'),
    getMeta: db.prepare('SELECT value FROM meta WHERE name = ?'),
    setMeta: db.prepare(
      'INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value',
    ),
    insertLease: db.prepare('INSERT INTO leases (id, ttl, deadline) VALUES (?, ?, ?)'),
    updateLease: db.prepare('UPDATE leases SET deadline = ? WHERE id = ?'),
    deleteLease: db.prepare('DELETE FROM leases WHERE id = ?'),
    allLeases: db.prepare('SELECT id, ttl, deadline FROM leases'),
  };
}
