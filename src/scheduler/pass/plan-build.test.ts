import { describe, expect, it } from 'vitest';
import { GIB } from '../../core/domain/common.js';
import { decisionEvents, removalEvent } from './decision-events.js';
import { planOf, simNode, workload } from '../fixtures.js';
import { buildPlan, nextPlanVersion, planChanged, sameUnplaced } from './plan-build.js';
import { planModel } from '../planner/index.js';

describe('plan_version', () => {
  it('grows past the previous version and past every revision seen', () => {
    const w = workload('a');
    expect(nextPlanVersion(undefined, 0)).toBe(1);
    expect(nextPlanVersion(planOf(w, [], 7), 3)).toBe(8);
    expect(nextPlanVersion(planOf(w, [], 7), 100)).toBe(101);
  });

  it('a recreated plan (no previous) still lands above the deleted one', () => {
    // The deleted plan was written at a revision <= its deletion's, which the scheduler saw.
    const deletedVersion = 42;
    const revisionSeenAfterDelete = 57;
    expect(nextPlanVersion(undefined, revisionSeenAfterDelete)).toBeGreaterThan(deletedVersion);
  });
});

describe('planChanged / sameUnplaced', () => {
  const w = workload('a', { gpuGib: 10 });
  const s = { nodes: [simNode('n1')], plans: new Map() };

  it('an identical replan is no change, whatever the version and time', () => {
    const d = planModel(s, w);
    const p1 = buildPlan(w, d, undefined, 10, 0);
    const p2 = buildPlan(w, d, p1, 20, 999_999);
    expect(p2.plan_version).toBe(21);
    expect(planChanged(p1, p2)).toBe(false);
  });

  it('assignments, spec, generation and source are changes', () => {
    const d = planModel(s, w);
    const p1 = buildPlan(w, d, undefined, 1, 0);
    expect(planChanged(p1, { ...p1, assignments: [] })).toBe(true);
    expect(planChanged(p1, { ...p1, generation: 2 })).toBe(true);
    expect(planChanged(p1, { ...p1, spec: { ...p1.spec, description: 'x' } })).toBe(true);
    expect(planChanged(p1, { ...p1, source: 'request', request_id: 'r' })).toBe(true);
    expect(planChanged(undefined, p1)).toBe(true);
  });

  it('unplaced reasons that differ only in free sizes are the same (no rewrite per heartbeat)', () => {
    const a = { replicas: 1, reason: 'needs 1 x 40 GiB on one node; best node n1 has 1 x 30.2 GiB free' };
    const b = { replicas: 1, reason: 'needs 1 x 40 GiB on one node; best node n1 has 1 x 29.8 GiB free' };
    expect(sameUnplaced(a, b)).toBe(true);
    expect(sameUnplaced(a, { ...b, reason: b.reason.replace('n1', 'n2') })).toBe(false);
    expect(sameUnplaced(a, { ...a, replicas: 2 })).toBe(false);
    expect(sameUnplaced(a, null)).toBe(false);
    expect(sameUnplaced(null, null)).toBe(true);
  });

  it('keeps the previous reason text when only sizes moved', () => {
    const big = workload('a', { gpuGib: 100 });
    const d1 = planModel(
      { nodes: [simNode('n1', { usedGib: [10, 10, 10, 10, 10, 10, 10, 10] })], plans: new Map() },
      big,
    );
    const p1 = buildPlan(big, d1, undefined, 1, 0);
    const d2 = planModel(
      { nodes: [simNode('n1', { usedGib: [11, 11, 11, 11, 11, 11, 11, 11] })], plans: new Map() },
      big,
    );
    const p2 = buildPlan(big, d2, p1, 2, 0);
    expect(p2.unplaced).toEqual(p1.unplaced);
    expect(planChanged(p1, p2)).toBe(false);
  });
});

describe('decision events', () => {
  it('says nothing for an unchanged replan', () => {
    const w = workload('a');
    const s = { nodes: [simNode('n1')], plans: new Map() };
    const p1 = buildPlan(w, planModel(s, w), undefined, 1, 0);
    const d2 = planModel({ ...s, plans: new Map([['a', p1]]) }, w);
    expect(decisionEvents(p1, buildPlan(w, d2, p1, 2, 0), d2)).toEqual([]);
  });

  it('reports scheduled, rescheduled, removed and unplaceable with the reason', () => {
    const w = workload('a', { replicas: 3, gpuGib: 50 });
    const prev = planOf(workload('a', { replicas: 2, gpuGib: 50 }), [
      { replica_id: 0, node_id: 'gone', gpu_indices: [0], gpu_memory_bytes: 50 * GIB, port: 40000 },
    ]);
    const d = planModel(
      { nodes: [simNode('n1', { gpus: 1 }), simNode('n2', { gpus: 1 })], plans: new Map([['a', prev]]) },
      w,
    );
    const next = buildPlan(w, d, prev, 5, 0);
    const events = decisionEvents(prev, next, d);
    const byType = Object.fromEntries(events.map((e) => [e.type, e]));
    expect(byType['rescheduled']?.message).toContain('moved replica 0 from gone to');
    expect(byType['rescheduled']?.message).toContain('node gone is gone');
    expect(byType['scheduled']?.message).toMatch(/scheduled replica 1 on n[12]/);
    expect(byType['unplaceable']).toMatchObject({ level: 'warning', plan_version: next.plan_version });
    expect(byType['unplaceable']?.message).toContain('1 replica(s) cannot be placed: needs 1 x 50 GiB');
    // The same unplaced state again: no second unplaceable event.
    expect(decisionEvents(next, next, { ...d, added: [], moved: [], removed: [] })).toEqual([]);
  });

  it('reports a removed plan', () => {
    const p = planOf(workload('a'), []);
    expect(removalEvent(p, 'deployment is stopped')).toMatchObject({ type: 'unscheduled', model_uid: 'a' });
  });
});
