/**
 * From a planner decision to the PlacementPlan that is written (pure), and whether it differs from the
 * plan in the store. `plan_version` grows on every change and survives delete/recreate: it is above both
 * the previous version and the highest store revision seen, and a deleted plan's version was below the
 * revision of its deletion, which the scheduler has seen before it writes the plan again.
 */
import { isDeepStrictEqual } from 'node:util';
import type { PlacementPlan } from '../../core/domain/placement.js';
import type { PlanDecision, Unplaced, Workload } from '../types.js';

export function buildPlan(
  w: Workload,
  d: PlanDecision,
  prev: PlacementPlan | undefined,
  knownRevision: number,
  now: number,
): PlacementPlan {
  const plan: PlacementPlan = {
    model_uid: w.model_uid,
    plan_version: nextPlanVersion(prev, knownRevision),
    source: w.source,
    generation: w.generation,
    spec: w.spec,
    assignments: d.assignments,
    unplaced: sameUnplaced(prev?.unplaced ?? null, d.unplaced) && prev ? (prev.unplaced ?? null) : d.unplaced,
    updated_at: new Date(now).toISOString(),
  };
  if (w.request_id !== undefined) plan.request_id = w.request_id;
  // Built from validated parts; the write validates it once more (encode) before it reaches the store.
  return plan;
}

export function nextPlanVersion(prev: PlacementPlan | undefined, knownRevision: number): number {
  return Math.max((prev?.plan_version ?? 0) + 1, knownRevision + 1);
}

/** True when writing `next` would change what nodes, the API or operators see (versions and times aside). */
export function planChanged(prev: PlacementPlan | undefined, next: PlacementPlan): boolean {
  if (!prev) return true;
  if (prev.source !== next.source || prev.generation !== next.generation) return true;
  if (prev.request_id !== next.request_id) return true;
  if (!sameUnplaced(prev.unplaced, next.unplaced)) return true;
  if (!isDeepStrictEqual(stripUndefined(prev.assignments), stripUndefined(next.assignments))) return true;
  if (prev.revision !== next.revision || prev.drain_grace_seconds !== next.drain_grace_seconds) return true;
  if (!isDeepStrictEqual(stripUndefined(prev.rollout ?? null), stripUndefined(next.rollout ?? null)))
    return true;
  if (!isDeepStrictEqual(stripUndefined(prev.specs ?? null), stripUndefined(next.specs ?? null))) return true;
  return !isDeepStrictEqual(stripUndefined(prev.spec), stripUndefined(next.spec));
}

/**
 * Unplaced states are the same when the count and the reason match with sizes blanked out: free memory
 * moves with every heartbeat, and a plan rewrite (and an event) per heartbeat would be noise.
 */
export function sameUnplaced(a: Unplaced | null, b: Unplaced | null): boolean {
  if (a === null || b === null) return a === b;
  return a.replicas === b.replicas && normalizeReason(a.reason) === normalizeReason(b.reason);
}

function normalizeReason(reason: string): string {
  return reason.replace(/[0-9]+(?:\.[0-9]+)? (?:GiB|MiB)/g, '#');
}

function stripUndefined<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}
