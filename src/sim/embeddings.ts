import { hash53, seededRandom } from './hash.js';

/**
 * A deterministic unit vector for a text: the same input always gives the same embedding, different
 * inputs give (nearly) orthogonal ones. Enough to exercise clients, routers and vector stores.
 */
export function embedText(text: string, dims: number): Float32Array {
  const rand = seededRandom(hash53(text));
  const v = new Float32Array(dims);
  let norm = 0;
  for (let i = 0; i < dims; i++) {
    const x = rand() * 2 - 1;
    v[i] = x;
    norm += x * x;
  }
  const inv = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  for (let i = 0; i < dims; i++) v[i] = (v[i] ?? 0) * inv;
  return v;
}

/** OpenAI's `encoding_format: "base64"`: the little-endian float32 bytes, base64-encoded. */
export function toBase64(v: Float32Array): string {
  return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');
}
