import { isValidModelUid } from '../../core/ids.js';

/**
 * Turns a model name (`Qwen/Qwen2.5-7B-Instruct`) into a DNS-label base (`qwen2-5-7b-instruct`): the part
 * after the last "/", lowercased, other characters to "-", runs of "-" collapsed, starting with a letter
 * (prefixed with `m-` otherwise), at most 63 characters, not ending with "-". Pure.
 */
export function uidBase(modelName: string): string {
  const last = modelName.split('/').filter(Boolean).pop() ?? '';
  let s = last
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-+|-+$/g, '');
  if (s === '') s = 'model';
  if (!/^[a-z]/.test(s)) s = `m-${s}`;
  s = s.slice(0, 63).replace(/-+$/, '');
  return isValidModelUid(s) ? s : 'model';
}

/**
 * A uid for `modelName` that is not in `taken`: the base, else `base-2`, `base-3`... (trimmed so the
 * suffix still fits in 63 characters). Pure.
 */
export function deriveModelUid(modelName: string, taken: ReadonlySet<string>): string {
  const base = uidBase(modelName);
  if (!taken.has(base)) return base;
  for (let n = 2; n < 100_000; n++) {
    const suffix = `-${n}`;
    const candidate = `${base.slice(0, 63 - suffix.length).replace(/-+$/, '')}${suffix}`;
    if (!taken.has(candidate)) return candidate;
  }
  throw new Error('no free model_uid');
}

/** A template id from a display name (`Qwen 2.5 7B` -> `qwen-2.5-7b`), unique against `taken`. Pure. */
export function deriveTemplateId(name: string, taken: ReadonlySet<string>): string {
  let base = name
    .toLowerCase()
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^[-._]+|[-._]+$/g, '')
    .slice(0, 100)
    .replace(/[-._]+$/, '');
  if (base === '') base = 'template';
  if (!taken.has(base)) return base;
  for (let n = 2; ; n++) if (!taken.has(`${base}-${n}`)) return `${base}-${n}`;
}
