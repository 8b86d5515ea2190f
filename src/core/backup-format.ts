/**
 * The wire format of a store backup (`nebula admin backup`, `GET /api/v2/admin/backup`): shared by the
 * store's backup/restore logic and the API declarations, so it lives below both.
 */
import { z } from 'zod';
import { ALL_PREFIXES } from './keys.js';

export const BACKUP_FORMAT = 'nebula-backup';
export const BACKUP_VERSION = 1;

/** One value larger than this cannot be written to etcd with default settings. */
const MAX_VALUE_BYTES = 1024 * 1024;

/** Whether a key lies under one of Nebula's prefixes (a backup holds nothing else). */
export const inNebulaPrefix = (key: string): boolean => ALL_PREFIXES.some((p) => key.startsWith(p));

export const BackupEntry = z.strictObject({
  key: z
    .string()
    .min(2)
    .max(1024)
    .refine(inNebulaPrefix, {
      error: (iss) => `key "${String(iss.input).slice(0, 80)}" is outside Nebula's prefixes`,
    }),
  value: z.string().refine((v) => Buffer.byteLength(v) <= MAX_VALUE_BYTES, 'value larger than 1 MiB'),
  /** The key was bound to a lease: kept for reading, never restored. */
  lease: z.boolean(),
});
export type BackupEntry = z.infer<typeof BackupEntry>;

export const Backup = z.strictObject({
  format: z.literal(BACKUP_FORMAT),
  version: z.literal(BACKUP_VERSION),
  /** Store revision every key was read at. */
  revision: z.number().int().min(0),
  created_at: z.string(),
  /** Store kind it was taken from ("etcd", "embedded"); informative. */
  store: z.string().optional(),
  /** Whether SECRET_KEYS were included (`--include-secrets`); absent in older files, which had them. */
  secrets_included: z.boolean().optional(),
  keys: z.array(BackupEntry),
});
export type Backup = z.infer<typeof Backup>;
