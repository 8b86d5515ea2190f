import { describe, expect, it } from 'vitest';
import { CachePurgeRequest } from '../../core/domain/index.js';
import { modelNameHash } from '../../core/ids.js';
import { ALL_PREFIXES, keys, parseKey, prefixes } from '../../core/keys.js';
import { isInside } from './purge.js';

describe('/cache_purge keys', () => {
  it('builds, parses and belongs to the backed-up prefixes', () => {
    const hash = modelNameHash('huggingface', 'org/m');
    const key = keys.cachePurge('node-1', hash);
    expect(key).toBe(`/cache_purge/node-1/${hash}`);
    expect(key.startsWith(keys.cachePurgeOf('node-1'))).toBe(true);
    expect(parseKey(key)).toEqual({ kind: 'cachePurge', nodeId: 'node-1', nameHash: hash });
    expect(parseKey('/cache_purge/node-1')).toBeUndefined();
    expect(ALL_PREFIXES).toContain(prefixes.cachePurge);
    expect(() => keys.cachePurge('node/1', hash)).toThrow();
    expect(() => keys.cachePurge('node-1', '../x')).toThrow();
  });

  it('validates requests', () => {
    const ok = CachePurgeRequest.parse({
      node_id: 'n1',
      name_hash: 'abc',
      requested_at: '2026-01-01T00:00:00.000Z',
    });
    expect(ok.status).toBe('pending');
    expect(
      CachePurgeRequest.safeParse({
        node_id: 'n1',
        name_hash: '../x',
        requested_at: '2026-01-01T00:00:00.000Z',
      }).success,
    ).toBe(false);
    expect(
      CachePurgeRequest.safeParse({ node_id: 'n1', name_hash: 'abc', requested_at: 'yesterday' }).success,
    ).toBe(false);
  });
});

describe('isInside', () => {
  it.each([
    ['/c', '/c/a', true],
    ['/c', '/c/a/b', true],
    ['/c', '/c', false],
    ['/c', '/cache/a', false],
    ['/c', '/c/../etc', false],
    ['/c', '/etc', false],
    ['/c/', '/c/a/..b', true],
  ])('%s contains %s: %s', (root, p, want) => {
    expect(isInside(root, p)).toBe(want);
  });
});
