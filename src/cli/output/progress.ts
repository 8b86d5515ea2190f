/**
 * Progress for `--wait`: on a terminal one line redrawn in place (with a bar for downloads); otherwise
 * plain lines, printed when something changes or at most every `intervalMs`, so logs stay readable.
 */
import type { CliOutput } from '../io.js';

/** `[########----------------]` for a fraction in 0..1 (clamped). */
export function progressBar(fraction: number, width = 24): string {
  const f = Number.isFinite(fraction) ? Math.min(1, Math.max(0, fraction)) : 0;
  const full = Math.round(f * width);
  return `[${'#'.repeat(full)}${'-'.repeat(width - full)}]`;
}

export interface ProgressOptions {
  /** Redraw in place (TTY and colours allowed) or print plain lines. */
  interactive: boolean;
  /** Plain mode: the longest silence while nothing changes. */
  intervalMs?: number;
  now?: () => number;
}

export class ProgressReporter {
  private readonly out: CliOutput;
  private readonly interactive: boolean;
  private readonly intervalMs: number;
  private readonly now: () => number;
  private lastKey: string | undefined;
  private lastPrintAt = 0;
  private drawn = false;

  constructor(out: CliOutput, opts: ProgressOptions) {
    this.out = out;
    this.interactive = opts.interactive;
    this.intervalMs = opts.intervalMs ?? 5000;
    this.now = opts.now ?? Date.now;
  }

  /**
   * Shows `line`. `key` identifies what matters in it (say the state without byte counts): plain mode
   * prints when the key changes or when the interval has passed.
   */
  update(line: string, key: string = line): void {
    if (this.interactive) {
      this.out.write(`\r\u001b[K${line}`);
      this.drawn = true;
      return;
    }
    const t = this.now();
    if (key !== this.lastKey || t - this.lastPrintAt >= this.intervalMs) {
      this.out.write(`${line}\n`);
      this.lastKey = key;
      this.lastPrintAt = t;
    }
  }

  /** Ends the progress display, leaving `line` (if any) as the last thing shown. */
  done(line?: string): void {
    if (this.interactive && this.drawn) this.out.write(line === undefined ? '\n' : `\r\u001b[K${line}\n`);
    else if (line !== undefined) this.out.write(`${line}\n`);
    this.drawn = false;
  }
}
