import { z } from 'zod';
import { ModelUid, NodeId, ReplicaId } from '../ids.js';

/** ISO-8601 timestamp with offset, as written by `new Date().toISOString()`. */
export const Timestamp = z.iso.datetime({ offset: true });

/**
 * Which replica, on which node: the leading fields of the records a node keeps about one of its replicas
 * under `/{prefix}/{model_uid}/{replica_id}` (endpoints, download progress). Spread first into their shapes.
 */
export const ReplicaOnNodeShape = {
  model_uid: ModelUid,
  replica_id: ReplicaId,
  node_id: NodeId,
};

export const Labels = z.record(
  z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._/-]{0,62}$/, 'label keys are 1-63 letters, digits, ".", "_", "/" or "-"'),
  z.string().max(256),
);
export type Labels = z.infer<typeof Labels>;

export const Role = z.enum(['viewer', 'operator', 'admin']);
export type Role = z.infer<typeof Role>;

export const ROLE_RANK: Record<Role, number> = { viewer: 0, operator: 1, admin: 2 };

/** True when `have` is at least `need` in viewer < operator < admin. */
export function roleAtLeast(have: Role, need: Role): boolean {
  return ROLE_RANK[have] >= ROLE_RANK[need];
}

export const GIB = 1024 ** 3;
export const MIB = 1024 ** 2;
