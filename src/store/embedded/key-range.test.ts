import { describe, expect, it } from 'vitest';
import { compareKeys, prefixEnd } from './key-range.js';

describe('prefixEnd', () => {
  it('increments the last code point', () => {
    expect(prefixEnd('/a/')).toBe('/a0');
    expect(prefixEnd('a')).toBe('b');
    expect(prefixEnd('é')).toBe('ê');
  });
  it('skips the surrogate block and carries past U+10FFFF', () => {
    expect(prefixEnd('\ud7ff')).toBe('\ue000');
    expect(prefixEnd('a\u{10ffff}')).toBe('b');
    expect(prefixEnd('\u{10ffff}\u{10ffff}')).toBeUndefined();
  });
  it('has no end for the empty prefix', () => {
    expect(prefixEnd('')).toBeUndefined();
  });
  it('bounds exactly the keys that start with the prefix (byte order)', () => {
    const keys = ['/a', '/a/', '/a/x', '/a/\u{1f600}', '/a0', '/a/\uffff', '/b', '/a.', '/a/é'];
    const prefix = '/a/';
    const end = prefixEnd(prefix) ?? '';
    const inRange = keys
      .filter((k) => compareKeys(k, prefix) >= 0 && compareKeys(k, end) < 0)
      .sort(compareKeys);
    expect(inRange).toEqual(keys.filter((k) => k.startsWith(prefix)).sort(compareKeys));
  });
});

describe('compareKeys', () => {
  it('orders by UTF-8 bytes, not UTF-16 code units', () => {
    // U+FFFF is EF BF BF; U+1F600 is F0 9F 98 80: bytes put the emoji last, UTF-16 would not.
    expect(compareKeys('\uffff', '\u{1f600}')).toBeLessThan(0);
    expect('\uffff' < '\u{1f600}').toBe(false);
    expect(compareKeys('a', 'a')).toBe(0);
    expect(compareKeys('B', 'a')).toBeLessThan(0);
  });
});
