import type { z } from 'zod';
import { decode, type Typed } from './json.js';
import type { KeyValue, WatchEvent } from './types.js';

/** One change to an informer's cache, as handlers see it. */
export type CacheChange<T> =
  | { type: 'add'; item: Typed<T> }
  | { type: 'update'; item: Typed<T>; old: Typed<T> }
  | { type: 'delete'; old: Typed<T> };

/** A key whose stored value did not validate against the informer's schema. */
export interface InvalidEntry {
  key: string;
  reason: string;
}

export interface Decoder<T> {
  schema: z.ZodType<T>;
  keyFilter?: ((key: string) => boolean) | undefined;
}

function tryDecode<T>(d: Decoder<T>, kv: KeyValue): Typed<T> | InvalidEntry {
  try {
    return decode<z.ZodType<T>>(d.schema, kv);
  } catch (err) {
    return { key: kv.key, reason: err instanceof Error ? err.message : String(err) };
  }
}

const isInvalid = <T>(x: Typed<T> | InvalidEntry): x is InvalidEntry => 'reason' in x;

/** What one update of an informer's cache changed, and the keys it had to treat as absent. */
export interface CacheUpdate<T> {
  changes: CacheChange<T>[];
  invalid: InvalidEntry[];
}

/**
 * An informer's cache: the decoded items of one prefix by key, and its two updates (a fresh list, a batch
 * of watch events), each returning what changed. Pure: no I/O. Items that fail validation are reported
 * and treated as absent, so a consumer never sees a value its schema refuses.
 */
export class InformerCache<T> {
  /** The cached items by key (callers read, only the updates write). */
  readonly items = new Map<string, Typed<T>>();

  constructor(private readonly d: Decoder<T>) {}

  /**
   * Replaces the cache with a fresh list, returning what changed (adds, updates, and deletes of keys that
   * vanished while we were not watching).
   */
  replaceAll(list: readonly KeyValue[]): CacheUpdate<T> {
    const out: CacheUpdate<T> = { changes: [], invalid: [] };
    const seen = new Set<string>();
    for (const kv of list) {
      if (this.d.keyFilter && !this.d.keyFilter(kv.key)) continue;
      const decoded = tryDecode(this.d, kv);
      if (isInvalid(decoded)) {
        out.invalid.push(decoded);
        continue;
      }
      seen.add(kv.key);
      const old = this.items.get(kv.key);
      this.items.set(kv.key, decoded);
      if (!old) out.changes.push({ type: 'add', item: decoded });
      else if (old.modRevision !== decoded.modRevision || old.createRevision !== decoded.createRevision) {
        out.changes.push({ type: 'update', item: decoded, old });
      }
    }
    for (const [key, old] of this.items) {
      if (!seen.has(key)) this.drop(key, old, out);
    }
    return out;
  }

  /**
   * Applies one batch of watch events. Events at or below the revision already cached for a key are
   * skipped, so replaying a stretch of history after a relist is harmless.
   */
  applyEvents(events: readonly WatchEvent[]): CacheUpdate<T> {
    const out: CacheUpdate<T> = { changes: [], invalid: [] };
    for (const ev of events) {
      if (this.d.keyFilter && !this.d.keyFilter(ev.key)) continue;
      const old = this.items.get(ev.key);
      if (old && old.modRevision >= ev.modRevision) continue;
      if (ev.type === 'delete') {
        if (old) this.drop(ev.key, old, out);
        continue;
      }
      const kv: KeyValue = {
        key: ev.key,
        value: ev.value ?? '',
        createRevision: ev.createRevision,
        modRevision: ev.modRevision,
        version: ev.version,
      };
      const decoded = tryDecode(this.d, kv);
      if (isInvalid(decoded)) {
        out.invalid.push(decoded);
        // The key now holds something we cannot use: it is gone as far as consumers are concerned.
        if (old) this.drop(ev.key, old, out);
        continue;
      }
      this.items.set(ev.key, decoded);
      out.changes.push(old ? { type: 'update', item: decoded, old } : { type: 'add', item: decoded });
    }
    return out;
  }

  /** Removes a cached key and records its deletion. */
  private drop(key: string, old: Typed<T>, out: CacheUpdate<T>): void {
    this.items.delete(key);
    out.changes.push({ type: 'delete', old });
  }
}
