import type { Database } from 'better-sqlite3';
import type { Clock } from '../../core/clock.js';
import { errorMessage, InvalidArgumentError } from '../../core/errors.js';
import * as args from '../arg-check.js';
import type { Logger } from '../../core/logger.js';
import { ConflictError, LeaseNotFoundError, StoreClosedError } from '../errors.js';
import { FaultRecorder } from './faults.js';
import type {
  DeleteOptions,
  DeleteResult,
  KeyValue,
  ListOptions,
  ListResult,
  PutOptions,
  Store,
  TxnCompare,
  TxnOp,
  TxnRequest,
  TxnResult,
  StoreHealth,
  WatchOptions,
  Watcher,
  WriteResult,
} from '../types.js';
import { AutoCompactor, type AutoCompactOptions } from './auto-compactor.js';
import { compareKeys, prefixEnd } from './key-range.js';
import { LeaseTable } from './lease-table.js';
import { Mvcc, toKeyValue, type RevisionWriter } from './mvcc.js';
import type { Statements } from './statements.js';
import { WatchHub } from './watch-hub.js';

/** Public operations whose SQLite failures are recorded (see FaultRecorder). */
const TRACKED = [
  'get',
  'list',
  'put',
  'delete',
  'deletePrefix',
  'txn',
  'grantLease',
  'keepAliveOnce',
  'revokeLease',
  'watch',
  'compact',
] as const;

/**
 * The embedded Store: etcd's data model (global revision, per-key create/mod revision and version,
 * leases, watches from a revision, compaction) over one SQLite database. better-sqlite3 is synchronous,
 * so every operation runs atomically with respect to the others in this process; watch delivery is
 * queued per watcher and happens on later macrotasks, so writers never wait for watchers.
 */
export class EmbeddedStore implements Store {
  readonly kind = 'embedded';
  private readonly mvcc: Mvcc;
  private readonly leases: LeaseTable;
  private readonly hub: WatchHub;
  private compacted: number;
  private readonly compactor: AutoCompactor | undefined;
  private closed = false;
  private readonly faults = new FaultRecorder();

  constructor(
    private readonly db: Database,
    private readonly s: Statements,
    private readonly clock: Clock,
    private readonly logger: Logger | undefined,
    autoCompact: AutoCompactOptions | false = {},
  ) {
    this.compacted = s.getMeta.get('compact_rev')?.value ?? 0;
    this.hub = new WatchHub(
      {
        read: (from, to, prefix) => {
          if (prefix === '') return s.logAll.all(from, to);
          const end = prefixEnd(prefix);
          return end === undefined ? s.logFrom.all(from, to, prefix) : s.logRange.all(from, to, prefix, end);
        },
        compactRevision: () => this.compacted,
      },
      logger,
    );
    this.mvcc = new Mvcc(db, s, (events, revision) => this.hub.publish(events, revision));
    this.leases = new LeaseTable(s, clock, () => this.expireDue());
    this.compactor = autoCompact === false ? undefined : new AutoCompactor(clock, autoCompact, this, logger);
    // Every operation touching the file goes through the fault recorder: SQLITE_CORRUPT / I/O errors are
    // counted for health() and rethrown as typed store errors (callers answer 503, not 500).
    for (const name of TRACKED) {
      const original = (this[name] as (...args: unknown[]) => Promise<unknown>).bind(this);
      // Writable and configurable like the prototype method it shadows (tests wrap methods).
      Object.defineProperty(this, name, {
        writable: true,
        configurable: true,
        value: (...args: unknown[]) =>
          original(...args).catch((err: unknown) => {
            throw this.faults.note(err, clock.now(), logger);
          }),
      });
    }
  }

  /** Faults of the SQLite file seen since open (corruption stays; I/O errors clear after 60 s). */
  health(): StoreHealth {
    return this.faults.health(this.clock.now());
  }

  private open(): void {
    if (this.closed) throw new StoreClosedError();
  }

  async get(key: string): Promise<KeyValue | undefined> {
    this.open();
    args.checkKey(key);
    const row = this.s.getKv.get(key);
    return row ? toKeyValue(row) : undefined;
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    this.open();
    args.checkList(prefix, opts);
    const limit = opts.limit;
    let start = prefix;
    // The smallest key after `startAfter` is startAfter + NUL.
    if (opts.startAfter !== undefined && compareKeys(opts.startAfter + '\u0000', start) > 0) {
      start = opts.startAfter + '\u0000';
    }
    const end = prefixEnd(prefix);
    // limit 0 means "no limit", as in etcd; fetch one extra row to know whether there is more.
    const sqlLimit = limit ? limit + 1 : -1;
    const rows =
      end === undefined ? this.s.listAll.all(start, sqlLimit) : this.s.listRange.all(start, end, sqlLimit);
    const more = limit ? rows.length > limit : false;
    if (more) rows.pop();
    return {
      items: rows.map((r) => toKeyValue(r, opts.keysOnly)),
      revision: this.mvcc.revision,
      more,
    };
  }

  private leaseFor(lease: string | undefined): number | null {
    if (lease === undefined) return null;
    const id = LeaseTable.parseId(lease);
    if (!this.leases.alive(id)) throw new LeaseNotFoundError(lease);
    return id;
  }

  async put(key: string, value: string, opts: PutOptions = {}): Promise<WriteResult> {
    this.open();
    args.checkKey(key);
    args.checkValue(value);
    const lease = this.leaseFor(opts.lease);
    const { revision } = this.mvcc.write((w) => {
      if (opts.ifAbsent || opts.ifModRevision !== undefined) {
        const current = w.current(key)?.mod_rev ?? 0;
        if (opts.ifAbsent && current !== 0) throw new ConflictError(key, `${key} already exists`);
        if (opts.ifModRevision !== undefined && current !== opts.ifModRevision) throw new ConflictError(key);
      }
      w.put(key, value, lease);
    });
    return { revision };
  }

  async delete(key: string, opts: DeleteOptions = {}): Promise<DeleteResult> {
    this.open();
    args.checkKey(key);
    const { result, revision } = this.mvcc.write((w) => {
      if (opts.ifModRevision !== undefined && (w.current(key)?.mod_rev ?? 0) !== opts.ifModRevision) {
        throw new ConflictError(key);
      }
      return w.delete(key);
    });
    return { deleted: result, revision };
  }

  async deletePrefix(prefix: string): Promise<DeleteResult> {
    this.open();
    args.checkPrefix(prefix);
    const { result, revision } = this.mvcc.write((w) => w.deletePrefix(prefix));
    return { deleted: result, revision };
  }

  private holds(w: RevisionWriter, c: TxnCompare): boolean {
    const row = w.current(c.key);
    if ('modRevision' in c) return (row?.mod_rev ?? 0) === c.modRevision;
    // etcd: a value compare against a missing key is false.
    return row !== undefined && row.value === c.value;
  }

  private apply(w: RevisionWriter, ops: readonly TxnOp[], leases: (number | null)[]): void {
    ops.forEach((op, i) => {
      if (op.op === 'put') w.put(op.key, op.value, leases[i] ?? null);
      else if (op.op === 'delete') w.delete(op.key);
      else w.deletePrefix(op.prefix);
    });
  }

  async txn(req: TxnRequest): Promise<TxnResult> {
    this.open();
    args.checkTxn(req);
    const leasesOf = (ops: readonly TxnOp[]) =>
      ops.map((op) => (op.op === 'put' ? this.leaseFor(op.lease) : null));
    const { result, revision } = this.mvcc.write((w) => {
      const succeeded = req.compare.every((c) => this.holds(w, c));
      const ops = succeeded ? req.success : (req.failure ?? []);
      this.apply(w, ops, leasesOf(ops));
      return succeeded;
    });
    return { succeeded: result, revision };
  }

  async grantLease(ttlSeconds: number): Promise<string> {
    this.open();
    args.checkLeaseTtl(ttlSeconds);
    const id = this.s.getMeta.get('next_lease')?.value ?? 1;
    this.db.transaction(() => {
      this.s.setMeta.run('next_lease', id + 1);
      this.leases.grant(id, ttlSeconds);
    })();
    return String(id);
  }

  async keepAliveOnce(leaseId: string): Promise<number> {
    this.open();
    const id = LeaseTable.parseId(leaseId);
    if (!this.leases.has(id)) throw new LeaseNotFoundError(leaseId);
    if (!this.leases.alive(id)) {
      // Past its deadline but not swept yet: it is expired all the same.
      this.expire(id);
      throw new LeaseNotFoundError(leaseId);
    }
    return this.leases.renew(id);
  }

  async revokeLease(leaseId: string): Promise<void> {
    this.open();
    let id: number;
    try {
      id = LeaseTable.parseId(leaseId);
    } catch {
      return;
    }
    if (this.leases.has(id)) this.expire(id);
  }

  /** Deletes a lease and its keys in one revision (none when it had no keys). */
  private expire(id: number): void {
    this.mvcc.write((w) => {
      w.deleteRows(this.s.keysOfLease.all(id));
      this.leases.remove(id);
    });
  }

  private expireDue(): void {
    if (this.closed) return;
    for (const id of this.leases.due()) {
      try {
        this.expire(id);
      } catch (err) {
        this.faults.note(err, this.clock.now(), undefined);
        this.logger?.error({ err: errorMessage(err), lease: id }, 'lease expiry failed');
      }
    }
  }

  async watch(prefix: string, opts: WatchOptions): Promise<Watcher> {
    this.open();
    args.checkWatch(prefix, opts);
    return this.hub.add(prefix, opts, this.mvcc.revision);
  }

  async revision(): Promise<number> {
    this.open();
    return this.mvcc.revision;
  }

  async compact(revision: number): Promise<void> {
    this.open();
    args.checkCompactRevision(revision);
    if (revision > this.mvcc.revision) {
      throw new InvalidArgumentError(
        `cannot compact to future revision ${revision} (current ${this.mvcc.revision})`,
      );
    }
    if (revision <= this.compacted) return;
    this.db.transaction(() => {
      this.s.compact.run(revision);
      this.s.setMeta.run('compact_rev', revision);
      this.s.setMeta.run('revision', this.mvcc.revision);
    })();
    this.compacted = revision;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.compactor?.stop();
    this.leases.stop();
    this.hub.closeAll();
    try {
      this.mvcc.saveRevision();
    } finally {
      this.db.close();
    }
  }
}
