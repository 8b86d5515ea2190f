import { createHash } from 'node:crypto';
import { type Assignment, type ModelSpec, SPEC_LAUNCH_FIELDS } from '../../core/domain/index.js';

/** JSON with object keys sorted, so equal values always give equal text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => canonicalJson(v)).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/**
 * Identity of what a replica launches: the parts of the planned spec and assignment that change the
 * engine's command line or environment. Two plan versions with the same fingerprint run the same process,
 * so the node only updates the endpoint's plan_version; a different fingerprint means a restart.
 * The spec's part is SPEC_LAUNCH_FIELDS (roles key, identity, engine of spec-fields.ts): descriptions,
 * labels, routing settings, facts and timestamps are left out on purpose, editing them must not restart
 * engines. Unset fields are dropped by canonicalJson, so adding a launch field leaves the fingerprints of
 * specs that do not set it unchanged (no restart on upgrade).
 */
export function launchFingerprint(spec: ModelSpec, assignment: Assignment): string {
  const identity: Record<string, unknown> = {};
  for (const k of SPEC_LAUNCH_FIELDS) identity[k] = spec[k];
  Object.assign(identity, {
    replica_id: assignment.replica_id,
    gpu_indices: assignment.gpu_indices,
    gpu_memory_bytes: assignment.gpu_memory_bytes,
    port: assignment.port,
  });
  return createHash('sha256').update(canonicalJson(identity)).digest('hex').slice(0, 16);
}
