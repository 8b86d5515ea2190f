import { describe, expect, it } from 'vitest';
import { ProgressReporter, progressBar } from './progress.js';

describe('progressBar', () => {
  it('fills by fraction and clamps', () => {
    expect(progressBar(0, 10)).toBe('[----------]');
    expect(progressBar(0.5, 10)).toBe('[#####-----]');
    expect(progressBar(1, 10)).toBe('[##########]');
    expect(progressBar(7, 4)).toBe('[####]');
    expect(progressBar(Number.NaN, 4)).toBe('[----]');
  });
});

describe('ProgressReporter', () => {
  it('redraws one line on a terminal', () => {
    let out = '';
    const p = new ProgressReporter({ write: (s: string) => (out += s) }, { interactive: true });
    p.update('a');
    p.update('b');
    p.done('done');
    expect(out).toBe('\r\u001b[Ka\r\u001b[Kb\r\u001b[Kdone\n');
  });

  it('prints plain lines on change or after the interval otherwise', () => {
    let out = '';
    let now = 0;
    const p = new ProgressReporter(
      { write: (s: string) => (out += s) },
      { interactive: false, intervalMs: 1000, now: () => now },
    );
    p.update('downloading 10%', 'downloading');
    now = 500;
    p.update('downloading 20%', 'downloading'); // same key, too soon: skipped
    now = 1600;
    p.update('downloading 60%', 'downloading'); // interval passed
    now = 1700;
    p.update('starting 0/1', 'starting'); // key changed
    p.done('running 1/1');
    expect(out).toBe('downloading 10%\ndownloading 60%\nstarting 0/1\nrunning 1/1\n');
    expect(out).not.toContain('\r');
  });
});
