import { createHash, randomBytes } from 'node:crypto';
import { z } from 'zod';

/**
 * model_uid: a DNS label. 1-63 characters of lowercase letters, digits and '-', starting with a letter and
 * not ending with '-'. It appears in store keys, URLs, served model names and process arguments, so it is
 * checked everywhere a uid enters the system.
 */
export const MODEL_UID_PATTERN = /^[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

export const ModelUid = z
  .string()
  .regex(
    MODEL_UID_PATTERN,
    'model_uid must be 1-63 lowercase letters, digits or "-", start with a letter and not end with "-"',
  );

export function isValidModelUid(value: string): boolean {
  return MODEL_UID_PATTERN.test(value);
}

/** Node ids are hostnames or labels; no '/', since they appear in store keys. */
export const NODE_ID_PATTERN = /^[A-Za-z0-9](?:[A-Za-z0-9._-]{0,62})$/;
export const NodeId = z
  .string()
  .regex(NODE_ID_PATTERN, 'node_id must be 1-63 letters, digits, ".", "_" or "-", starting with a letter or digit');

/** Template ids, request ids, key ids: short url-safe identifiers. */
export const SLUG_PATTERN = /^[a-z0-9](?:[a-z0-9._-]{0,126}[a-z0-9])?$/;
export const Slug = z.string().regex(SLUG_PATTERN, 'must be lowercase letters, digits, ".", "_" or "-" (max 128)');

export const ReplicaId = z.number().int().min(0).max(9999);

/** Random identifier with a prefix, e.g. `req-3f9a1c0b2d4e`. */
export function randomId(prefix: string, bytes = 6): string {
  return `${prefix}-${randomBytes(bytes).toString('hex')}`;
}

let lastMs = 0;
let seq = 0;
/**
 * Time-ordered id: lexicographic order equals creation order within one process (millisecond timestamp,
 * a per-millisecond sequence, then randomness so that two processes do not collide).
 */
export function timeOrderedId(nowMs: number = Date.now()): string {
  if (nowMs === lastMs) {
    seq += 1;
  } else {
    lastMs = nowMs;
    seq = 0;
  }
  const ts = Math.max(0, Math.floor(nowMs)).toString().padStart(15, '0');
  return `${ts}-${seq.toString(16).padStart(4, '0')}-${randomBytes(3).toString('hex')}`;
}

/** Short stable hash of a model's identity, used in cache keys. */
export function modelNameHash(source: string, modelName: string): string {
  return createHash('sha256').update(`${source}:${modelName}`).digest('hex').slice(0, 16);
}

export function sha256Hex(value: string | Buffer): string {
  return createHash('sha256').update(value).digest('hex');
}
