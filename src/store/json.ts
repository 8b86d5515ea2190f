import type { z } from 'zod';
import { NebulaError } from '../core/errors.js';
import type { KeyValue, PutOptions, Store, WriteResult } from './types.js';

/** A stored value that does not match its schema (written by something else, or an older version). */
export class InvalidStoredValueError extends NebulaError {
  constructor(key: string, reason: string) {
    super(`invalid value at ${key}: ${reason}`, 'STORE_INVALID_VALUE', { details: { key } });
  }
}

export interface Typed<T> {
  key: string;
  value: T;
  modRevision: number;
  createRevision: number;
  version: number;
  lease?: string;
}

export function decode<S extends z.ZodType>(schema: S, kv: KeyValue): Typed<z.infer<S>> {
  let raw: unknown;
  try {
    raw = JSON.parse(kv.value);
  } catch {
    throw new InvalidStoredValueError(kv.key, 'not JSON');
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new InvalidStoredValueError(kv.key, parsed.error.issues[0]?.message ?? 'schema mismatch');
  const out: Typed<z.infer<S>> = {
    key: kv.key,
    value: parsed.data,
    modRevision: kv.modRevision,
    createRevision: kv.createRevision,
    version: kv.version,
  };
  if (kv.lease !== undefined) out.lease = kv.lease;
  return out;
}

/** Validates and serialises a value for the store (a write never stores what its schema refuses). */
export function encode<S extends z.ZodType>(schema: S, value: z.input<S>): string {
  return JSON.stringify(schema.parse(value));
}

export async function getJson<S extends z.ZodType>(store: Store, key: string, schema: S): Promise<Typed<z.infer<S>> | undefined> {
  const kv = await store.get(key);
  return kv ? decode(schema, kv) : undefined;
}

export async function putJson<S extends z.ZodType>(
  store: Store,
  key: string,
  schema: S,
  value: z.input<S>,
  opts?: PutOptions,
): Promise<WriteResult> {
  return store.put(key, encode(schema, value), opts);
}

export interface TypedList<T> {
  items: Typed<T>[];
  /** Keys whose values did not validate (skipped, reported so callers can log them). */
  invalid: { key: string; reason: string }[];
  revision: number;
}

/** Lists a prefix, decoding every value; keys whose suffix does not match `keyFilter` are ignored. */
export async function listJson<S extends z.ZodType>(
  store: Store,
  prefix: string,
  schema: S,
  keyFilter?: (key: string) => boolean,
): Promise<TypedList<z.infer<S>>> {
  const res = await store.list(prefix);
  const items: Typed<z.infer<S>>[] = [];
  const invalid: { key: string; reason: string }[] = [];
  for (const kv of res.items) {
    if (keyFilter && !keyFilter(kv.key)) continue;
    try {
      items.push(decode(schema, kv));
    } catch (err) {
      invalid.push({ key: kv.key, reason: err instanceof Error ? err.message : String(err) });
    }
  }
  return { items, invalid, revision: res.revision };
}
