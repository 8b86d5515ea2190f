import type { Assignment, ModelSpec, PlacementPlan } from '../../src/core/domain/index.js';
import { ModelSpec as ModelSpecSchema, PlacementPlan as PlanSchema } from '../../src/core/domain/index.js';

const T0 = '2026-01-01T00:00:00.000Z';

/** A simulator model spec (no weights needed). */
export function simSpec(modelUid: string, over: Partial<ModelSpec> = {}): ModelSpec {
  return ModelSpecSchema.parse({
    model_uid: modelUid,
    model_name: `sim/${modelUid}`,
    // A simulator with a local source and no path needs no weights (a hub source would be downloaded).
    model_source: 'local',
    engine_type: 'sim',
    resources: { gpu_count: 0 },
    created_at: T0,
    updated_at: T0,
    ...over,
  });
}

export function assignment(
  replicaId: number,
  nodeId: string,
  port: number,
  over: Partial<Assignment> = {},
): Assignment {
  return { replica_id: replicaId, node_id: nodeId, gpu_indices: [], gpu_memory_bytes: 0, port, ...over };
}

/** A placement plan as the scheduler would write it. */
export function plan(spec: ModelSpec, planVersion: number, assignments: Assignment[]): PlacementPlan {
  return PlanSchema.parse({
    model_uid: spec.model_uid,
    plan_version: planVersion,
    source: 'deployment',
    generation: 1,
    spec,
    assignments,
    unplaced: null,
    updated_at: T0,
  });
}
