/**
 * Key ranges for prefix scans. Keys compare byte-wise (UTF-8, like etcd); UTF-8 preserves code point
 * order, so the first string after every key starting with `prefix` is the prefix with its last code
 * point incremented (carrying past U+10FFFF and skipping the surrogate block).
 */

const MAX_CODE_POINT = 0x10ffff;

/** The smallest key greater than every key that starts with `prefix`; undefined when there is none ('' = all). */
export function prefixEnd(prefix: string): string | undefined {
  const points = Array.from(prefix, (c) => c.codePointAt(0) ?? 0);
  while (points.length > 0) {
    const last = points.pop() ?? 0;
    if (last < MAX_CODE_POINT) {
      const next = last === 0xd7ff ? 0xe000 : last + 1;
      points.push(next);
      return String.fromCodePoint(...points);
    }
  }
  return undefined;
}

/** Byte-wise (UTF-8) comparison of two strings, the order etcd and SQLite's BINARY collation use. */
export function compareKeys(a: string, b: string): number {
  if (a === b) return 0;
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
