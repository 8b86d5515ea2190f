import type { Logger } from '../../core/logger.js';
import { errorMessage } from '../../core/errors.js';
import { CompactedError } from '../errors.js';
import type { WatchEvent, WatchOptions, Watcher } from '../types.js';
import type { LogRow } from './statements.js';

/** How the hub reads history and learns the compacted revision (the store's SQLite, in practice). */
export interface HistorySource {
  /** Log rows with revision in [from, to] and keys starting with prefix, in (revision, index) order. */
  read(from: number, to: number, prefix: string): LogRow[];
  compactRevision(): number;
}

/** How many revisions one history page reads before yielding to other work. */
const HISTORY_PAGE_REVISIONS = 256;

interface Batch {
  events: WatchEvent[];
  revision: number;
}

function rowToEvent(row: LogRow): WatchEvent {
  return {
    type: row.deleted ? 'delete' : 'put',
    key: row.key,
    value: row.value ?? undefined,
    modRevision: row.rev,
    createRevision: row.create_rev,
    version: row.version,
  };
}

/**
 * One watch. Writers only append to its queue (never wait on it); a macrotask delivers queued batches in
 * revision order. History (revisions up to the one current when the watch started) is read from the log
 * in pages first, then the live batches that arrived meanwhile.
 */
class HubWatcher implements Watcher {
  private queue: Batch[] = [];
  private scheduled = false;
  closed = false;

  constructor(
    private readonly hub: WatchHub,
    readonly prefix: string,
    private nextRev: number,
    private readonly historyUntil: number,
    private readonly opts: WatchOptions,
  ) {}

  push(batch: Batch): void {
    // A watch from a future revision skips what comes before it.
    if (this.closed || batch.revision < this.nextRev) return;
    this.queue.push(batch);
    this.schedule();
  }

  schedule(): void {
    if (this.scheduled || this.closed) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.drain();
    });
  }

  fail(err: Error): void {
    if (this.closed) return;
    this.closed = true;
    this.hub.remove(this);
    this.queue = [];
    this.opts.onError(err);
  }

  private deliver(batch: Batch): void {
    try {
      this.opts.onEvents(batch.events, batch.revision);
    } catch (err) {
      this.hub.logger?.warn({ err: errorMessage(err), prefix: this.prefix }, 'watch handler threw');
    }
  }

  private drain(): void {
    if (this.closed) return;
    if (this.nextRev <= this.historyUntil) {
      const compacted = this.hub.source.compactRevision();
      if (this.nextRev < compacted) return this.fail(new CompactedError(compacted));
      const to = Math.min(this.historyUntil, this.nextRev + HISTORY_PAGE_REVISIONS - 1);
      const rows = this.hub.source.read(this.nextRev, to, this.prefix);
      let current: Batch | undefined;
      for (const row of rows) {
        if (!current || current.revision !== row.rev) {
          if (current) this.deliver(current);
          if (this.closed) return;
          current = { events: [], revision: row.rev };
        }
        current.events.push(rowToEvent(row));
      }
      if (current && !this.closed) this.deliver(current);
      this.nextRev = to + 1;
      // Yield between pages so a long catch-up does not starve writers and other watchers.
      if (this.nextRev <= this.historyUntil || this.queue.length > 0) this.schedule();
      return;
    }
    const batches = this.queue;
    this.queue = [];
    for (const batch of batches) {
      if (this.closed) return;
      this.deliver(batch);
      this.nextRev = batch.revision + 1;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.queue = [];
    this.hub.remove(this);
  }
}

/** Fans committed revisions out to watchers. */
export class WatchHub {
  private readonly watchers = new Set<HubWatcher>();

  constructor(
    readonly source: HistorySource,
    readonly logger: Logger | undefined,
  ) {}

  /** Starts a watch; `currentRevision` is the store's revision at this (synchronous) moment. */
  add(prefix: string, opts: WatchOptions, currentRevision: number): Watcher {
    const from = opts.fromRevision && opts.fromRevision > 0 ? opts.fromRevision : currentRevision + 1;
    const w = new HubWatcher(this, prefix, from, currentRevision, opts);
    const compacted = this.source.compactRevision();
    if (from < compacted) {
      // Reported asynchronously, like every other watch callback.
      setImmediate(() => w.fail(new CompactedError(compacted)));
      return w;
    }
    this.watchers.add(w);
    if (from <= currentRevision) w.schedule();
    return w;
  }

  publish(events: WatchEvent[], revision: number): void {
    for (const w of this.watchers) {
      const mine = w.prefix === '' ? events : events.filter((e) => e.key.startsWith(w.prefix));
      if (mine.length > 0) w.push({ events: mine, revision });
    }
  }

  remove(w: HubWatcher): void {
    this.watchers.delete(w);
  }

  get size(): number {
    return this.watchers.size;
  }

  closeAll(): void {
    for (const w of [...this.watchers]) void w.close();
  }
}
