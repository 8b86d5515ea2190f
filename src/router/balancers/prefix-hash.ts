import { fnv1a } from '../../core/hash.js';

export interface PrefixHashOptions {
  /** Characters per block (~16 tokens at 64). */
  blockChars: number;
  /** At most this many leading blocks are hashed. */
  maxBlocks: number;
}

export const DEFAULT_PREFIX_HASH: PrefixHashOptions = { blockChars: 64, maxBlocks: 32 };

/**
 * Chain hashes of the leading full blocks of `text`: hash[i] covers blocks 0..i, so two prompts share
 * hash[i] exactly when they share their first i+1 blocks (as an engine's prefix cache sees it). A trailing
 * partial block is not hashed (engines cache whole blocks only).
 */
export function prefixHashes(text: string, opts: PrefixHashOptions = DEFAULT_PREFIX_HASH): number[] {
  const { blockChars, maxBlocks } = opts;
  const blocks = Math.min(maxBlocks, Math.floor(text.length / blockChars));
  const out = new Array<number>(blocks);
  let h = 0x811c9dc5;
  for (let b = 0; b < blocks; b++) {
    // Fold the block index in so that a block repeated at another position hashes differently.
    h = fnv1a(text, (h ^ b) >>> 0, b * blockChars, (b + 1) * blockChars);
    out[b] = h;
  }
  return out;
}

/** One content part of a chat message: a string, or OpenAI's array of typed parts (only text counts). */
function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    let s = '';
    for (const part of content) {
      if (
        part !== null &&
        typeof part === 'object' &&
        typeof (part as { text?: unknown }).text === 'string'
      ) {
        s += (part as { text: string }).text;
      }
    }
    return s;
  }
  return '';
}

/**
 * The text whose prefix an engine would cache, rendered from a request body: chat messages as
 * `role\ncontent\n` in order, or a completion's prompt. Only as much as `maxChars` is rendered.
 */
export function promptPrefixText(body: unknown, maxChars: number): string {
  if (body === null || typeof body !== 'object') return '';
  const b = body as { messages?: unknown; prompt?: unknown };
  if (Array.isArray(b.messages)) {
    let s = '';
    for (const m of b.messages) {
      if (m === null || typeof m !== 'object') continue;
      const msg = m as { role?: unknown; content?: unknown };
      s += `${typeof msg.role === 'string' ? msg.role : ''}\n${contentText(msg.content)}\n`;
      if (s.length >= maxChars) break;
    }
    return s.length > maxChars ? s.slice(0, maxChars) : s;
  }
  const p = b.prompt;
  if (typeof p === 'string') return p.length > maxChars ? p.slice(0, maxChars) : p;
  if (Array.isArray(p) && p.length > 0) {
    const first: unknown = p[0];
    if (typeof first === 'string') return first.slice(0, maxChars);
    // Token ids: render them as text so shared token prefixes still share blocks.
    if (typeof first === 'number') return p.join(' ').slice(0, maxChars);
    if (Array.isArray(first)) return first.join(' ').slice(0, maxChars);
  }
  return '';
}
