/**
 * Small, fast, deterministic hashing and pseudo-randomness. Not cryptographic: the simulator only needs
 * stable identities for prefix blocks and repeatable "model output".
 */

import { mix32 } from '../core/hash.js';

const TWO_32 = 4294967296;

/**
 * 53-bit hash of `text`, seeded with another hash so blocks can be chained (a block's identity includes
 * everything before it). Two independent 32-bit FNV-style lanes keep collisions negligible at cache sizes.
 */
export function hash53(text: string, seed = 0): number {
  let a = (0x811c9dc5 ^ (seed >>> 0)) >>> 0;
  let b = (0x050c5d1f ^ Math.floor(seed / TWO_32)) >>> 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
  }
  a = mix32(a ^ text.length);
  b = mix32(b ^ a);
  return (b & 0x1fffff) * TWO_32 + a;
}

/** Xorshift32 generator: a repeatable stream of numbers in [0, 1) from a seed. */
export function seededRandom(seed: number): () => number {
  let s = mix32((seed >>> 0) ^ Math.floor(seed / TWO_32)) || 0x9e3779b9;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / TWO_32;
  };
}
