import type { z } from 'zod';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import { Informer } from './informer.js';
import type { Store } from './types.js';

/** What an {@link IndexedView} watches and how it indexes the records it sees. */
export interface IndexedViewOptions<T> {
  prefix: string;
  schema: z.ZodType<T>;
  /** Which keys under the prefix hold records of this kind. */
  keyFilter: (key: string) => boolean;
  /** The index key of a record (a username, a secret's hash). */
  indexBy: (value: T) => string;
  /** Informer name, for logs and metrics. */
  name: string;
  /** What a record is, for the warning about one that does not validate ("user record"). */
  what: string;
  logger?: Logger | undefined;
  clock?: Clock | undefined;
}

/**
 * A watched prefix of the store as a map from an index key to the current record: an informer whose list
 * is re-indexed on every change, so a lookup is one map read and a change (a revoked key, a disabled user)
 * is seen as soon as the store reports it. Records that do not validate are ignored with a warning.
 */
export class IndexedView<T> {
  private index = new Map<string, T>();
  private readonly informer: Informer<T>;

  constructor(
    store: Store,
    private readonly opts: IndexedViewOptions<T>,
  ) {
    this.informer = new Informer<T>({
      store,
      prefix: opts.prefix,
      schema: opts.schema,
      keyFilter: opts.keyFilter,
      name: opts.name,
      onChange: () => this.rebuild(),
      onInvalid: (e) => opts.logger?.warn({ key: e.key, reason: e.reason }, `invalid ${opts.what}; ignored`),
      ...(opts.clock ? { clock: opts.clock } : {}),
      ...(opts.logger ? { logger: opts.logger } : {}),
    });
  }

  /** Lists, watches, and resolves once the first list is indexed. */
  async start(): Promise<void> {
    this.informer.start();
    await this.informer.ready();
    this.rebuild();
  }

  stop(): Promise<void> {
    return this.informer.stop();
  }

  get(indexKey: string): T | undefined {
    return this.index.get(indexKey);
  }

  get size(): number {
    return this.index.size;
  }

  private rebuild(): void {
    const next = new Map<string, T>();
    for (const item of this.informer.list()) next.set(this.opts.indexBy(item.value), item.value);
    this.index = next;
  }
}
