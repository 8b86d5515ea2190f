import { hash53 } from './hash.js';

/**
 * Chain hashes of a prompt's full blocks: block i's hash covers its tokens and block i-1's hash, so equal
 * hashes mean equal prefixes (as in vLLM's automatic prefix caching). A trailing partial block has none.
 */
export function blockHashes(tokens: readonly string[], blockSize: number): number[] {
  const full = Math.floor(tokens.length / blockSize);
  const out = new Array<number>(full);
  let prev = 0;
  for (let b = 0; b < full; b++) {
    let text = '';
    const end = (b + 1) * blockSize;
    for (let i = b * blockSize; i < end; i++) text += tokens[i] + '\u0000';
    prev = hash53(text, prev);
    out[b] = prev;
  }
  return out;
}

/** LRU set of cached block hashes with a fixed capacity in blocks. */
export class PrefixCache {
  private readonly blocks = new Map<number, true>();

  constructor(readonly capacity: number) {}

  get size(): number {
    return this.blocks.size;
  }

  /** How many of `hashes`, from the start, are cached; the matched blocks become most recently used. */
  matchLeading(hashes: readonly number[]): number {
    let n = 0;
    for (const h of hashes) {
      if (!this.blocks.has(h)) break;
      this.blocks.delete(h);
      this.blocks.set(h, true);
      n++;
    }
    return n;
  }

  /** Caches blocks (after their prefill), evicting the least recently used beyond capacity. */
  insert(hashes: readonly number[]): void {
    for (const h of hashes) {
      this.blocks.delete(h);
      this.blocks.set(h, true);
    }
    while (this.blocks.size > this.capacity) {
      const oldest = this.blocks.keys().next();
      if (oldest.done === true) break;
      this.blocks.delete(oldest.value);
    }
  }
}

/** Prefix-cache outcome for one prompt, in tokens like vLLM's counters, plus the share of prefill left. */
export interface PrefixLookup {
  queriedTokens: number;
  hitTokens: number;
  /** Fraction (0-1] of the prompt's blocks that still need prefill. */
  uncachedFraction: number;
}

/**
 * Looks a prompt up. When every block is cached, the last one is still recomputed (an engine must run at
 * least one token to produce logits), so a hit never covers the whole prompt.
 */
export function lookupPrefix(
  cache: PrefixCache,
  hashes: readonly number[],
  promptTokens: number,
  blockSize: number,
): PrefixLookup {
  let hitBlocks = cache.matchLeading(hashes);
  if (hitBlocks * blockSize >= promptTokens) hitBlocks = Math.max(0, Math.ceil(promptTokens / blockSize) - 1);
  const totalBlocks = Math.ceil(promptTokens / blockSize);
  return {
    queriedTokens: promptTokens,
    hitTokens: hitBlocks * blockSize,
    uncachedFraction: totalBlocks === 0 ? 1 : (totalBlocks - hitBlocks) / totalBlocks,
  };
}
