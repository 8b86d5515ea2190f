import type { z } from 'zod';
import type { Logger } from '../../core/logger.js';
import { decode, type Typed } from '../../store/json.js';
import type { Store } from '../../store/types.js';

interface Memo {
  byKey: Map<string, Typed<unknown>>;
}

export interface TypedListing<T> {
  items: Typed<T>[];
  revision: number;
}

/**
 * Lists prefixes and decodes their values, remembering decoded values by (key, modRevision): a value that
 * did not change since the last request is not parsed or validated again. This keeps a list of 5,000
 * models to one store read per prefix plus map lookups, while every request still sees the store's
 * current state (no watch lag, read-your-writes). Returned objects are shared between requests: callers
 * must treat them as read-only.
 */
export class StoreReader {
  private readonly memos = new Map<string, Memo>();
  private readonly warned = new Set<string>();

  constructor(
    readonly store: Store,
    private readonly logger?: Logger,
  ) {}

  async list<S extends z.ZodType>(
    prefix: string,
    schema: S,
    keyFilter?: (key: string) => boolean,
  ): Promise<TypedListing<z.infer<S>>> {
    const res = await this.store.list(prefix);
    const old = this.memos.get(prefix)?.byKey;
    const byKey = new Map<string, Typed<unknown>>();
    const items: Typed<z.infer<S>>[] = [];
    for (const kv of res.items) {
      if (keyFilter && !keyFilter(kv.key)) continue;
      const prev = old?.get(kv.key);
      if (prev && prev.modRevision === kv.modRevision) {
        byKey.set(kv.key, prev);
        items.push(prev as Typed<z.infer<S>>);
        continue;
      }
      try {
        const t = decode(schema, kv);
        byKey.set(kv.key, t);
        items.push(t);
      } catch (err) {
        if (!this.warned.has(kv.key)) {
          this.warned.add(kv.key);
          this.logger?.warn(
            { key: kv.key, err: err instanceof Error ? err.message : String(err) },
            'skipping invalid stored value',
          );
        }
      }
    }
    this.memos.delete(prefix);
    this.memos.set(prefix, { byKey });
    // Per-model prefixes (endpoints of one model...) come and go: keep the memo bounded.
    if (this.memos.size > 64) {
      const oldest = this.memos.keys().next().value;
      if (oldest !== undefined) this.memos.delete(oldest);
    }
    return { items, revision: res.revision };
  }

  async get<S extends z.ZodType>(key: string, schema: S): Promise<Typed<z.infer<S>> | undefined> {
    const kv = await this.store.get(key);
    return kv ? decode(schema, kv) : undefined;
  }
}
