import { describe, expect, it } from 'vitest';
import { formatRate, parseRate, RateInput } from './rate.js';

describe('rate grammar', () => {
  it('parses rates per second, minute and hour, with an optional burst', () => {
    expect(parseRate('60/min')).toEqual({ rps: 1 });
    expect(parseRate('10/s')).toEqual({ rps: 10 });
    expect(parseRate('3600/h')).toEqual({ rps: 1 });
    expect(parseRate('30/min:burst=5')).toEqual({ rps: 0.5, burst: 5 });
    expect(parseRate(' 2.5/second ')).toEqual({ rps: 2.5 });
  });
  it('refuses nonsense with a reason', () => {
    for (const bad of [
      '',
      '60',
      'abc/min',
      '0/s',
      '-1/s',
      '5/day',
      '5/s:burst=0',
      '5/s:burst=1.5',
      '2000000/s',
    ]) {
      expect(typeof parseRate(bad), bad).toBe('string');
    }
  });
  it('formats in the unit that reads best, and round-trips', () => {
    expect(formatRate({ rps: 1 })).toBe('1/s');
    expect(formatRate({ rps: 0.5, burst: 5 })).toBe('30/min:burst=5');
    expect(formatRate({ rps: 1 / 3600 })).toBe('1/h');
    for (const t of ['10/s', '30/min:burst=5', '1/h']) {
      const r = parseRate(t);
      expect(typeof r === 'string' ? r : formatRate(r)).toBe(t);
    }
  });
  it('validates text or objects through zod', () => {
    expect(RateInput.parse('60/min')).toEqual({ rps: 1 });
    expect(RateInput.parse({ rps: 2, burst: 4 })).toEqual({ rps: 2, burst: 4 });
    expect(RateInput.safeParse('fast').success).toBe(false);
    expect(RateInput.safeParse({ rps: 0 }).success).toBe(false);
    expect(RateInput.safeParse({ rps: 1, extra: 1 }).success).toBe(false);
  });
});
