/**
 * Our own recent writes, laid over an informer's cache until the watch delivers them. Without it the
 * next reconcile pass would read the state from before our write (the watch lags by a few ms) and plan
 * or write the same thing again. An entry wins while it is newer than what the informer holds.
 */
import type { Typed } from '../../store/json.js';

interface Entry<T> {
  /** Undefined: we deleted the key. */
  item: Typed<T> | undefined;
  revision: number;
}

export class WriteOverlay<T> {
  private readonly entries = new Map<string, Entry<T>>();

  /** Records a put (`item` with modRevision = the write's revision) or a delete (`item` undefined). */
  set(key: string, item: Typed<T> | undefined, revision: number): void {
    this.entries.set(key, { item, revision });
  }

  /** The current value of `key` given the informer's view of it. */
  resolve(key: string, fromInformer: Typed<T> | undefined): Typed<T> | undefined {
    const e = this.entries.get(key);
    if (!e) return fromInformer;
    if (fromInformer && fromInformer.modRevision >= e.revision) return fromInformer;
    return e.item;
  }

  /** Keys with entries (their values may differ from the informer's). */
  keys(): IterableIterator<string> {
    return this.entries.keys();
  }

  /** Drops entries the informer has caught up with. */
  prune(informerRevision: number): void {
    for (const [k, e] of this.entries) if (e.revision <= informerRevision) this.entries.delete(k);
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}
