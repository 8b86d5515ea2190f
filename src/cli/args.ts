/** Parsers for flag values. Each throws a UsageError (exit 2) naming the flag, before any request is sent. */
import { isValidModelUid } from '../core/ids.js';
import { UsageError } from './errors.js';
import { parseDuration } from './output/human.js';

/** Commander collector for repeatable flags (`--arg X --arg Y`). */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** `K=V` pairs into a record; the value may contain '=' and may be empty. */
export function parseEnvPairs(pairs: readonly string[], flag = '--env'): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`${flag} "${pair}" must look like KEY=VALUE`);
    const key = pair.slice(0, eq);
    if (!ENV_NAME.test(key))
      throw new UsageError(`${flag} "${key}" is not a valid variable name (letters, digits, "_")`);
    out[key] = pair.slice(eq + 1);
  }
  return out;
}

/** `key=value` label pairs (same syntax as --env, looser key rule is checked by the server). */
export function parseLabelPairs(pairs: readonly string[], flag = '--label'): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`${flag} "${pair}" must look like key=value`);
    out[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return out;
}

/** A whole number within [min, max]. */
export function parseInteger(value: string, flag: string, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  if (!/^-?\d+$/.test(value.trim())) throw new UsageError(`${flag} must be a whole number (got "${value}")`);
  const n = Number(value);
  if (n < min || n > max) throw new UsageError(`${flag} must be between ${min} and ${max} (got ${n})`);
  return n;
}

/** A positive decimal number (GiB and the like). */
export function parsePositiveNumber(value: string, flag: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0)
    throw new UsageError(`${flag} must be a positive number (got "${value}")`);
  return n;
}

/** A duration flag in milliseconds (`10m`, `90s`, `1h30m`). */
export function parseDurationFlag(value: string, flag: string): number {
  const ms = parseDuration(value);
  if (ms === undefined || ms <= 0)
    throw new UsageError(`${flag} must be a duration like 30s, 10m or 1h (got "${value}")`);
  return ms;
}

/** One of a fixed set of words. */
export function parseChoice<T extends string>(value: string, flag: string, choices: readonly T[]): T {
  if ((choices as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`${flag} must be one of ${choices.join(', ')} (got "${value}")`);
}

/** The `<model_uid>` argument of the commands about one model (a leaf's `args` entry), checked. */
export const MODEL_ARG = ['<model_uid>', 'the model', checkModelUid] as const;

/** Checks a model uid locally with the ModelUid rule, so a bad uid never reaches the server. */
export function checkModelUid(uid: string): string {
  if (!isValidModelUid(uid)) {
    throw new UsageError(
      `invalid model uid "${uid}": 1-63 lowercase letters, digits or "-", starting with a letter and not ending with "-"`,
      'INVALID_MODEL_UID',
    );
  }
  return uid;
}
