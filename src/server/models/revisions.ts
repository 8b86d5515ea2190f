/**
 * Revisions of a model's spec (issue 17 item 1): what counts as a change, the field-level diff between two
 * revisions, and the store operation that writes one. Pure apart from `revisionPut`, which only builds an
 * operation for a caller's transaction.
 */
import {
  ModelRevision,
  type ModelSpec,
  type RevisionCause,
  SPEC_FIELD_ROLES,
} from '../../core/domain/index.js';
import { keys, parseKey } from '../../core/keys.js';
import { encode } from '../../store/json.js';
import type { TxnCompare } from '../../store/types.js';

/** Spec fields a revision tracks: everything but the server-owned ones (facts follow identity; timestamps). */
export const REVISION_FIELDS: readonly (keyof ModelSpec)[] = (
  Object.keys(SPEC_FIELD_ROLES) as (keyof ModelSpec)[]
).filter((k) => SPEC_FIELD_ROLES[k] !== 'server-owned');

/** JSON with object keys sorted, so that two equal values always print the same. */
export function canonicalJson(v: unknown): string {
  return JSON.stringify(sortKeys(v));
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort()) {
      const x = (v as Record<string, unknown>)[k];
      if (x !== undefined) out[k] = sortKeys(x);
    }
    return out;
  }
  return v;
}

/** The tracked top-level spec fields that differ between `before` and `after` (schema order). */
export function changedSpecFields(before: ModelSpec | undefined, after: ModelSpec): string[] {
  if (!before) return [];
  return REVISION_FIELDS.filter((k) => canonicalJson(before[k]) !== canonicalJson(after[k]));
}

/** One difference between two specs: a dotted path, and the value on each side (null: absent). */
export interface SpecDiffEntry {
  path: string;
  before: unknown;
  after: unknown;
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return !!v && typeof v === 'object' && !Array.isArray(v);
}

function diffValues(path: string, a: unknown, b: unknown, out: SpecDiffEntry[]): void {
  if (isPlainObject(a) && isPlainObject(b)) {
    const ks = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const k of ks) diffValues(`${path}.${k}`, a[k], b[k], out);
    return;
  }
  if (canonicalJson(a ?? null) === canonicalJson(b ?? null)) return;
  // Arrays (extra_args) are one value: their order matters to the engine, so they are shown whole.
  out.push({ path, before: a ?? null, after: b ?? null });
}

/**
 * Field-level diff of the tracked spec fields, nested objects walked down to their leaves
 * (`engine_config.env.HF_HOME`), in schema order. Without `before` (the first revision), every field set.
 */
export function diffSpecs(before: ModelSpec | undefined, after: ModelSpec): SpecDiffEntry[] {
  const out: SpecDiffEntry[] = [];
  for (const k of REVISION_FIELDS) diffValues(k, before?.[k], after[k], out);
  return out;
}

/** Revision numbers from a keys-only listing of `keys.modelRevisionsOf(uid)`, ascending. */
export function revisionNumbersOf(listedKeys: readonly string[]): number[] {
  const out: number[] = [];
  for (const k of listedKeys) {
    const p = parseKey(k);
    if (p?.kind === 'modelRevision') out.push(p.revision);
  }
  return out.sort((a, b) => a - b);
}

export interface NewRevision {
  spec: ModelSpec;
  revision: number;
  by: string;
  at: string;
  cause: RevisionCause;
  changed: string[];
  rollback_of?: number | undefined;
  message?: string | undefined;
}

/** The validated revision record. */
export function buildRevision(r: NewRevision): ModelRevision {
  return ModelRevision.parse({
    model_uid: r.spec.model_uid,
    revision: r.revision,
    spec: r.spec,
    created_by: r.by.slice(0, 200),
    created_at: r.at,
    cause: r.cause,
    changed: r.changed,
    ...(r.rollback_of !== undefined ? { rollback_of: r.rollback_of } : {}),
    ...(r.message ? { message: r.message.slice(0, 500) } : {}),
  });
}

/**
 * The put of a new revision and the compare that keeps it immutable (the key must not exist), for the
 * caller's transaction (the same one that writes the spec).
 */
export function revisionPut(rev: ModelRevision): {
  compare: TxnCompare;
  op: { op: 'put'; key: string; value: string };
} {
  const key = keys.modelRevision(rev.model_uid, rev.revision);
  return {
    compare: { key, modRevision: 0 },
    op: { op: 'put', key, value: encode(ModelRevision, rev) },
  };
}
