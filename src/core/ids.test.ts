import { describe, expect, it } from 'vitest';
import { isValidModelUid, ModelUid, modelNameHash, timeOrderedId } from './ids.js';

describe('model_uid rule', () => {
  it.each(['a', 'demo', 'qwen2-7b', 'a1', 'x'.repeat(63), 'm-o-d-e-l'])('accepts %s', (uid) => {
    expect(isValidModelUid(uid)).toBe(true);
    expect(ModelUid.safeParse(uid).success).toBe(true);
  });
  it.each(['', '1abc', '-abc', 'abc-', 'Abc', 'a_b', 'a.b', 'a/b', 'x'.repeat(64), 'é', 'a b'])('rejects %j', (uid) => {
    expect(isValidModelUid(uid)).toBe(false);
    expect(ModelUid.safeParse(uid).success).toBe(false);
  });
});

describe('timeOrderedId', () => {
  it('sorts lexicographically in creation order, also within one millisecond', () => {
    const ids = [timeOrderedId(1000), timeOrderedId(1000), timeOrderedId(1001), timeOrderedId(99_999_999_999)];
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('modelNameHash', () => {
  it('is stable and distinguishes sources', () => {
    expect(modelNameHash('huggingface', 'Qwen/Qwen2.5-7B')).toBe(modelNameHash('huggingface', 'Qwen/Qwen2.5-7B'));
    expect(modelNameHash('huggingface', 'Qwen/Qwen2.5-7B')).not.toBe(modelNameHash('modelscope', 'Qwen/Qwen2.5-7B'));
    expect(modelNameHash('local', 'x')).toMatch(/^[0-9a-f]{16}$/);
  });
});
