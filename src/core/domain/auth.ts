import { z } from 'zod';
import { Role, Timestamp } from './common.js';

export const Username = z
  .string()
  .regex(/^[a-z][a-z0-9._-]{1,31}$/, 'username must be 2-32 lowercase letters, digits, ".", "_" or "-", starting with a letter');

/** `/auth/users/{username}`. The password is stored only as an scrypt hash (`scrypt$N$r$p$salt$hash`). */
export const User = z.object({
  username: Username,
  password_hash: z.string().min(1),
  role: Role,
  disabled: z.boolean().default(false),
  created_at: Timestamp,
  updated_at: Timestamp,
  created_by: z.string().optional(),
  /**
   * Sessions carry the epoch they were issued under; bumping it ends every session of the user at once
   * (password change, disable, role change, logout everywhere). Absent = 0.
   */
  session_epoch: z.number().int().min(0).optional(),
  /** Sessions ended one by one (logout): their `jti` and expiry (epoch seconds), pruned once expired. */
  revoked_sessions: z
    .array(z.object({ jti: z.string().min(1).max(64), exp: z.number().int() }))
    .max(1000)
    .optional(),
});
export type User = z.infer<typeof User>;

/** `/auth/api_keys/{id}`. Only the sha256 of the secret is kept; `prefix` lets people recognise a key. */
export const ApiKey = z.object({
  id: z.string().regex(/^[a-z0-9]{8,32}$/),
  name: z.string().min(1).max(100),
  prefix: z.string().min(4).max(16),
  key_hash: z.string().regex(/^[0-9a-f]{64}$/),
  role: Role,
  owner: z.string(),
  created_at: Timestamp,
  expires_at: Timestamp.nullable().default(null),
  revoked_at: Timestamp.nullable().default(null),
  last_used_at: Timestamp.optional(),
  /** Per-key request rate for the router's data plane (token bucket); absent = the router's default. */
  rate_limit: z
    .object({ rps: z.number().positive().max(1_000_000), burst: z.number().int().positive().max(1_000_000).optional() })
    .optional(),
});
export type ApiKey = z.infer<typeof ApiKey>;

/** The `nbk_` prefix marks Nebula API keys (so scanners and people can tell them apart from JWTs). */
export const API_KEY_PREFIX = 'nbk_';
