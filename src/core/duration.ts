import { z } from 'zod';
import { ConfigError } from './errors.js';

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
const DURATION = /^([0-9]+(?:\.[0-9]+)?)(ms|s|m|h)?$/;

/** Milliseconds of "50s", "2m", "1500ms", "1h" or plain seconds ("50"); undefined when it is none of those. */
export function durationMs(raw: string): number | undefined {
  const m = DURATION.exec(raw.trim());
  if (!m) return undefined;
  return Math.round(Number(m[1]) * (UNITS[m[2] ?? 's'] ?? 1000));
}

/** Parses "50s", "2m", "1500ms", "1h" or plain seconds ("50") into milliseconds; `what` names the flag. */
export function parseDuration(raw: string, what: string): number {
  const ms = durationMs(raw);
  if (ms === undefined) throw new ConfigError(`${what}: "${raw}" is not a duration (e.g. 50s, 2m, 500ms)`);
  return ms;
}

/**
 * A duration string in a stored record ("30s", "5m", "1500ms"), between `minMs` and `maxMs`. Stored as the
 * operator wrote it; readers convert with `durationMs`.
 */
export function DurationString(minMs: number, maxMs: number) {
  return z
    .string()
    .max(32)
    .refine((s) => durationMs(s) !== undefined, 'must be a duration such as 30s, 5m or 1500ms')
    .refine(
      (s) => {
        const ms = durationMs(s);
        return ms === undefined || (ms >= minMs && ms <= maxMs);
      },
      `must be between ${minMs} ms and ${maxMs / 1000} s`,
    );
}
