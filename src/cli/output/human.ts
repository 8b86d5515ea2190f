/** Human-readable sizes, durations and ages, and the duration flag parser (`10m`, `1h30m`, `90s`). */

import { durationMs } from '../../core/duration.js';

const SIZE_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** `1536` -> `1.5 KiB`; binary units, one decimal below 10 of a unit, none above. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '-';
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < SIZE_UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  if (unit === 0) return `${Math.round(value)} B`;
  const digits = value < 10 ? 1 : 0;
  // 1023.96 MiB would round to "1024 MiB": move up a unit instead.
  if (Number(value.toFixed(digits)) >= 1024 && unit < SIZE_UNITS.length - 1)
    return `1.0 ${SIZE_UNITS[unit + 1]}`;
  return `${value.toFixed(digits)} ${SIZE_UNITS[unit]}`;
}

/** `3723000` -> `1h2m3s`; sub-second values print as milliseconds. At most two units past one hour. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '-';
  if (ms < 1000) return `${Math.round(ms)}ms`;
  let s = Math.floor(ms / 1000);
  const d = Math.floor(s / 86_400);
  s -= d * 86_400;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  if (d > 0) return h > 0 ? `${d}d${h}h` : `${d}d`;
  if (h > 0) return m > 0 ? `${h}h${m}m` : `${h}h`;
  if (m > 0) return s > 0 ? `${m}m${s}s` : `${m}m`;
  return `${s}s`;
}

/** Time since `iso` as a short age (`5m`, `2h3m`), `-` when absent or unparsable. */
export function formatAge(iso: string | undefined | null, nowMs: number = Date.now()): string {
  if (!iso) return '-';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return '-';
  const ms = Math.max(0, nowMs - t);
  return ms < 1000 ? '0s' : formatDuration(Math.floor(ms / 1000) * 1000);
}

/**
 * Parses `10m`, `1h30m`, `45s`, `500ms`, `2d` or a bare number of seconds into milliseconds (the one
 * duration grammar, core/duration). Returns undefined for anything else (the caller makes a usage error).
 */
export function parseDuration(text: string): number | undefined {
  return durationMs(text);
}

/** `12.3456` -> `12.35`; integers stay integers; absent -> `-`. */
export function formatNumber(value: number | undefined | null, digits = 2): string {
  if (value === undefined || value === null || !Number.isFinite(value)) return '-';
  if (Number.isInteger(value)) return String(value);
  return value.toFixed(digits);
}

/** Seconds (as Prometheus reports latencies) to a short duration: 0.0123 -> `12ms`, 1.5 -> `1.50s`. */
export function formatSeconds(value: number | undefined | null): string {
  if (value === undefined || value === null || !Number.isFinite(value)) return '-';
  if (value < 1) return `${Math.round(value * 1000)}ms`;
  return `${value.toFixed(2)}s`;
}

/** `0.8512` -> `85.1%` (value is a fraction when `fraction`, else already a percentage). */
export function formatPercent(value: number | undefined | null, fraction = false): string {
  if (value === undefined || value === null || !Number.isFinite(value)) return '-';
  const pct = fraction ? value * 100 : value;
  return `${pct.toFixed(1)}%`;
}
