import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { modelNameHash, sha256Hex } from './sha256.ts';

describe('sha256Hex', () => {
  it('matches the standard test vectors', () => {
    expect(sha256Hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
  it('agrees with node:crypto on multi-block and non-ASCII input', () => {
    for (const s of [
      'a'.repeat(55),
      'a'.repeat(56),
      'a'.repeat(64),
      'x'.repeat(1000),
      'huggingface:Qwen/Qwen2.5-7B',
      'modelscope:模型/小',
    ]) {
      expect(sha256Hex(s)).toBe(createHash('sha256').update(s).digest('hex'));
    }
  });
  it('computes the cache key hash the nodes use', () => {
    expect(modelNameHash('huggingface', 'nebula-test/tiny-llm')).toBe(
      createHash('sha256').update('huggingface:nebula-test/tiny-llm').digest('hex').slice(0, 16),
    );
  });
});
