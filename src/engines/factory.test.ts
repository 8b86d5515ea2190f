import { describe, expect, it } from 'vitest';
import { memoryFraction } from './common.js';
import { engineTypes, loadEngineAdapter } from './factory.js';

describe('loadEngineAdapter', () => {
  it('loads every engine type once and caches it', async () => {
    for (const t of engineTypes) {
      const a = await loadEngineAdapter(t);
      expect(a.type).toBe(t);
      expect(await loadEngineAdapter(t)).toBe(a);
    }
  });

  it('rejects unknown engine types with a stable code', async () => {
    await expect(loadEngineAdapter('trt-llm')).rejects.toMatchObject({ code: 'UNKNOWN_ENGINE_TYPE' });
    await expect(loadEngineAdapter('../vllm')).rejects.toThrow(/unknown engine type/);
  });
});

describe('memoryFraction', () => {
  // Rounds down to two decimals and clamps to 0.05-0.95; no share without a known total.
  it.each([
    [40, 80, '0.50'],
    [29, 100, '0.29'],
    [70, 80, '0.87'],
    [79.9, 80, '0.95'],
    [100, 80, '0.95'],
    [1, 80, '0.05'],
    [0, 80, '0.05'],
    [10, undefined, undefined],
    [10, 0, undefined],
  ])('memoryFraction(%s, %s) is %s', (reserved, total, share) => {
    expect(memoryFraction(reserved, total)).toBe(share);
  });
});
