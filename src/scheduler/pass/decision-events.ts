/**
 * Lifecycle events for scheduler decisions (pure). Only changes produce events: a replan that keeps
 * everything says nothing, and an unplaceable reason is repeated only when it changes.
 */
import type { Assignment, PlacementPlan } from '../../core/domain/placement.js';
import type { NewModelEvent } from '../../store/events.js';
import { sameUnplaced } from './plan-build.js';
import type { PlanDecision } from '../types.js';

const MAX_LISTED = 5;

function where(a: Assignment): string {
  const gpus = a.gpu_indices.length > 0 ? `GPU ${a.gpu_indices.join(',')}` : 'no GPU';
  return `${a.node_id} (${gpus}, port ${a.port})`;
}

function list<T>(items: readonly T[], fmt: (x: T) => string): string {
  const shown = items.slice(0, MAX_LISTED).map(fmt).join('; ');
  return items.length > MAX_LISTED ? `${shown}; and ${items.length - MAX_LISTED} more` : shown;
}

/** Events for a plan written from `decision` (with `prev` the plan it replaced). */
export function decisionEvents(
  prev: PlacementPlan | undefined,
  next: PlacementPlan,
  d: PlanDecision,
): NewModelEvent[] {
  const base = { model_uid: next.model_uid, source: 'scheduler' as const, plan_version: next.plan_version };
  const events: NewModelEvent[] = [];
  if (d.added.length > 0) {
    const first = d.added[0];
    events.push({
      ...base,
      type: 'scheduled',
      message:
        d.added.length === 1 && first
          ? `scheduled replica ${first.replica_id} on ${where(first)}`
          : `scheduled ${d.added.length} replicas: ${list(d.added, (a) => `${a.replica_id} on ${where(a)}`)}`,
      ...(d.added.length === 1 && first ? { node_id: first.node_id, replica_id: first.replica_id } : {}),
    });
  }
  for (const m of d.moved.slice(0, MAX_LISTED)) {
    const sameNode = m.from.node_id === m.to.node_id;
    events.push({
      ...base,
      type: 'rescheduled',
      node_id: m.to.node_id,
      replica_id: m.replica_id,
      message: sameNode
        ? `replica ${m.replica_id} stays on ${m.to.node_id} with new resources ${where(m.to)}: ${m.why}`
        : `moved replica ${m.replica_id} from ${m.from.node_id} to ${where(m.to)}: ${m.why}`,
    });
  }
  const scaledDown = d.removed.filter((a) => !d.moved.some((m) => m.replica_id === a.replica_id));
  if (scaledDown.length > 0) {
    events.push({
      ...base,
      type: 'unscheduled',
      message: `removed replica(s) ${list(scaledDown, (a) => `${a.replica_id} from ${a.node_id}`)}`,
    });
  }
  if (next.unplaced && !sameUnplaced(prev?.unplaced ?? null, next.unplaced)) {
    events.push({
      ...base,
      type: 'unplaceable',
      level: 'warning',
      message: `${next.unplaced.replicas} replica(s) cannot be placed: ${next.unplaced.reason}`,
    });
  }
  return events;
}

/** Event for a plan that is removed. */
export function removalEvent(prev: PlacementPlan, why: string): NewModelEvent {
  return {
    model_uid: prev.model_uid,
    source: 'scheduler',
    type: 'unscheduled',
    plan_version: prev.plan_version,
    message: `plan removed (${prev.assignments.length} replica(s)): ${why}`,
  };
}
