import type { Etcd3, ICompare, IRequestOp, IResponseHeader } from 'etcd3';
import type { Logger } from '../../core/logger.js';
import * as args from '../arg-check.js';
import { ConflictError, LeaseNotFoundError, StoreClosedError, StoreUnavailableError } from '../errors.js';
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
  WatchOptions,
  Watcher,
  WriteResult,
} from '../types.js';
import { keyAfter, KeyCodec } from './codec.js';
import { EtcdWatch } from './etcd-watch.js';
import { toStoreError } from './map-error.js';

const STREAM_TIMEOUT_MS = 10_000;

const revisionOf = (header: IResponseHeader): number => Number(header.revision);

function checkLeaseId(leaseId: string): void {
  // etcd lease ids are int64; the client passes them as decimal strings.
  if (typeof leaseId !== 'string' || !/^-?[0-9]{1,20}$/.test(leaseId))
    throw new LeaseNotFoundError(String(leaseId));
}

/**
 * The Store over etcd v3 (the `etcd3` client's low-level RPC clients, so that revisions come straight
 * from response headers and compares map 1:1 onto etcd txns). Keys live under an optional namespace.
 */
export class EtcdStore implements Store {
  readonly kind = 'etcd';
  private closed = false;
  private readonly watchers = new Set<EtcdWatch>();

  constructor(
    private readonly client: Etcd3,
    private readonly codec: KeyCodec,
    private readonly logger: Logger | undefined,
  ) {}

  private async call<T>(what: string, fn: () => Promise<T>, leaseId?: string): Promise<T> {
    if (this.closed) throw new StoreClosedError();
    try {
      return await fn();
    } catch (err) {
      throw toStoreError(err, what, leaseId);
    }
  }

  async get(key: string): Promise<KeyValue | undefined> {
    args.checkKey(key);
    const res = await this.call('get', () => this.client.kv.range({ key: this.codec.encode(key) }));
    const kv = res.kvs[0];
    return kv ? this.codec.toKeyValue(kv) : undefined;
  }

  async list(prefix: string, opts: ListOptions = {}): Promise<ListResult> {
    args.checkList(prefix, opts);
    const range = this.codec.prefixRange(prefix);
    let start = range.start;
    if (opts.startAfter !== undefined) {
      const after = keyAfter(this.codec.encode(opts.startAfter));
      if (Buffer.compare(after, start) > 0) start = after;
    }
    const res = await this.call('list', () =>
      this.client.kv.range({
        key: start,
        range_end: range.end,
        ...(opts.limit ? { limit: opts.limit } : {}),
        ...(opts.keysOnly ? { keys_only: true } : {}),
      }),
    );
    return {
      items: res.kvs.map((kv) => this.codec.toKeyValue(kv, opts.keysOnly)),
      revision: revisionOf(res.header),
      more: Boolean(res.more),
    };
  }

  private modEquals(key: string, modRevision: number): ICompare {
    return { key: this.codec.encode(key), target: 'Mod', result: 'Equal', mod_revision: modRevision };
  }

  private toCompare(c: TxnCompare): ICompare {
    if ('modRevision' in c) return this.modEquals(c.key, c.modRevision);
    return {
      key: this.codec.encode(c.key),
      target: 'Value',
      result: 'Equal',
      value: Buffer.from(c.value, 'utf8'),
    };
  }

  private toOp(op: TxnOp): IRequestOp {
    if (op.op === 'put') {
      return {
        request_put: {
          key: this.codec.encode(op.key),
          value: Buffer.from(op.value, 'utf8'),
          ...(op.lease ? { lease: op.lease } : {}),
        },
      };
    }
    if (op.op === 'delete') return { request_delete_range: { key: this.codec.encode(op.key) } };
    const { start, end } = this.codec.prefixRange(op.prefix);
    return { request_delete_range: { key: start, range_end: end } };
  }

  async put(key: string, value: string, opts: PutOptions = {}): Promise<WriteResult> {
    args.checkKey(key);
    args.checkValue(value);
    if (opts.lease !== undefined) checkLeaseId(opts.lease);
    const op = this.toOp({ op: 'put', key, value, ...(opts.lease ? { lease: opts.lease } : {}) });
    const compare: ICompare[] = [];
    if (opts.ifAbsent) compare.push(this.modEquals(key, 0));
    if (opts.ifModRevision !== undefined) compare.push(this.modEquals(key, opts.ifModRevision));
    if (compare.length === 0) {
      const res = await this.call('put', () => this.client.kv.put(op.request_put ?? {}), opts.lease);
      return { revision: revisionOf(res.header) };
    }
    const res = await this.call('put', () => this.client.kv.txn({ compare, success: [op] }), opts.lease);
    if (!res.succeeded) throw new ConflictError(key, opts.ifAbsent ? `${key} already exists` : undefined);
    return { revision: revisionOf(res.header) };
  }

  async delete(key: string, opts: DeleteOptions = {}): Promise<DeleteResult> {
    args.checkKey(key);
    const req = { key: this.codec.encode(key) };
    if (opts.ifModRevision === undefined) {
      const res = await this.call('delete', () => this.client.kv.deleteRange(req));
      return { deleted: Number(res.deleted), revision: revisionOf(res.header) };
    }
    const mod = opts.ifModRevision;
    const res = await this.call('delete', () =>
      this.client.kv.txn({ compare: [this.modEquals(key, mod)], success: [{ request_delete_range: req }] }),
    );
    if (!res.succeeded) throw new ConflictError(key);
    const deleted = Number(res.responses[0]?.response_delete_range?.deleted ?? 0);
    return { deleted, revision: revisionOf(res.header) };
  }

  async deletePrefix(prefix: string): Promise<DeleteResult> {
    args.checkPrefix(prefix);
    const { start, end } = this.codec.prefixRange(prefix);
    const res = await this.call('deletePrefix', () =>
      this.client.kv.deleteRange({ key: start, range_end: end }),
    );
    return { deleted: Number(res.deleted), revision: revisionOf(res.header) };
  }

  async txn(req: TxnRequest): Promise<TxnResult> {
    args.checkTxn(req);
    let leaseId: string | undefined;
    for (const op of [...req.success, ...(req.failure ?? [])]) {
      if (op.op === 'put' && op.lease !== undefined) {
        checkLeaseId(op.lease);
        leaseId ??= op.lease;
      }
    }
    const res = await this.call(
      'txn',
      () =>
        this.client.kv.txn({
          compare: req.compare.map((c) => this.toCompare(c)),
          success: req.success.map((o) => this.toOp(o)),
          failure: (req.failure ?? []).map((o) => this.toOp(o)),
        }),
      leaseId,
    );
    return { succeeded: Boolean(res.succeeded), revision: revisionOf(res.header) };
  }

  async grantLease(ttlSeconds: number): Promise<string> {
    args.checkLeaseTtl(ttlSeconds);
    const res = await this.call('grantLease', () =>
      this.client.leaseClient.leaseGrant({ TTL: ttlSeconds, ID: 0 }),
    );
    if (res.error) throw new StoreUnavailableError(`etcd refused the lease: ${res.error}`);
    return String(res.ID);
  }

  async keepAliveOnce(leaseId: string): Promise<number> {
    checkLeaseId(leaseId);
    // etcd renews leases only over the LeaseKeepAlive stream: one request, one answer, then close.
    const ttl = await this.call(
      'keepAlive',
      async () => {
        const stream = await this.client.leaseClient.leaseKeepAlive();
        try {
          return await new Promise<number>((resolve, reject) => {
            const timer = setTimeout(
              () => reject(new StoreUnavailableError('etcd lease keep-alive timed out')),
              STREAM_TIMEOUT_MS,
            );
            stream.on('data', (res) => {
              clearTimeout(timer);
              resolve(Number(res.TTL));
            });
            stream.on('error', (err) => {
              clearTimeout(timer);
              reject(err);
            });
            stream.on('end', () => {
              clearTimeout(timer);
              reject(new StoreUnavailableError('etcd lease keep-alive stream ended'));
            });
            stream.write({ ID: leaseId });
          });
        } finally {
          stream.end();
        }
      },
      leaseId,
    );
    // etcd answers TTL 0 (or less) for a lease that no longer exists.
    if (ttl <= 0) throw new LeaseNotFoundError(leaseId);
    return ttl;
  }

  async revokeLease(leaseId: string): Promise<void> {
    try {
      checkLeaseId(leaseId);
      await this.call('revokeLease', () => this.client.leaseClient.leaseRevoke({ ID: leaseId }), leaseId);
    } catch (err) {
      if (err instanceof LeaseNotFoundError) return;
      throw err;
    }
  }

  async watch(prefix: string, opts: WatchOptions): Promise<Watcher> {
    args.checkWatch(prefix, opts);
    const w = new EtcdWatch(
      this.client.watchClient,
      this.codec,
      prefix,
      {
        ...opts,
        onError: (err) => {
          this.watchers.delete(w);
          opts.onError(err);
        },
      },
      this.logger,
    );
    this.watchers.add(w);
    try {
      await this.call('watch', async () => {
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<never>((_, reject) => {
          timer = setTimeout(
            () => reject(new StoreUnavailableError('etcd did not confirm the watch in time')),
            STREAM_TIMEOUT_MS,
          );
        });
        try {
          await Promise.race([w.start(), timeout]);
        } finally {
          clearTimeout(timer);
        }
      });
    } catch (err) {
      this.watchers.delete(w);
      await w.close();
      throw err;
    }
    const close = w.close.bind(w);
    return {
      close: async () => {
        this.watchers.delete(w);
        await close();
      },
    };
  }

  async revision(): Promise<number> {
    const res = await this.call('revision', () =>
      this.client.kv.range({ key: this.codec.encode('\u0000'), keys_only: true, limit: 1 }),
    );
    return revisionOf(res.header);
  }

  async compact(revision: number): Promise<void> {
    args.checkCompactRevision(revision);
    try {
      await this.call('compact', () => this.client.kv.compact({ revision, physical: false }));
    } catch (err) {
      // Already compacted at or past this revision: nothing to do (the embedded store agrees).
      if (err instanceof Error && 'code' in err && err.code === 'STORE_COMPACTED') return;
      throw err;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const w of [...this.watchers]) await w.close();
    this.watchers.clear();
    this.client.close();
  }
}
