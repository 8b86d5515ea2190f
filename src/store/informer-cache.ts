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

/** Removes a cached key and records its deletion. */
function drop<T>(cache: Map<string, Typed<T>>, key: string, old: Typed<T>, changes: CacheChange<T>[]): void {
  cache.delete(key);
  changes.push({ type: 'delete', old });
}

/**
 * Replaces the cache with a fresh list, returning what changed (adds, updates, and deletes of keys that
 * vanished while we were not watching). Mutates `cache`. Items that fail validation are reported and
 * treated as absent, so a consumer never sees a value its schema refuses.
 */
export function replaceAll<T>(
  cache: Map<string, Typed<T>>,
  items: readonly KeyValue[],
  d: Decoder<T>,
): CacheUpdate<T> {
  const { changes, invalid }: CacheUpdate<T> = { changes: [], invalid: [] };
  const seen = new Set<string>();
  for (const kv of items) {
    if (d.keyFilter && !d.keyFilter(kv.key)) continue;
    const decoded = tryDecode(d, kv);
    if (isInvalid(decoded)) {
      invalid.push(decoded);
      continue;
    }
    seen.add(kv.key);
    const old = cache.get(kv.key);
    cache.set(kv.key, decoded);
    if (!old) changes.push({ type: 'add', item: decoded });
    else if (old.modRevision !== decoded.modRevision || old.createRevision !== decoded.createRevision) {
      changes.push({ type: 'update', item: decoded, old });
    }
  }
  for (const [key, old] of cache) {
    if (!seen.has(key)) drop(cache, key, old, changes);
  }
  return { changes, invalid };
}

/**
 * Applies one batch of watch events. Events at or below the revision already cached for a key are
 * skipped, so replaying a stretch of history after a relist is harmless.
 */
export function applyEvents<T>(
  cache: Map<string, Typed<T>>,
  events: readonly WatchEvent[],
  d: Decoder<T>,
): CacheUpdate<T> {
  const { changes, invalid }: CacheUpdate<T> = { changes: [], invalid: [] };
  for (const ev of events) {
    if (d.keyFilter && !d.keyFilter(ev.key)) continue;
    const old = cache.get(ev.key);
    if (old && old.modRevision >= ev.modRevision) continue;
    if (ev.type === 'delete') {
      if (old) drop(cache, ev.key, old, changes);
      continue;
    }
    const kv: KeyValue = {
      key: ev.key,
      value: ev.value ?? '',
      createRevision: ev.createRevision,
      modRevision: ev.modRevision,
      version: ev.version,
    };
    const decoded = tryDecode(d, kv);
    if (isInvalid(decoded)) {
      invalid.push(decoded);
      // The key now holds something we cannot use: it is gone as far as consumers are concerned.
      if (old) drop(cache, ev.key, old, changes);
      continue;
    }
    cache.set(ev.key, decoded);
    changes.push(old ? { type: 'update', item: decoded, old } : { type: 'add', item: decoded });
  }
  return { changes, invalid };
}
