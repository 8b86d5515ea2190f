import { describe, expect, it } from 'vitest';
import { ProxyTimeouts } from './domain/model.js';
import { z } from 'zod';
import { durationMs, MillisecondsInput, parseDuration } from './duration.js';

describe('durations', () => {
  it.each([
    ['50s', 50_000],
    ['2m', 120_000],
    ['1500ms', 1_500],
    ['1h', 3_600_000],
    ['30', 30_000],
    ['0.5s', 500],
    ['1d', 86_400_000],
    ['1h30m', 5_400_000],
    ['1m30.5s', 90_500],
    [' 2d ', 172_800_000],
  ])('%s -> %d ms', (raw, ms) => expect(durationMs(raw)).toBe(ms));

  it.each(['', 'soon', '5 m', '-1s', '1h 30m', '1h30', 'ms', '1w'])('refuses %j', (raw) => {
    expect(durationMs(raw)).toBeUndefined();
    expect(() => parseDuration(raw, '--x')).toThrow(/--x: ".*" is not a duration/);
  });

  it("reads a bare number in the flag's old unit: seconds, or milliseconds for -ms flags", () => {
    expect(durationMs('30')).toBe(30_000);
    expect(durationMs('30', 'ms')).toBe(30);
    expect(durationMs('2s', 'ms')).toBe(2_000);
    expect(parseDuration('1h30m', '--stop-grace-ms', 'ms')).toBe(5_400_000);
  });

  it('MillisecondsInput takes numbers of ms as before, and durations with units', () => {
    const s = MillisecondsInput(z.coerce.number().min(0).max(60_000));
    expect(['250', 250, '0.5', '2s', '1m', ' 500ms '].map((v) => s.parse(v))).toEqual([
      250, 250, 0.5, 2_000, 60_000, 500,
    ]);
    expect(s.safeParse('2m').success).toBe(false);
    expect(s.safeParse('soon').success).toBe(false);
  });

  it('validates proxy_timeouts: durations between 1 s and 24 h, no unknown keys', () => {
    expect(ProxyTimeouts.parse({ first_byte: '10m', idle: '90s' })).toEqual({
      first_byte: '10m',
      idle: '90s',
    });
    expect(ProxyTimeouts.parse({})).toEqual({});
    for (const bad of [
      { idle: 'forever' },
      { idle: '10ms' },
      { first_byte: '25h' },
      { first_byte: 30 },
      { connect: '1s' },
    ]) {
      expect(ProxyTimeouts.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });
});
