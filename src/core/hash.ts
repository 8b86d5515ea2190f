/** 32-bit FNV-1a over UTF-16 code units, continuing from `seed` (so hashes can be chained). */
export function fnv1a(text: string, seed = 0x811c9dc5, start = 0, end = text.length): number {
  let h = seed >>> 0;
  for (let i = start; i < end; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Spreads the bits of a 32-bit hash (murmur3's finaliser), so nearby inputs land far apart on a ring. */
export function mix32(h: number): number {
  let x = h >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return x >>> 0;
}

/** A well-spread 32-bit hash of a string. */
export function hashString(text: string): number {
  return mix32(fnv1a(text));
}
