import { describe, expect, it } from 'vitest';
import { diskLevel, diskStatus } from './disk.js';
import { retryDelay } from './retry.js';
import { ProgressTracker, windowSpeed } from './progress.js';
import { FakeClock } from '../../core/clock.js';

describe('disk levels', () => {
  it.each([
    [0, undefined],
    [84.99, undefined],
    [85, 'warning'],
    [94.99, 'warning'],
    [95, 'critical'],
    [100, 'critical'],
  ])('%d%% -> %s', (pct, level) => {
    expect(diskLevel(pct)).toBe(level);
  });

  it('computes usage like df (reserved blocks are neither used nor available)', () => {
    const s = diskStatus('n1', '/c', { bsize: 4096, blocks: 1000, bfree: 200, bavail: 150 }, 0);
    expect(s).toMatchObject({ total_bytes: 4_096_000, used_bytes: 3_276_800, available_bytes: 614_400 });
    expect(s.usage_percent).toBeCloseTo((800 / 950) * 100, 1);
    expect(diskStatus('n1', '/c', { bsize: 4096, blocks: 0, bfree: 0, bavail: 0 }, 0).usage_percent).toBe(0);
  });
});

describe('retry delays', () => {
  it('doubles from the base and caps', () => {
    const p = { maxAttempts: 3, baseDelayMs: 1000, maxDelayMs: 5000 };
    expect([1, 2, 3, 4, 5].map((n) => retryDelay(p, n))).toEqual([1000, 2000, 4000, 5000, 5000]);
  });
});

describe('progress arithmetic', () => {
  it('measures speed over the recent window', () => {
    const samples = [
      { t: 0, bytes: 0 },
      { t: 1000, bytes: 1000 },
      { t: 6000, bytes: 11_000 },
      { t: 7000, bytes: 13_000 },
    ];
    expect(windowSpeed(samples, 7000, 5000)).toBe(2000);
    expect(windowSpeed(samples, 7000, 60_000)).toBeCloseTo(13_000 / 7, 3);
    expect(windowSpeed([], 0, 5000)).toBe(0);
  });

  it('tracks bytes, speed and ETA', async () => {
    const clock = new FakeClock(0);
    const t = new ProgressTracker(clock);
    const seen: number[] = [];
    t.subscribe((s) => seen.push(s.bytes_done));
    t.update({ bytes_total: 10_000, phase: 'downloading' });
    t.addBytes(1000, 'a.bin');
    await clock.advance(1000);
    t.addBytes(2000, 'a.bin');
    expect(t.snapshot).toMatchObject({
      bytes_done: 3000,
      speed_bps: 2000,
      eta_seconds: 4,
      current_file: 'a.bin',
    });
    t.addBytes(-3000);
    expect(t.snapshot.bytes_done).toBe(0);
    t.addBytes(50_000);
    expect(t.snapshot.bytes_done).toBe(10_000);
    expect(seen[0]).toBe(0);
  });
});
