import { createHash } from 'node:crypto';
import type { Assignment, ModelSpec } from '../../core/domain/index.js';

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
 * Descriptions, labels and timestamps are left out on purpose: editing them must not restart engines.
 */
export function launchFingerprint(spec: ModelSpec, assignment: Assignment): string {
  const identity = {
    model_uid: spec.model_uid,
    model_name: spec.model_name,
    model_source: spec.model_source,
    revision: spec.revision,
    model_path: spec.model_path,
    engine_type: spec.engine_type,
    engine_config: spec.engine_config,
    served_model_name: spec.served_model_name,
    resources: spec.resources,
    replica_id: assignment.replica_id,
    gpu_indices: assignment.gpu_indices,
    gpu_memory_bytes: assignment.gpu_memory_bytes,
    port: assignment.port,
  };
  return createHash('sha256').update(canonicalJson(identity)).digest('hex').slice(0, 16);
}
