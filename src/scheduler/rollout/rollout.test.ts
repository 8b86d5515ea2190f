import type { z } from 'zod';
import { describe, expect, it } from 'vitest';
import type { ModelDeployment, ModelSpec } from '../../core/domain/model.js';
import type { PlacementPlan } from '../../core/domain/placement.js';
import { RolloutPolicy, type DrainRequest } from '../../core/domain/revision.js';
import type { NewModelEvent } from '../../store/events.js';
import { deploymentFor, nodeSettings, planOf, simNode, specFor } from '../fixtures.js';
import { workloadOfDeployment as workloadOfDeploymentFixture } from '../pass/desired.js';
import { prepareRollouts, rollModel } from '../pass/rolling.js';
import type { ClusterNode } from '../types.js';

const T = Date.parse('2026-01-01T00:00:00.000Z');
const UID = 'm';

/** A spec of `UID` whose launch differs by max_model_len (each value: another revision). */
function specV(len: number, o: Partial<ModelSpec> = {}): ModelSpec {
  return specFor(UID, {
    engine_config: { max_model_len: len, extra_args: [], env: {} },
    resources: { gpu_count: 1, gpu_memory_gib: 80 },
    ...o,
  });
}

/** A rollout policy: the schema's defaults (rolling, 600 s deadline, not paused, 30 s grace) and `o`. */
function rollout(o: Partial<z.input<typeof RolloutPolicy>>): RolloutPolicy {
  return RolloutPolicy.parse(o);
}

interface World {
  nodes: ClusterNode[];
  deployment: ModelDeployment;
  spec: ModelSpec;
  plan: PlacementPlan;
  ready: Set<number>;
  drains: DrainRequest[];
  now: number;
}

/** One pass of the rollout step for `UID` (the real planner), applied to the world. */
function step(w: World): { events: NewModelEvent[]; drainsDone: number[]; rolling: boolean } {
  const workload = workloadOfDeploymentFixture(w.deployment, w.spec);
  const [p] = prepareRollouts({
    workloads: [workload],
    deploymentOf: () => w.deployment,
    plans: new Map([[UID, w.plan]]),
    drainsOf: () => w.drains,
    nodes: w.nodes,
  });
  if (!p) throw new Error('nothing prepared');
  if (!p.rolling) return { events: [], drainsDone: [], rolling: false };
  const r = rollModel(p, {
    now: w.now,
    knownRevision: 0,
    plans: new Map([[UID, w.plan]]),
    nodes: w.nodes,
    heldNodeIds: new Set(),
    cache: [],
    endpoints: w.plan.assignments
      .filter((a) => w.ready.has(a.replica_id))
      .map((a) => ({
        replica_id: a.replica_id,
        node_id: a.node_id,
        status: 'ready' as const,
        revision: a.revision ?? 1,
      })),
  });
  if (r.plan) w.plan = r.plan;
  w.drains = w.drains.filter((d) => !r.drainsDone.includes(d.replica_id));
  return { events: r.events, drainsDone: r.drainsDone, rolling: true };
}

/** A model at revision 1 with `replicas` ready replicas, one per GPU of node n1 (`gpus` GPUs). */
function world(o: {
  replicas: number;
  gpus: number;
  nodes?: ClusterNode[];
  deployment?: Partial<ModelDeployment>;
}): World {
  const spec = specV(1000);
  const nodes = o.nodes ?? [simNode('n1', { gpus: o.gpus })];
  const assignments = Array.from({ length: o.replicas }, (_, i) => ({
    replica_id: i,
    node_id: 'n1',
    gpu_indices: [i],
    gpu_memory_bytes: 80 * 2 ** 30,
    port: 40000 + i,
    revision: 1,
  }));
  const deployment = deploymentFor(UID, { replicas: o.replicas, spec_revision: 1, ...o.deployment });
  const plan = { ...planOf(workloadOfDeploymentFixture(deployment, spec), assignments), revision: 1 };
  return {
    nodes,
    deployment,
    spec,
    plan,
    ready: new Set(assignments.map((a) => a.replica_id)),
    drains: [],
    now: T,
  };
}

/** Moves the world to revision `rev` with a new spec. */
function change(w: World, rev: number, len: number, d: Partial<ModelDeployment> = {}): void {
  w.spec = specV(len);
  w.deployment = { ...w.deployment, spec_revision: rev, generation: w.deployment.generation + 1, ...d };
}

const ids = (w: World, rev?: number) =>
  w.plan.assignments.filter((a) => rev === undefined || a.revision === rev).map((a) => a.replica_id);
const messages = (evs: NewModelEvent[]) => evs.map((e) => e.message).join('\n');

describe('rolling update', () => {
  it('surges every replica at once when the cluster has room, retires old ones as new ones become ready', () => {
    const w = world({ replicas: 3, gpus: 8 });
    change(w, 2, 2000);
    const s1 = step(w);
    expect(ids(w, 1)).toEqual([0, 1, 2]);
    expect(ids(w, 2)).toEqual([3, 4, 5]);
    expect(w.plan.revision).toBe(2);
    expect(w.plan.spec.engine_config.max_model_len).toBe(2000);
    expect(w.plan.specs?.['1']?.engine_config.max_model_len).toBe(1000);
    expect(w.plan.rollout).toMatchObject({
      from_revision: 1,
      to_revision: 2,
      phase: 'progressing',
      max_surge: 3,
      max_unavailable: 0,
      updated_ready: 0,
      wanted: 3,
    });
    expect(messages(s1.events)).toContain('all 3 new replica(s) at once');

    // Nothing ready yet: nothing retires.
    step(w);
    expect(ids(w, 1)).toEqual([0, 1, 2]);

    w.ready.add(3);
    w.ready.add(4);
    const s2 = step(w);
    expect(ids(w, 1)).toEqual([0]); // 3 ready (2 new + 1 old) is the wanted count
    expect(w.plan.rollout).toMatchObject({ phase: 'progressing', updated_ready: 2 });
    expect(messages(s2.events)).toContain('retiring replica 2 (r1)');

    w.ready.add(5);
    const s3 = step(w);
    expect(ids(w)).toEqual([3, 4, 5]);
    expect(w.plan.specs).toBeUndefined();
    expect(w.plan.rollout).toMatchObject({ phase: 'complete', updated_ready: 3, to_revision: 2 });
    expect(w.plan.rollout?.deadline_at).toBeUndefined();
    expect(messages(s3.events)).toContain('rollout to r2 complete: 3/3 ready');
    expect(step(w).rolling).toBe(false);
  });

  it('goes one at a time (full capacity) when only one extra replica fits', () => {
    const w = world({ replicas: 3, gpus: 4 });
    change(w, 2, 2000);
    const s1 = step(w);
    expect(messages(s1.events)).toContain('room for only 1 of 3');
    expect(ids(w, 2)).toEqual([3]);
    expect(ids(w, 1)).toEqual([0, 1, 2]);
    w.ready.add(3);
    step(w); // one old retires, its GPU takes the next new one in the same step
    expect(ids(w, 1)).toEqual([0, 1]);
    expect(ids(w, 2)).toEqual([3, 4]);
    w.ready.add(4);
    step(w);
    expect(ids(w, 1)).toEqual([0]);
    expect(ids(w, 2)).toEqual([3, 4, 5]);
    w.ready.add(5);
    step(w);
    expect(ids(w)).toEqual([3, 4, 5]);
    expect(w.plan.rollout?.phase).toBe('complete');
  });

  it('with no room for even one extra replica, takes one down at a time (max_unavailable 1), said in an event', () => {
    const w = world({ replicas: 3, gpus: 3 });
    change(w, 2, 2000);
    const s1 = step(w);
    expect(messages(s1.events)).toContain('max_unavailable 1');
    expect(w.plan.rollout).toMatchObject({ max_surge: 0, max_unavailable: 1 });
    expect(ids(w, 1)).toEqual([0, 1]); // the highest id went first
    expect(ids(w, 2)).toEqual([3]);
    step(w); // the new one is not ready: nobody else goes
    expect(ids(w, 1)).toEqual([0, 1]);
    w.ready.add(3);
    step(w);
    expect(ids(w, 1)).toEqual([0]);
    expect(ids(w, 2)).toEqual([3, 4]); // ids are not reused while a node may still retire them
  });

  it('honours an explicit max_surge and max_unavailable', () => {
    const w = world({
      replicas: 4,
      gpus: 8,
      deployment: { rollout: rollout({ max_surge: 1, max_unavailable: 1, drain_grace_seconds: 5 }) },
    });
    change(w, 2, 2000);
    step(w);
    // One surge, and one old replica may go at once.
    expect(ids(w, 2)).toHaveLength(2);
    expect(ids(w, 1)).toEqual([0, 1, 2]);
    expect(w.plan.rollout).toMatchObject({ max_surge: 1, max_unavailable: 1 });
    expect(w.plan.drain_grace_seconds).toBe(5);
    expect(w.plan.assignments).toHaveLength(5); // never more than replicas + max_surge
  });

  it('rolls back by itself when the new revision is not ready by the deadline, and does not retry it', () => {
    const w = world({ replicas: 2, gpus: 8 });
    change(w, 2, 2000);
    step(w);
    expect(ids(w, 2)).toEqual([2, 3]);
    w.ready.add(2); // one new replica is fine, the other crash-loops
    w.now += 60_000;
    step(w);
    expect(ids(w, 1)).toEqual([0]); // one old retired for the ready new one
    const deadline = Date.parse(w.plan.rollout?.deadline_at ?? '');
    expect(deadline).toBe(w.now + 600_000); // progress moved the deadline
    w.now = deadline;
    const s = step(w);
    const rb = s.events.find((e) => e.level === 'warning');
    expect(rb?.message).toMatch(
      /rollout to r2 rolled back to r1: revision 2 not ready within 600s .*replica\(s\) 3/,
    );
    expect(w.plan.revision).toBe(1);
    expect(w.plan.spec.engine_config.max_model_len).toBe(1000);
    expect(w.plan.rollout).toMatchObject({ phase: 'rolled_back', from_revision: 2, to_revision: 1 });
    expect(w.plan.rollout?.reason).toContain('not ready within 600s');
    // The crashing r2 replica went at once; the ready one serves until an r1 replacement is ready.
    expect(ids(w, 2)).toEqual([2]);
    expect(ids(w, 1)).toHaveLength(2);
    const back = ids(w, 1).find((id) => id !== 0) ?? -1;
    w.ready.add(back);
    step(w);
    expect(ids(w, 2)).toEqual([]);
    expect(w.plan.specs).toBeUndefined();
    expect(w.plan.rollout?.phase).toBe('rolled_back');
    // The deployment still names r2: nothing is tried again until it names another revision.
    w.now += 3_600_000;
    expect(step(w).rolling).toBe(false);
    change(w, 3, 3000);
    step(w);
    expect(w.plan.rollout).toMatchObject({ to_revision: 3, phase: 'progressing', from_revision: 1 });
  });

  it('paused: keeps every assignment as it is', () => {
    const w = world({ replicas: 2, gpus: 8 });
    change(w, 2, 2000);
    step(w);
    const before = ids(w);
    w.deployment = {
      ...w.deployment,
      rollout: rollout({ paused: true }),
    };
    w.ready.add(2);
    w.ready.add(3);
    const s = step(w);
    expect(ids(w)).toEqual(before);
    expect(w.plan.rollout?.phase).toBe('paused');
    expect(messages(s.events)).toContain('paused');
    w.deployment = {
      ...w.deployment,
      rollout: rollout({ paused: false }),
    };
    const r = step(w);
    expect(messages(r.events)).toContain('resumed');
    expect(ids(w)).toEqual([2, 3]);
    expect(w.plan.rollout?.phase).toBe('complete');
  });

  it('recreate: the planner keeps replica ids and every replica restarts on the new revision', () => {
    const w = world({
      replicas: 2,
      gpus: 8,
      deployment: { rollout: rollout({ strategy: 'recreate' }) },
    });
    change(w, 2, 2000);
    expect(step(w).rolling).toBe(false);
  });

  it('a second change mid-rollout: replicas of the middle revision that are not ready go, the newest is rolled out', () => {
    const w = world({ replicas: 2, gpus: 8 });
    change(w, 2, 2000);
    step(w);
    expect(ids(w, 2)).toEqual([2, 3]);
    change(w, 3, 3000);
    step(w);
    expect(ids(w, 2)).toEqual([]);
    expect(ids(w, 1)).toEqual([0, 1]);
    expect(ids(w, 3)).toEqual([2, 3].map((x) => x + 2));
    expect(Object.keys(w.plan.specs ?? {})).toEqual(['1']);
    expect(w.plan.rollout).toMatchObject({ to_revision: 3, phase: 'progressing' });
  });

  it('a change that does not reach the engine (description) moves the replicas to the revision without a restart', () => {
    const w = world({ replicas: 2, gpus: 8 });
    w.spec = { ...w.spec, description: 'now with a description' };
    w.deployment = { ...w.deployment, spec_revision: 2 };
    expect(step(w).rolling).toBe(false);
  });
});

describe('drain that migrates', () => {
  const drain = (replica_id: number): DrainRequest => ({
    model_uid: UID,
    replica_id,
    requested_by: 'user:op',
    requested_at: '2026-01-01T00:00:00.000Z',
    reason: 'replica',
  });

  it('places a replacement first (not on the drained GPU), retires the old one once it is ready, then is done', () => {
    const w = world({ replicas: 2, gpus: 4 });
    w.drains = [drain(1)];
    const s1 = step(w);
    expect(ids(w)).toEqual([0, 1, 2]);
    const repl = w.plan.assignments.find((a) => a.replica_id === 2);
    expect(repl?.gpu_indices).not.toEqual([1]);
    expect(repl?.revision).toBe(1);
    expect(s1.drainsDone).toEqual([]);
    expect(messages(s1.events)).toContain('to replace replica 1 on n1');
    step(w); // not ready yet: the drained one keeps serving
    expect(ids(w)).toEqual([0, 1, 2]);
    w.ready.add(2);
    const s2 = step(w);
    expect(ids(w)).toEqual([0, 2]);
    expect(s2.drainsDone).toEqual([1]);
    expect(messages(s2.events)).toContain('drain of replica 1 done');
    expect(w.plan.rollout).toBeUndefined();
  });

  it('no room for a replacement: an event says so and the replica keeps serving', () => {
    const w = world({ replicas: 2, gpus: 2 });
    w.drains = [drain(0)];
    const s = step(w);
    expect(ids(w)).toEqual([0, 1]);
    expect(s.drainsDone).toEqual([]);
    expect(w.plan.unplaced?.reason).toMatch(/^no room to migrate replica\(s\) 0 \(they keep serving\): /);
    expect(s.events.some((e) => e.type === 'unplaceable')).toBe(true);
    // The same reason again: no new event.
    expect(step(w).events.filter((e) => e.type === 'unplaceable')).toEqual([]);
  });

  it('a node drain migrates every replica of the node, replacements first', () => {
    const nodes = [
      simNode('n1', { gpus: 2 }, nodeSettings('n1', { draining: true, cordoned: true })),
      simNode('n2', { gpus: 2 }),
    ];
    const w = world({ replicas: 2, gpus: 2, nodes });
    step(w);
    expect(ids(w)).toEqual([0, 1, 2, 3]);
    expect(w.plan.assignments.filter((a) => a.replica_id >= 2).every((a) => a.node_id === 'n2')).toBe(true);
    w.ready.add(2);
    step(w);
    expect(ids(w)).toEqual([0, 2, 3]);
    w.ready.add(3);
    step(w);
    expect(ids(w)).toEqual([2, 3]);
    expect(step(w).rolling).toBe(false);
  });

  it('a drain request of a replica the plan does not have is moot', () => {
    const w = world({ replicas: 1, gpus: 2 });
    w.drains = [drain(7)];
    expect(step(w).rolling).toBe(false);
  });
});
