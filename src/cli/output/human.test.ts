import { describe, expect, it } from 'vitest';
import {
  formatAge,
  formatBytes,
  formatDuration,
  formatNumber,
  formatPercent,
  formatSeconds,
  parseDuration,
} from './human.js';

describe('formatBytes', () => {
  it.each([
    [0, '0 B'],
    [1023, '1023 B'],
    [1024, '1.0 KiB'],
    [1536, '1.5 KiB'],
    [10 * 1024, '10 KiB'],
    [1024 ** 2 * 1023.96, '1.0 GiB'],
    [5.5 * 1024 ** 3, '5.5 GiB'],
    [150 * 1024 ** 3, '150 GiB'],
    [3 * 1024 ** 4, '3.0 TiB'],
    [2 * 1024 ** 6, '2048 PiB'],
    [-1, '-'],
    [Number.NaN, '-'],
  ])('%d -> %s', (n, s) => expect(formatBytes(n)).toBe(s));
});

describe('formatDuration / formatAge', () => {
  it.each([
    [0, '0ms'],
    [999, '999ms'],
    [1000, '1s'],
    [59_999, '59s'],
    [60_000, '1m'],
    [61_000, '1m1s'],
    [3_600_000, '1h'],
    [3_723_000, '1h2m'],
    [86_400_000, '1d'],
    [90_000_000, '1d1h'],
    [-5, '-'],
  ])('%d -> %s', (ms, s) => expect(formatDuration(ms)).toBe(s));

  it('ages timestamps against a given now', () => {
    const now = Date.parse('2025-01-01T12:00:00Z');
    expect(formatAge('2025-01-01T11:55:00Z', now)).toBe('5m');
    expect(formatAge('2025-01-01T12:00:00.400Z', now)).toBe('0s');
    expect(formatAge('2025-01-01T11:59:59.500Z', now)).toBe('0s');
    expect(formatAge(undefined, now)).toBe('-');
    expect(formatAge('garbage', now)).toBe('-');
  });
});

describe('parseDuration', () => {
  it.each([
    ['10m', 600_000],
    ['90s', 90_000],
    ['1h30m', 5_400_000],
    ['500ms', 500],
    ['1.5s', 1500],
    ['2d', 172_800_000],
    ['45', 45_000],
    [' 5m ', 300_000],
  ])('%s -> %d', (s, ms) => expect(parseDuration(s)).toBe(ms));
  it.each(['', 'm', '10x', '-5m', '1h 30m', 'ten minutes'])('rejects %j', (s) =>
    expect(parseDuration(s)).toBeUndefined(),
  );
});

describe('numbers', () => {
  it('formats numbers, seconds and percentages', () => {
    expect(formatNumber(3)).toBe('3');
    expect(formatNumber(3.14159)).toBe('3.14');
    expect(formatNumber(null)).toBe('-');
    expect(formatSeconds(0.0123)).toBe('12ms');
    expect(formatSeconds(1.5)).toBe('1.50s');
    expect(formatSeconds(undefined)).toBe('-');
    expect(formatPercent(85.12)).toBe('85.1%');
    expect(formatPercent(0.5, true)).toBe('50.0%');
    expect(formatPercent(Number.POSITIVE_INFINITY)).toBe('-');
  });
});
