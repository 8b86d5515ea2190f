import { describe, expect, it } from 'vitest';
import {
  checkModelUid,
  collect,
  parseChoice,
  parseDurationFlag,
  parseEnvPairs,
  parseInteger,
  parseLabelPairs,
  parsePositiveNumber,
} from './args.js';
import { UsageError } from './errors.js';

describe('flag parsers', () => {
  it('parses --env K=V pairs', () => {
    expect(parseEnvPairs(['A=1', 'B=x=y', 'EMPTY=', '_U9=ok'])).toEqual({
      A: '1',
      B: 'x=y',
      EMPTY: '',
      _U9: 'ok',
    });
    expect(parseEnvPairs([])).toEqual({});
    expect(parseEnvPairs(['A=1', 'A=2'])).toEqual({ A: '2' });
    for (const bad of ['A', '=1', '9A=1', 'A-B=1', 'A B=1']) {
      expect(() => parseEnvPairs([bad])).toThrow(UsageError);
    }
    expect(() => parseEnvPairs(['nope'])).toThrow('--env "nope" must look like KEY=VALUE');
  });

  it('parses labels, integers, numbers, durations and choices', () => {
    expect(parseLabelPairs(['tier=gold', 'a.b/c=']).valueOf()).toEqual({ tier: 'gold', 'a.b/c': '' });
    expect(() => parseLabelPairs(['x'])).toThrow(UsageError);
    expect(parseInteger('3', '--replicas', 0, 10)).toBe(3);
    expect(() => parseInteger('3.5', '--replicas')).toThrow('--replicas must be a whole number (got "3.5")');
    expect(() => parseInteger('11', '--replicas', 0, 10)).toThrow(
      '--replicas must be between 0 and 10 (got 11)',
    );
    expect(() => parseInteger('-1', '--replicas', 0)).toThrow(UsageError);
    expect(parsePositiveNumber('24.5', '--gpu-memory')).toBe(24.5);
    expect(() => parsePositiveNumber('0', '--gpu-memory')).toThrow(UsageError);
    expect(() => parsePositiveNumber('', '--gpu-memory')).toThrow(UsageError);
    expect(parseDurationFlag('10m', '--timeout')).toBe(600_000);
    expect(() => parseDurationFlag('soon', '--timeout')).toThrow(
      '--timeout must be a duration like 30s, 10m or 1h (got "soon")',
    );
    expect(() => parseDurationFlag('0s', '--timeout')).toThrow(UsageError);
    expect(parseChoice('vllm', '--engine', ['vllm', 'sim'])).toBe('vllm');
    expect(() => parseChoice('trt', '--engine', ['vllm', 'sim'])).toThrow(
      '--engine must be one of vllm, sim (got "trt")',
    );
    expect(collect('b', collect('a', undefined))).toEqual(['a', 'b']);
  });

  it('checks model uids with the ModelUid rule', () => {
    expect(checkModelUid('qwen-7b')).toBe('qwen-7b');
    for (const bad of ['Qwen', '7b', 'a-', 'a_b', '', 'x'.repeat(64)]) {
      const err = (() => {
        try {
          checkModelUid(bad);
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(err).toBeInstanceOf(UsageError);
      expect((err as UsageError).code).toBe('INVALID_MODEL_UID');
      expect((err as UsageError).exitCode).toBe(2);
    }
  });
});
