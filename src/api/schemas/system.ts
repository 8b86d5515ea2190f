import { z } from 'zod';
import { Backup } from '../../core/backup-format.js';
import { CachePurgeStatus } from '../../core/domain/index.js';
import { NodeId } from '../../core/ids.js';
import { QueryBool } from './common.js';

/** `GET /healthz`. */
export const Healthz = z.object({
  status: z.enum(['ok', 'unavailable']),
  version: z.string(),
  store: z.string(),
  /** Why the store is unhealthy (a fault of its file, or no answer). */
  store_error: z.string().optional(),
});

/** `GET /api/v2/models/{uid}/replicas/{replica_id}/logs`. */
export const LogsQuery = z.object({
  tail: z.coerce.number().int().min(1).max(10_000).default(200),
  follow: QueryBool.optional(),
});

/** `DELETE /api/v2/nodes/{node_id}/cache/{hash}`. */
export const PurgeParams = z.object({ node_id: NodeId, hash: z.string().regex(/^[A-Za-z0-9._-]{1,128}$/) });

export const PurgeResult = z.object({
  node_id: NodeId,
  name_hash: z.string(),
  model_name: z.string(),
  status: CachePurgeStatus,
  reason: z.string().optional(),
  freed_bytes: z.number().optional(),
});

export { Backup };
export const BackupDocument = Backup.meta({ id: 'Backup' });

export const RestoreQuery = z.object({ force: QueryBool.optional() });
export const BackupQuery = z.object({
  /** Include the session signing secret (`/meta/jwt-secret`); audited. */
  include_secrets: QueryBool.optional(),
});
export const RestoreResult = z
  .object({
    restored: z.number().int(),
    deleted: z.number().int(),
    skipped_leased: z.number().int(),
    txns: z.number().int(),
    revision: z.number().int(),
    backup_revision: z.number().int(),
  })
  .meta({ id: 'RestoreResult' });

export const RotateSecretResult = z
  .object({
    rotated_at: z.string(),
    /** Sessions signed with the previous secret are refused from now on (no overlap). */
    sessions_invalidated: z.literal(true),
  })
  .meta({ id: 'RotateSecretResult' });

/** The OpenAI request bodies the console's playground sends: `model` is required, the rest passes through. */
export const OpenAiBody = z.looseObject({ model: z.string().min(1).max(256) });
