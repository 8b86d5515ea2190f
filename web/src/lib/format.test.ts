import { describe, expect, it } from 'vitest';
import {
  formatBytes,
  formatCount,
  formatDuration,
  formatRelative,
  formatSeconds,
  MODEL_UID_PATTERN,
  percent,
  suggestModelUid,
} from './format.ts';

describe('formatBytes', () => {
  it('uses binary units with sensible precision', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1023)).toBe('1023 B');
    expect(formatBytes(1536)).toBe('1.50 KiB');
    expect(formatBytes(80 * 1024 ** 3)).toBe('80.0 GiB');
    expect(formatBytes(150 * 1024 ** 3)).toBe('150 GiB');
  });
  it('shows a dash for unknown sizes', () => {
    expect(formatBytes(null)).toBe('—');
    expect(formatBytes(undefined)).toBe('—');
    expect(formatBytes(Number.NaN)).toBe('—');
  });
});

describe('formatCount', () => {
  it('abbreviates thousands and millions', () => {
    expect(formatCount(999)).toBe('999');
    expect(formatCount(1200)).toBe('1.2k');
    expect(formatCount(2_000_000)).toBe('2M');
    expect(formatCount(null)).toBe('—');
  });
});

describe('formatRelative', () => {
  const now = Date.parse('2025-03-01T12:00:00Z');
  it('reads past and future times', () => {
    expect(formatRelative('2025-03-01T11:59:58Z', now)).toBe('just now');
    expect(formatRelative('2025-03-01T11:59:30Z', now)).toBe('30 s ago');
    expect(formatRelative('2025-03-01T11:57:00Z', now)).toBe('3 min ago');
    expect(formatRelative('2025-03-01T09:00:00Z', now)).toBe('3 h ago');
    expect(formatRelative('2025-02-26T12:00:00Z', now)).toBe('3 d ago');
    expect(formatRelative('2025-03-01T12:10:00Z', now)).toBe('in 10 min');
    expect(formatRelative('2024-12-25T12:00:00Z', now)).toMatch(/^2024-12-2[45]$/);
  });
  it('shows a dash for missing or bad dates', () => {
    expect(formatRelative(null, now)).toBe('—');
    expect(formatRelative('yesterday', now)).toBe('—');
  });
});

describe('small formatters', () => {
  it('formats seconds, durations and percentages', () => {
    expect(formatSeconds(0.25)).toBe('250 ms');
    expect(formatSeconds(1.5)).toBe('1.50 s');
    expect(formatSeconds(null)).toBe('—');
    expect(formatDuration(42)).toBe('42 s');
    expect(formatDuration(200)).toBe('3 min 20 s');
    expect(formatDuration(3900)).toBe('1 h 5 min');
    expect(percent(5, 10)).toBe(50);
    expect(percent(5, 0)).toBe(0);
    expect(percent(20, 10)).toBe(100);
  });
});

describe('suggestModelUid', () => {
  it('derives a valid model uid from hub ids', () => {
    for (const id of [
      'Qwen/Qwen2.5-0.5B-Instruct',
      'nebula-test/tiny-llm',
      'org/7B__model',
      'x/--a--',
      'org/' + 'a'.repeat(100),
      '0abc/1-model',
    ]) {
      expect(suggestModelUid(id)).toMatch(MODEL_UID_PATTERN);
    }
    expect(suggestModelUid('Qwen/Qwen2.5-0.5B-Instruct')).toBe('qwen2-5-0-5b-instruct');
    expect(suggestModelUid('nebula-test/tiny-llm')).toBe('tiny-llm');
    expect(suggestModelUid('org/7b-chat')).toBe('m-7b-chat');
  });
});
