/**
 * Field-level diff for `nebula apply --dry-run`: only the fields the file sets are compared (what the file
 * leaves out keeps its current value), nested objects are compared leaf by leaf, arrays as a whole.
 */

import { MASKED_ENV_VALUE } from '../../engines/contract.js';

export interface FieldChange {
  /** Dotted path, e.g. `engine_config.env.HF_HOME`. */
  path: string;
  from: unknown;
  to: unknown;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Deep equality of JSON values (key order ignored). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((x, i) => jsonEqual(x, b[i]));
  if (isPlainObject(a) && isPlainObject(b)) {
    const ka = Object.keys(a).filter((k) => a[k] !== undefined);
    const kb = Object.keys(b).filter((k) => b[k] !== undefined);
    return ka.length === kb.length && ka.every((k) => jsonEqual(a[k], b[k]));
  }
  return false;
}

/**
 * The changes needed to make `current` match `desired` on the fields `desired` sets. An empty object in
 * `desired` against a missing one counts as no change.
 */
export function diffFields(
  desired: Record<string, unknown>,
  current: Record<string, unknown> | undefined,
  prefix = '',
): FieldChange[] {
  const changes: FieldChange[] = [];
  for (const [key, want] of Object.entries(desired)) {
    if (want === undefined) continue;
    const path = prefix ? `${prefix}.${key}` : key;
    const have = current?.[key];
    if (isPlainObject(want) && (isPlainObject(have) || have === undefined || have === null)) {
      const nested = diffFields(want, isPlainObject(have) ? have : undefined, path);
      if (
        nested.length === 0 &&
        Object.keys(want).length === 0 &&
        isPlainObject(have) &&
        Object.keys(have).length > 0
      ) {
        // `labels: {}` asks for no labels at all: that clears what is there.
        changes.push({ path, from: have, to: want });
      } else {
        changes.push(...nested);
      }
      continue;
    }
    // A write-only env value (shown masked) cannot be compared: apply leaves it as it is.
    if (have === MASKED_ENV_VALUE) continue;
    if (!jsonEqual(want, have)) changes.push({ path, from: have, to: want });
  }
  return changes;
}

/** A value as the diff prints it: strings quoted, absent as `(none)`, objects as compact JSON. */
export function formatValue(v: unknown): string {
  if (v === undefined || v === null) return '(none)';
  return JSON.stringify(v);
}

/** `  path: from -> to` lines. */
export function formatChanges(changes: readonly FieldChange[], indent = '  '): string {
  return changes.map((c) => `${indent}${c.path}: ${formatValue(c.from)} -> ${formatValue(c.to)}\n`).join('');
}

/** The distinct top-level fields touched by `changes` (what an update request must carry). */
export function topLevelFields(changes: readonly FieldChange[]): string[] {
  return [...new Set(changes.map((c) => c.path.split('.')[0] ?? c.path))];
}
