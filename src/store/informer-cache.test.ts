import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { InformerCache } from './informer-cache.js';
import type { Typed } from './json.js';
import type { KeyValue, WatchEvent } from './types.js';

const d = { schema: z.object({ n: z.number() }), keyFilter: (k: string) => !k.endsWith('/skip') };
type V = { n: number };
const kv = (key: string, n: number | string, mod: number, create = mod): KeyValue => ({
  key,
  value: typeof n === 'number' ? JSON.stringify({ n }) : n,
  modRevision: mod,
  createRevision: create,
  version: 1,
});
const put = (key: string, n: number | string, mod: number): WatchEvent => ({
  type: 'put',
  ...kv(key, n, mod),
});
const del = (key: string, mod: number): WatchEvent => ({
  type: 'delete',
  key,
  value: undefined,
  modRevision: mod,
  createRevision: 0,
  version: 0,
});
const summary = (changes: { type: string; item?: Typed<V>; old?: Typed<V> }[]) =>
  changes.map((c) => `${c.type} ${(c.item ?? c.old)?.key}`);

describe('replaceAll', () => {
  it('emits adds, updates (on a new revision only) and deletes of vanished keys', () => {
    const cache = new InformerCache<V>(d);
    expect(summary(cache.replaceAll([kv('/a', 1, 2), kv('/b', 2, 3), kv('/x/skip', 0, 4)]).changes)).toEqual([
      'add /a',
      'add /b',
    ]);
    const r = cache.replaceAll([kv('/a', 1, 2), kv('/b', 5, 6), kv('/c', 3, 7), kv('/d', 'nope', 8)]);
    expect(summary(r.changes)).toEqual(['update /b', 'add /c']);
    expect(r.invalid.map((i) => i.key)).toEqual(['/d']);
    expect(summary(cache.replaceAll([kv('/c', 3, 7)]).changes)).toEqual(['delete /a', 'delete /b']);
    expect([...cache.items.keys()]).toEqual(['/c']);
  });
  it('treats a re-created key with the same mod revision pattern as an update', () => {
    const cache = new InformerCache<V>(d);
    cache.replaceAll([kv('/a', 1, 5, 2)]);
    expect(summary(cache.replaceAll([kv('/a', 1, 5, 5)]).changes)).toEqual(['update /a']);
  });
});

describe('applyEvents', () => {
  it('applies puts and deletes in order and skips replayed history', () => {
    const cache = new InformerCache<V>(d);
    cache.replaceAll([kv('/a', 1, 5)]);
    const r = cache.applyEvents([
      put('/a', 0, 4),
      put('/a', 2, 6),
      put('/b', 1, 6),
      del('/a', 7),
      del('/zz', 7),
      put('/q/skip', 1, 8),
    ]);
    expect(summary(r.changes)).toEqual(['update /a', 'add /b', 'delete /a']);
    expect([...cache.items.keys()]).toEqual(['/b']);
    // A replay of the same events changes nothing more.
    expect(cache.applyEvents([put('/b', 1, 6)]).changes).toEqual([]);
  });
  it('drops a cached key whose new value does not validate', () => {
    const cache = new InformerCache<V>(d);
    cache.applyEvents([put('/a', 1, 2)]);
    const r = cache.applyEvents([put('/a', '{"n":"x"}', 3), put('/new', 'garbage', 3)]);
    expect(summary(r.changes)).toEqual(['delete /a']);
    expect(r.invalid.map((i) => i.key)).toEqual(['/a', '/new']);
    expect(cache.items.size).toBe(0);
  });
});
