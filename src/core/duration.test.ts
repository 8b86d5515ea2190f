import { describe, expect, it } from 'vitest';
import { ProxyTimeouts } from './domain/model.js';
import { durationMs, parseDuration } from './duration.js';

describe('durations', () => {
  it.each([
    ['50s', 50_000],
    ['2m', 120_000],
    ['1500ms', 1_500],
    ['1h', 3_600_000],
    ['30', 30_000],
    ['0.5s', 500],
  ])('%s -> %d ms', (raw, ms) => expect(durationMs(raw)).toBe(ms));

  it.each(['', 'soon', '5 m', '-1s', '1d', '1h30m'])('refuses %j', (raw) => {
    expect(durationMs(raw)).toBeUndefined();
    expect(() => parseDuration(raw, '--x')).toThrow(/--x: ".*" is not a duration/);
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
