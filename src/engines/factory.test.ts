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
  it('rounds down to two decimals and clamps to 0.05-0.95', () => {
    expect(memoryFraction(40, 80)).toBe('0.50');
    expect(memoryFraction(29, 100)).toBe('0.29');
    expect(memoryFraction(70, 80)).toBe('0.87');
    expect(memoryFraction(79.9, 80)).toBe('0.95');
    expect(memoryFraction(100, 80)).toBe('0.95');
    expect(memoryFraction(1, 80)).toBe('0.05');
    expect(memoryFraction(0, 80)).toBe('0.05');
    expect(memoryFraction(10, undefined)).toBeUndefined();
    expect(memoryFraction(10, 0)).toBeUndefined();
  });
});
