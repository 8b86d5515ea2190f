/**
 * Backup and restore of Nebula's metadata (seed 001 §3.6: "备份/恢复 etcd 元数据"), pure store-level so the
 * server, the offline CLI and the tests all run the same code on either store.
 *
 * Consistency: a backup is ONE `list('/')` filtered to `ALL_PREFIXES`. Both stores answer a single,
 * un-paged range at a single revision (etcd serves a Range from one MVCC snapshot; the embedded store runs
 * one synchronous SQLite statement), so every key in the file is as of `revision`. Paging, or one list
 * per prefix, would read at several revisions while heartbeats and plans keep moving; pinning a revision
 * across pages needs historical reads, which the embedded store does not keep.
 *
 * Leased keys (node heartbeats, endpoints, component registrations, the scheduler leader, download
 * progress, and the audit/event history bound to retention leases) are kept in the file marked
 * `lease: true` but never restored: a lease id means nothing in another store and its remaining TTL is
 * not readable, the live ones are re-published by their owners within seconds, and restoring them
 * unleased would make dead nodes and endpoints look alive forever.
 */
import { systemClock, type Clock } from '../core/clock.js';
import { AlreadyExistsError, InvalidArgumentError } from '../core/errors.js';
import { Backup, BackupEntry, BACKUP_FORMAT, BACKUP_VERSION, inNebulaPrefix } from '../core/backup-format.js';
import { keys as storeKeys } from '../core/keys.js';
import type { KeyValue, Store, TxnOp } from './types.js';

/** etcd refuses txns over 128 ops (`--max-txn-ops`) and requests over 1.5 MiB (`--max-request-bytes`). */
export const RESTORE_TXN_MAX_OPS = 100;
export const RESTORE_TXN_MAX_BYTES = 1024 * 1024;

/**
 * Keys that are secrets rather than state: the session signing secret (with it anyone mints an admin
 * session). Left out of backups unless asked for, and never deleted by a restore whose file lacks them:
 * the store keeps its current secret, so a restore does not log everyone out (or leave no secret at all).
 */
export const SECRET_KEYS: readonly string[] = [storeKeys.meta('jwt-secret')];
const isSecretKey = (key: string): boolean => SECRET_KEYS.includes(key);

export { Backup, BackupEntry, BACKUP_FORMAT, BACKUP_VERSION, inNebulaPrefix } from '../core/backup-format.js';

export interface RestoreOptions {
  /** Replace the Nebula keys of a store that already has some (deleting those the backup lacks). */
  force?: boolean;
  /** Ops per txn (default RESTORE_TXN_MAX_OPS). */
  maxOps?: number;
  /** Bytes per txn (default RESTORE_TXN_MAX_BYTES). */
  maxBytes?: number;
}

export interface RestoreResult {
  /** Keys written. */
  restored: number;
  /** Existing keys deleted because the backup does not have them (only with force). */
  deleted: number;
  /** Leased keys in the file, not restored. */
  skipped_leased: number;
  /** Txns the restore was written in. */
  txns: number;
  /** Store revision after the last write. */
  revision: number;
}

/** The target store already holds Nebula keys and `force` was not given (HTTP 409, CLI exit 1). */
export class StoreNotEmptyError extends AlreadyExistsError {
  constructor(count: number, example: string) {
    super(
      `the store already holds ${count} Nebula key(s) (e.g. ${example}); restore with force to replace them`,
      'STORE_NOT_EMPTY',
      { keys: count, example },
    );
  }
}

/** The file is not a Nebula backup, or not one this version reads (HTTP 400, CLI exit 1). */
export class InvalidBackupError extends InvalidArgumentError {
  constructor(message: string, details?: Record<string, unknown>) {
    super(`invalid backup: ${message}`, 'INVALID_BACKUP', details);
  }
}

/**
 * Every Nebula key of the store at one revision; SECRET_KEYS only with `includeSecrets` (then the file is
 * as sensitive as the signing secret itself).
 */
export async function backupStore(
  store: Store,
  opts: { clock?: Clock; includeSecrets?: boolean } = {},
): Promise<Backup> {
  const clock = opts.clock ?? systemClock;
  const includeSecrets = opts.includeSecrets ?? false;
  const res = await store.list('/');
  const keys: BackupEntry[] = res.items
    .filter((kv) => inNebulaPrefix(kv.key) && (includeSecrets || !isSecretKey(kv.key)))
    .map((kv) => ({ key: kv.key, value: kv.value, lease: kv.lease !== undefined }));
  return {
    format: BACKUP_FORMAT,
    version: BACKUP_VERSION,
    revision: res.revision,
    created_at: new Date(clock.now()).toISOString(),
    store: store.kind,
    secrets_included: includeSecrets,
    keys,
  };
}

/** Parses and checks a backup (unknown input: a file, a request body). Throws InvalidBackupError. */
export function parseBackup(input: unknown): Backup {
  if (typeof input === 'object' && input !== null) {
    const o = input as Record<string, unknown>;
    if (o['format'] !== BACKUP_FORMAT) throw new InvalidBackupError(`format is not "${BACKUP_FORMAT}"`);
    if (o['version'] !== BACKUP_VERSION) {
      throw new InvalidBackupError(
        `version ${String(o['version'])} is not supported (this build reads ${BACKUP_VERSION})`,
      );
    }
  }
  const r = Backup.safeParse(input);
  if (!r.success) {
    const issue = r.error.issues[0];
    const where = issue?.path.length ? `${issue.path.map(String).join('.')}: ` : '';
    throw new InvalidBackupError(`${where}${issue?.message ?? 'malformed'}`);
  }
  const seen = new Set<string>();
  for (const e of r.data.keys) {
    if (seen.has(e.key)) throw new InvalidBackupError(`key ${e.key} appears twice`);
    seen.add(e.key);
  }
  return r.data;
}

/**
 * Nebula keys of the store that a restore would overwrite or delete (leased ones are left alone, and so
 * are SECRET_KEYS: a backup that has them overwrites them, one that lacks them keeps the store's).
 */
async function ownedKeys(store: Store): Promise<KeyValue[]> {
  const res = await store.list('/', { keysOnly: true });
  return res.items.filter((kv) => kv.lease === undefined && inNebulaPrefix(kv.key) && !isSecretKey(kv.key));
}

/** Groups ops into txns of at most `maxOps` ops and about `maxBytes` bytes. Pure. */
export function batchOps(ops: readonly TxnOp[], maxOps: number, maxBytes: number): TxnOp[][] {
  const out: TxnOp[][] = [];
  let cur: TxnOp[] = [];
  let bytes = 0;
  for (const op of ops) {
    const size = op.op === 'put' ? op.key.length + Buffer.byteLength(op.value) + 16 : 64 + op.op.length;
    if (cur.length > 0 && (cur.length >= maxOps || bytes + size > maxBytes)) {
      out.push(cur);
      cur = [];
      bytes = 0;
    }
    cur.push(op);
    bytes += size;
  }
  if (cur.length > 0) out.push(cur);
  return out;
}

/**
 * Writes a backup's unleased keys into a store. Refuses (StoreNotEmptyError, nothing written) when the
 * store already has unleased Nebula keys, unless `force`: then keys the backup lacks are deleted and
 * the rest overwritten, so the store ends up equal to the backup (leased keys of live processes are
 * left alone). Writes in txns of bounded size; not atomic as a whole, but idempotent: run it again
 * with force after a failure.
 */
export async function restoreStore(
  store: Store,
  input: Backup,
  opts: RestoreOptions = {},
): Promise<RestoreResult> {
  const backup = parseBackup(input);
  const existing = await ownedKeys(store);
  const first = existing[0];
  if (first !== undefined && !opts.force) throw new StoreNotEmptyError(existing.length, first.key);

  const wanted = backup.keys.filter((e) => !e.lease);
  const wantedKeys = new Set(wanted.map((e) => e.key));
  const ops: TxnOp[] = [
    ...existing.filter((kv) => !wantedKeys.has(kv.key)).map((kv): TxnOp => ({ op: 'delete', key: kv.key })),
    ...wanted.map((e): TxnOp => ({ op: 'put', key: e.key, value: e.value })),
  ];
  const batches = batchOps(ops, opts.maxOps ?? RESTORE_TXN_MAX_OPS, opts.maxBytes ?? RESTORE_TXN_MAX_BYTES);
  let revision = await store.revision();
  for (const success of batches) {
    const r = await store.txn({ compare: [], success });
    revision = r.revision;
  }
  return {
    restored: wanted.length,
    deleted: ops.length - wanted.length,
    skipped_leased: backup.keys.length - wanted.length,
    txns: batches.length,
    revision,
  };
}
