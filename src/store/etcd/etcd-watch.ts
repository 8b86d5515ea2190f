import type { IDuplexStream, IEvent, IWatchRequest, IWatchResponse, WatchClient } from 'etcd3';
import { errorMessage } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { CompactedError, StoreUnavailableError } from '../errors.js';
import type { WatchEvent, WatchOptions, Watcher } from '../types.js';
import type { KeyCodec } from './codec.js';

type WatchStream = IDuplexStream<IWatchRequest, IWatchResponse>;

/**
 * One watch on its own gRPC stream. We do not use etcd3's WatchBuilder: it reconnects silently and
 * reports compaction without the compacted revision. Here any end of the stream other than close()
 * is reported once through onError (StoreUnavailableError, or CompactedError with etcd's compact
 * revision), and the caller (the Informer) re-lists; events are delivered in stream order, grouped per
 * revision, so nothing is reordered or skipped while the watch lives.
 */
export class EtcdWatch implements Watcher {
  private stream: WatchStream | undefined;
  private closed = false;
  private created = false;

  constructor(
    private readonly client: WatchClient,
    private readonly codec: KeyCodec,
    private readonly prefix: string,
    private readonly opts: WatchOptions,
    private readonly logger: Logger | undefined,
  ) {}

  /** Opens the stream and resolves once etcd confirms the watch (events after that are not missed). */
  async start(): Promise<void> {
    const stream = await this.client.watch();
    this.stream = stream;
    const { start, end } = this.codec.prefixRange(this.prefix);
    await new Promise<void>((resolve, reject) => {
      stream.on('data', (res) => {
        if (!this.created && res.created) {
          this.created = true;
          resolve();
        }
        this.handle(res);
      });
      stream.on('error', (err) => {
        if (!this.created) reject(err);
        this.fail(new StoreUnavailableError(`etcd watch stream failed: ${errorMessage(err)}`, err));
      });
      stream.on('end', () => {
        if (!this.created) reject(new StoreUnavailableError('etcd watch stream ended before it was created'));
        this.fail(new StoreUnavailableError('etcd watch stream ended'));
      });
      stream.write({
        create_request: {
          key: start,
          range_end: end,
          prev_kv: true,
          ...(this.opts.fromRevision ? { start_revision: this.opts.fromRevision } : {}),
        },
      });
    });
  }

  private handle(res: IWatchResponse): void {
    if (this.closed) return;
    if (res.events && res.events.length > 0) this.deliver(res.events);
    if (res.canceled) {
      const compact = Number(res.compact_revision ?? 0);
      if (compact > 0) this.fail(new CompactedError(compact));
      else
        this.fail(
          new StoreUnavailableError(`etcd cancelled the watch: ${res.cancel_reason || 'no reason given'}`),
        );
    }
  }

  private deliver(events: IEvent[]): void {
    // etcd never splits one revision across responses (without fragmenting, which we do not ask for),
    // so grouping within a response gives one batch per revision.
    let batch: WatchEvent[] = [];
    let revision = 0;
    const flush = () => {
      if (batch.length === 0 || this.closed) return;
      try {
        this.opts.onEvents(batch, revision);
      } catch (err) {
        this.logger?.warn({ err: errorMessage(err), prefix: this.prefix }, 'watch handler threw');
      }
      batch = [];
    };
    for (const ev of events) {
      const rev = Number(ev.kv.mod_revision);
      if (rev !== revision) {
        flush();
        revision = rev;
      }
      const isDelete = ev.type === 'Delete' || (ev.type as unknown) === 1;
      batch.push({
        type: isDelete ? 'delete' : 'put',
        key: this.codec.decode(ev.kv.key),
        value: isDelete ? ev.prev_kv?.value?.toString('utf8') : ev.kv.value.toString('utf8'),
        modRevision: rev,
        createRevision: Number(ev.kv.create_revision ?? 0),
        version: Number(ev.kv.version ?? 0),
      });
    }
    flush();
  }

  private fail(err: Error): void {
    if (this.closed) return;
    this.closed = true;
    this.stream?.cancel();
    this.opts.onError(err);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    try {
      this.stream?.cancel();
    } catch {
      // Already gone.
    }
  }
}
