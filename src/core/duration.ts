import { z } from 'zod';
import { ConfigError } from './errors.js';

/**
 * The one duration grammar, for every flag, environment variable and stored record: a number with a unit
 * (`500ms`, `50s`, `2m`, `1h`, `2d`, decimals allowed: `0.5s`), several in a row (`1h30m`, `1m30s`), or a
 * bare number in the caller's old unit (seconds unless the flag was spelled in milliseconds, e.g.
 * `--stop-grace-ms 5000`). No spaces inside, no signs.
 */
const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const BARE = /^[0-9]+(?:\.[0-9]+)?$/;
const COMPOUND = /^(?:[0-9]+(?:\.[0-9]+)?(?:ms|s|m|h|d))+$/;
const PART = /([0-9]+(?:\.[0-9]+)?)(ms|s|m|h|d)/g;

/** The unit of a bare number: seconds by default, milliseconds for flags and variables named `...-ms`. */
export type BareUnit = 's' | 'ms';

/**
 * Milliseconds of "50s", "2m", "1500ms", "1h30m", "2d" or a bare number (in `bare` units, seconds by
 * default); undefined when it is none of those.
 */
export function durationMs(raw: string, bare: BareUnit = 's'): number | undefined {
  const t = raw.trim();
  if (BARE.test(t)) return Math.round(Number(t) * (UNITS[bare] ?? 1000));
  if (!COMPOUND.test(t)) return undefined;
  let total = 0;
  for (const m of t.matchAll(PART)) total += Number(m[1]) * (UNITS[m[2] ?? 's'] ?? 1000);
  return Math.round(total);
}

/**
 * Parses a duration (see `durationMs`) into milliseconds; `what` names the flag, `bare` is the unit of a
 * bare number (the flag's old unit, so old spellings keep working).
 */
export function parseDuration(raw: string, what: string, bare: BareUnit = 's'): number {
  const ms = durationMs(raw, bare);
  if (ms === undefined) throw new ConfigError(`${what}: "${raw}" is not a duration (e.g. 50s, 2m, 500ms)`);
  return ms;
}

/**
 * A number of milliseconds that may also be written as a duration with units (`2s`, `1m30s`): such strings
 * become milliseconds, anything else reaches `ms` unchanged (so a bare number keeps meaning milliseconds,
 * as in `--ttft-ms 20`).
 */
export function MillisecondsInput<T extends z.ZodType>(ms: T) {
  return z.preprocess((v) => (typeof v === 'string' && COMPOUND.test(v.trim()) ? durationMs(v) : v), ms);
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
