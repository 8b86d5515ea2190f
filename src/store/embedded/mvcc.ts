import type { Database } from 'better-sqlite3';
import type { KeyValue, WatchEvent } from '../types.js';
import { prefixEnd } from './key-range.js';
import type { KvRow, Statements } from './statements.js';

/** Converts a `kv` row to the Store's KeyValue. */
export function toKeyValue(row: KvRow, keysOnly = false): KeyValue {
  const kv: KeyValue = {
    key: row.key,
    value: keysOnly ? '' : row.value,
    createRevision: row.create_rev,
    modRevision: row.mod_rev,
    version: row.version,
  };
  if (row.lease !== null) kv.lease = String(row.lease);
  return kv;
}

/**
 * The changes of one revision being written. Every change gets the same revision (current + 1); the
 * revision only becomes current if something changed, so a write that changes nothing (deleting a
 * missing key, a txn whose branch is empty) leaves the revision alone, as etcd does.
 */
export class RevisionWriter {
  readonly events: WatchEvent[] = [];

  constructor(
    private readonly s: Statements,
    readonly revision: number,
  ) {}

  get changed(): boolean {
    return this.events.length > 0;
  }

  current(key: string): KvRow | undefined {
    return this.s.getKv.get(key);
  }

  put(key: string, value: string, lease: number | null): void {
    const prev = this.s.getKv.get(key);
    const createRev = prev ? prev.create_rev : this.revision;
    const version = prev ? prev.version + 1 : 1;
    this.s.upsertKv.run(key, value, createRev, this.revision, version, lease);
    this.s.insertLog.run(this.revision, this.events.length, key, 0, value, createRev, version);
    this.events.push({
      type: 'put',
      key,
      value,
      modRevision: this.revision,
      createRevision: createRev,
      version,
    });
  }

  /** Deletes a key if it exists; returns 1 when it did. */
  delete(key: string): number {
    const prev = this.s.getKv.get(key);
    if (!prev) return 0;
    this.deleteRow(prev);
    return 1;
  }

  deletePrefix(prefix: string): number {
    const end = prefixEnd(prefix);
    const rows = end === undefined ? this.s.keysFrom.all(prefix) : this.s.keysInRange.all(prefix, end);
    for (const row of rows) this.deleteRow(row);
    return rows.length;
  }

  deleteRows(rows: KvRow[]): void {
    for (const row of rows) this.deleteRow(row);
  }

  private deleteRow(prev: KvRow): void {
    this.s.deleteKv.run(prev.key);
    // A delete is logged with the previous value so watchers can tell what vanished; create_rev and
    // version are 0, as in etcd's tombstones.
    this.s.insertLog.run(this.revision, this.events.length, prev.key, 1, prev.value, 0, 0);
    this.events.push({
      type: 'delete',
      key: prev.key,
      value: prev.value,
      modRevision: this.revision,
      createRevision: 0,
      version: 0,
    });
  }
}

/** Runs one atomic write (a SQLite transaction) and tells the caller what revision it produced. */
export class Mvcc {
  private rev: number;
  private readonly inTransaction: (fn: () => unknown) => unknown;

  constructor(
    private readonly db: Database,
    private readonly s: Statements,
    private readonly onCommit: (events: WatchEvent[], revision: number) => void,
  ) {
    const max = s.maxRev.get()?.rev ?? 0;
    const compacted = s.getMeta.get('compact_rev')?.value ?? 0;
    const saved = s.getMeta.get('revision')?.value ?? 0;
    // A fresh store starts at revision 1, like a fresh etcd.
    this.rev = Math.max(1, max, compacted, saved);
    this.inTransaction = db.transaction((fn: () => unknown) => fn());
  }

  get revision(): number {
    return this.rev;
  }

  /**
   * Runs `fn` in a transaction writing at revision + 1. If `fn` throws, nothing is written; if it changed
   * nothing, the revision stays. Watchers are told after the commit.
   */
  write<T>(fn: (w: RevisionWriter) => T): { result: T; revision: number; events: WatchEvent[] } {
    const w = new RevisionWriter(this.s, this.rev + 1);
    const result = this.inTransaction(() => fn(w)) as T;
    if (w.changed) {
      this.rev = w.revision;
      this.onCommit(w.events, w.revision);
    }
    return { result, revision: this.rev, events: w.events };
  }

  /** Records the revision in meta (kept across compaction of everything and restarts). */
  saveRevision(): void {
    this.s.setMeta.run('revision', this.rev);
  }
}
