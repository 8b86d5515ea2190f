import { describe, expect, it } from 'vitest';
import { blockHashes, lookupPrefix, PrefixCache } from './prefix-cache.js';
import { tokenize } from './tokenizer.js';

const toks = (n: number, tag = 't') => Array.from({ length: n }, (_, i) => ` ${tag}${i}`);

describe('blockHashes', () => {
  it('hashes full blocks only and chains them', () => {
    expect(blockHashes(toks(15), 16)).toHaveLength(0);
    expect(blockHashes(toks(33), 16)).toHaveLength(2);
    const a = blockHashes(toks(48), 16);
    const b = blockHashes([...toks(16), ...toks(16, 'x'), ...toks(16, 't').slice(0, 16)], 16);
    expect(b[0]).toBe(a[0]);
    expect(b[1]).not.toBe(a[1]);
    // Same third block content after a different second block: still a different identity (chained).
    const c = blockHashes([...toks(16, 'q'), ...toks(32).slice(16)], 16);
    expect(c[1]).not.toBe(a[1]);
  });

  it('is deterministic', () => {
    const t = tokenize('the same prompt text repeated '.repeat(20));
    expect(blockHashes(t, 4)).toEqual(blockHashes([...t], 4));
  });
});

describe('PrefixCache', () => {
  it('matches leading blocks only', () => {
    const cache = new PrefixCache(100);
    cache.insert([1, 2, 3]);
    expect(cache.matchLeading([1, 2, 3, 4])).toBe(3);
    expect(cache.matchLeading([7, 1, 2])).toBe(0);
    expect(cache.matchLeading([1, 9, 3])).toBe(1);
  });

  it('evicts the least recently used block beyond capacity', () => {
    const cache = new PrefixCache(3);
    cache.insert([1, 2, 3]);
    expect(cache.matchLeading([1])).toBe(1); // 1 is now most recent
    cache.insert([4]);
    expect(cache.size).toBe(3);
    expect(cache.matchLeading([2])).toBe(0); // 2 was the oldest
    expect(cache.matchLeading([1])).toBe(1);
    expect(cache.matchLeading([3])).toBe(1);
    expect(cache.matchLeading([4])).toBe(1);
  });
});

describe('lookupPrefix', () => {
  it('reports queried and hit tokens and the uncached share', () => {
    const cache = new PrefixCache(100);
    const hashes = blockHashes(toks(40), 16); // 2 full blocks + 8 tokens
    expect(lookupPrefix(cache, hashes, 40, 16)).toEqual({
      queriedTokens: 40,
      hitTokens: 0,
      uncachedFraction: 1,
    });
    cache.insert(hashes);
    expect(lookupPrefix(cache, hashes, 40, 16)).toEqual({
      queriedTokens: 40,
      hitTokens: 32,
      uncachedFraction: 1 / 3,
    });
  });

  it('always recomputes the last block of a fully cached prompt', () => {
    const cache = new PrefixCache(100);
    const hashes = blockHashes(toks(32), 16);
    cache.insert(hashes);
    expect(lookupPrefix(cache, hashes, 32, 16)).toEqual({
      queriedTokens: 32,
      hitTokens: 16,
      uncachedFraction: 0.5,
    });
    expect(lookupPrefix(cache, [], 0, 16)).toEqual({ queriedTokens: 0, hitTokens: 0, uncachedFraction: 1 });
  });
});
