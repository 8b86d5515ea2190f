/**
 * The Store: the one interface every role uses for state (DESIGN.md §2). Two implementations, etcd and the
 * embedded SQLite store, pass one conformance suite (`test/store/conformance.ts`) with etcd's semantics:
 * a global revision bumped once per write or txn, per-key create/mod revisions and versions, leases whose
 * expiry deletes their keys (with delete events), and watches that resume from a revision.
 */

export interface KeyValue {
  key: string;
  value: string;
  /** Revision at which the key was created (since its last deletion). */
  createRevision: number;
  /** Revision of the last write to the key. */
  modRevision: number;
  /** Number of writes since creation (1 after the first put). */
  version: number;
  /** Lease the key is bound to, if any. */
  lease?: string;
}

export interface ListOptions {
  /** Maximum number of items (sorted by key); the result says whether more exist. */
  limit?: number;
  /** Only keys strictly after this one (paging: pass the last key of the previous page). */
  startAfter?: string;
  keysOnly?: boolean;
}

export interface ListResult {
  items: KeyValue[];
  /** Store revision the list was read at; watch from `revision + 1` to follow it. */
  revision: number;
  more: boolean;
}

export interface PutOptions {
  /** Bind the key to a lease: it vanishes when the lease expires or is revoked. */
  lease?: string;
  /** Write only if the key's modRevision equals this (0 means "only if absent"). */
  ifModRevision?: number;
  /** Write only if the key does not exist. */
  ifAbsent?: boolean;
}

export interface DeleteOptions {
  ifModRevision?: number;
}

export interface WriteResult {
  /** Store revision after the write. */
  revision: number;
}

export interface DeleteResult extends WriteResult {
  deleted: number;
}

export type TxnCompare =
  /** Key's modRevision equals (0 = the key is absent). */
  | { key: string; modRevision: number }
  /** Key's value equals. */
  | { key: string; value: string };

export type TxnOp =
  | { op: 'put'; key: string; value: string; lease?: string }
  | { op: 'delete'; key: string }
  | { op: 'deletePrefix'; prefix: string };

export interface TxnRequest {
  compare: TxnCompare[];
  success: TxnOp[];
  failure?: TxnOp[];
}

export interface TxnResult {
  succeeded: boolean;
  revision: number;
}

export interface WatchEvent {
  type: 'put' | 'delete';
  key: string;
  /** Value after a put; for a delete, the previous value when known. */
  value: string | undefined;
  modRevision: number;
  createRevision: number;
  version: number;
}

export interface WatchOptions {
  /** First revision to deliver (inclusive). Default: changes after now. */
  fromRevision?: number;
  /** Events in revision order, grouped per revision (one txn -> one batch). */
  onEvents: (events: WatchEvent[], revision: number) => void;
  /**
   * The watch ended and will deliver nothing more: `CompactedError` when `fromRevision` was compacted,
   * `StoreUnavailableError` when the connection was lost. Re-list and watch again (the Informer does).
   */
  onError: (err: Error) => void;
}

export interface Watcher {
  close(): Promise<void>;
}

export interface Store {
  /** Human-readable kind ("etcd", "embedded"), for logs and health. */
  readonly kind: string;

  get(key: string): Promise<KeyValue | undefined>;
  list(prefix: string, opts?: ListOptions): Promise<ListResult>;
  put(key: string, value: string, opts?: PutOptions): Promise<WriteResult>;
  delete(key: string, opts?: DeleteOptions): Promise<DeleteResult>;
  deletePrefix(prefix: string): Promise<DeleteResult>;
  txn(req: TxnRequest): Promise<TxnResult>;

  /** Grants a lease of `ttlSeconds`; returns its id. */
  grantLease(ttlSeconds: number): Promise<string>;
  /** Renews a lease once; rejects with LeaseNotFoundError when it already expired. Returns the TTL. */
  keepAliveOnce(leaseId: string): Promise<number>;
  /** Revokes a lease, deleting its keys. Unknown leases are ignored. */
  revokeLease(leaseId: string): Promise<void>;

  watch(prefix: string, opts: WatchOptions): Promise<Watcher>;

  /** Current store revision. */
  revision(): Promise<number>;
  /** Discards history before `revision` (watches from older revisions fail with CompactedError). */
  compact(revision: number): Promise<void>;

  close(): Promise<void>;

  /**
   * Faults the store saw in its own medium (the embedded store's SQLite file: corruption, I/O errors),
   * for health views. Absent where the store cannot tell (etcd reports its health itself).
   */
  health?(): StoreHealth;
}

/** What `Store.health()` reports. */
export interface StoreHealth {
  ok: boolean;
  /** Faults seen since the store opened. */
  errors: number;
  /** The last fault: its code (`SQLITE_CORRUPT`, `SQLITE_IOERR_WRITE`, ...), message and time. */
  last?: { code: string; message: string; at: string };
}
