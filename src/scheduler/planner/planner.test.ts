import { describe, expect, it } from 'vitest';
import { GIB } from '../../core/domain/common.js';
import type { ModelCacheEntry } from '../../core/domain/cache.js';
import type { PlacementPlan } from '../../core/domain/placement.js';
import { nodeSettings, planOf, simNode, workload } from '../fixtures.js';
import { planModel, planWorkloads } from './planner.js';
import type { ClusterNode, ClusterState, PlanDecision, Workload } from '../types.js';

function state(
  nodes: ClusterNode[],
  plans: PlacementPlan[] = [],
  extra: Partial<ClusterState> = {},
): ClusterState {
  return { nodes, plans: new Map(plans.map((p) => [p.model_uid, p])), ...extra };
}

/** Applies decisions as the controller would and returns the new plans map. */
function apply(s: ClusterState, ws: Workload[], ds: PlanDecision[]): Map<string, PlacementPlan> {
  const plans = new Map(s.plans);
  for (const d of ds) {
    const w = ws.find((x) => x.model_uid === d.model_uid)!;
    plans.set(d.model_uid, planOf(w, d.assignments));
  }
  return plans;
}

describe('planner: fitting', () => {
  it('places a replica on a GPU with a port from the range', () => {
    const d = planModel(state([simNode('n1', { gpus: 2 })]), workload('a', { gpuGib: 20 }));
    expect(d.unplaced).toBeNull();
    expect(d.assignments).toEqual([
      { replica_id: 0, node_id: 'n1', gpu_indices: [0], gpu_memory_bytes: 20 * GIB, port: 40000 },
    ]);
    expect(d.added).toHaveLength(1);
  });

  it('places exactly `replicas` assignments with distinct ports', () => {
    const d = planModel(state([simNode('n1', { gpus: 2 })]), workload('a', { gpuGib: 10, replicas: 5 }));
    expect(d.assignments).toHaveLength(5);
    expect(d.assignments.map((a) => a.replica_id)).toEqual([0, 1, 2, 3, 4]);
    expect(new Set(d.assignments.map((a) => a.port)).size).toBe(5);
  });

  it('refuses what does not fit and says why (best node and its free GPUs)', () => {
    const s = state([
      simNode('n1', { gpus: 2, usedGib: [70, 70] }),
      simNode('n3', { gpus: 2, usedGib: [0, 75] }),
    ]);
    const d = planModel(s, workload('big', { gpuCount: 2, gpuGib: 40 }));
    expect(d.assignments).toEqual([]);
    expect(d.unplaced).toEqual({
      replicas: 1,
      reason: 'needs 2 x 40 GiB on one node; best node n3 has 1 x 80 GiB + 1 x 5 GiB free',
    });
  });

  it('places what fits and reports the rest as unplaced', () => {
    const d = planModel(state([simNode('n1', { gpus: 1 })]), workload('a', { gpuGib: 30, replicas: 4 }));
    expect(d.assignments).toHaveLength(2);
    expect(d.unplaced).toEqual({
      replicas: 2,
      reason: 'needs 1 x 30 GiB on one node; best node n1 has 1 x 20 GiB free',
    });
  });

  it('says "no nodes registered" on an empty cluster', () => {
    expect(planModel(state([]), workload('a')).unplaced?.reason).toBe('no nodes registered');
  });

  it('says when a replica needs more GPUs than any node has', () => {
    const d = planModel(
      state([simNode('n1', { gpus: 2 }), simNode('n2', { gpus: 4 })]),
      workload('a', { gpuCount: 8 }),
    );
    expect(d.unplaced?.reason).toBe('needs 8 GPUs on one node; nodes have at most 4');
  });

  it('accounts for memory used by others on a GPU', () => {
    const d = planModel(
      state([simNode('n1', { gpus: 2, usedGib: [50, 10] })]),
      workload('a', { gpuGib: 40 }),
    );
    expect(d.assignments[0]?.gpu_indices).toEqual([1]);
    const none = planModel(state([simNode('n1', { gpus: 1, usedGib: [50] })]), workload('a', { gpuGib: 40 }));
    expect(none.unplaced?.reason).toContain('best node n1 has 1 x 30 GiB free');
  });

  it('does not count Nebula reservations twice when the node reports them as used', () => {
    // n1's GPU 0 holds a 40 GiB reservation that the engine is using: 40 GiB are left, not 0.
    const other = workload('other', { gpuGib: 40 });
    const plan = planOf(other, [
      { replica_id: 0, node_id: 'n1', gpu_indices: [0], gpu_memory_bytes: 40 * GIB, port: 40000 },
    ]);
    const s = state([simNode('n1', { gpus: 1, usedGib: [40] })], [plan]);
    expect(planModel(s, workload('a', { gpuGib: 40 })).assignments[0]?.gpu_indices).toEqual([0]);
  });

  it('counts reservations of other plans even before their engines use the memory', () => {
    const other = workload('other', { gpuGib: 60 });
    const plan = planOf(other, [
      { replica_id: 0, node_id: 'n1', gpu_indices: [0], gpu_memory_bytes: 60 * GIB, port: 40000 },
    ]);
    const d = planModel(state([simNode('n1', { gpus: 1 })], [plan]), workload('a', { gpuGib: 30 }));
    expect(d.unplaced?.reason).toContain('has 1 x 20 GiB free');
  });

  it('places CPU-only replicas (gpu_count 0) with a port and no GPU', () => {
    const d = planModel(state([simNode('n1', { gpus: 0 })]), workload('cpu', { gpuCount: 0, replicas: 2 }));
    expect(d.assignments.map((a) => [a.gpu_indices, a.gpu_memory_bytes])).toEqual([
      [[], 0],
      [[], 0],
    ]);
  });
});

describe('planner: multi-GPU and fragmentation', () => {
  it('puts a tensor-parallel replica on GPUs of one node', () => {
    const d = planModel(state([simNode('n1', { gpus: 4 })]), workload('tp', { gpuCount: 4, gpuGib: 60 }));
    expect(d.assignments).toEqual([
      { replica_id: 0, node_id: 'n1', gpu_indices: [0, 1, 2, 3], gpu_memory_bytes: 60 * GIB, port: 40000 },
    ]);
  });

  it('never splits a replica across nodes even when the cluster has enough GPUs in total', () => {
    const d = planModel(
      state([simNode('n1', { gpus: 1 }), simNode('n2', { gpus: 1 })]),
      workload('tp', { gpuCount: 2, gpuGib: 10 }),
    );
    expect(d.assignments).toEqual([]);
    expect(d.unplaced?.reason).toBe('needs 2 GPUs on one node; nodes have at most 1');
  });

  it('fragmentation: enough free memory in total but not on enough GPUs', () => {
    // 4 GPUs with 30 GiB free each = 120 GiB free, but a 2 x 40 GiB replica fits nowhere.
    const d = planModel(
      state([simNode('n1', { gpus: 4, usedGib: [50, 50, 50, 50] })]),
      workload('a', { gpuCount: 2, gpuGib: 40 }),
    );
    expect(d.unplaced?.reason).toBe('needs 2 x 40 GiB on one node; best node n1 has 2 x 30 GiB free');
  });

  it('binpack fills the tightest GPU first to keep whole GPUs for big models', () => {
    const s = state([simNode('n1', { gpus: 2, usedGib: [0, 60] })]);
    const small = planModel(s, workload('small', { gpuGib: 10 }));
    expect(small.assignments[0]?.gpu_indices).toEqual([1]);
  });

  it('a sequence of models packs GPUs without overcommitting any', () => {
    const ws = ['a', 'b', 'c', 'd', 'e'].map((u) => workload(u, { gpuGib: 30, replicas: 1 }));
    const ds = planWorkloads(state([simNode('n1', { gpus: 2 })]), ws);
    const perGpu = new Map<number, number>();
    for (const d of ds)
      for (const a of d.assignments)
        for (const g of a.gpu_indices) perGpu.set(g, (perGpu.get(g) ?? 0) + a.gpu_memory_bytes);
    for (const v of perGpu.values()) expect(v).toBeLessThanOrEqual(80 * GIB);
    expect(ds.filter((d) => d.assignments.length === 1)).toHaveLength(4);
    expect(ds.find((d) => d.model_uid === 'e')?.unplaced?.reason).toBe(
      'needs 1 x 30 GiB on one node; best node n1 has 1 x 20 GiB free',
    );
  });

  it('a model of unknown size takes whole idle GPUs and reserves what is free on them', () => {
    const w = workload('x', { spec: { engine_type: 'vllm', model_name: 'org/mystery' } });
    const d = planModel(state([simNode('n1', { gpus: 2, usedGib: [30, 0] })]), w);
    expect(d.assignments[0]).toMatchObject({ gpu_indices: [1], gpu_memory_bytes: 80 * GIB });
    const none = planModel(state([simNode('n1', { gpus: 1, usedGib: [30] })]), w);
    expect(none.unplaced?.reason).toContain('whole free GPU');
  });
});

describe('planner: ports', () => {
  it('skips ports the node reports in use and its admin port', () => {
    const n = simNode('n1', {
      portStart: 40000,
      portEnd: 40010,
      portsInUse: [40000, 40002],
      adminPort: 40001,
    });
    const d = planModel(state([n]), workload('a', { replicas: 2 }));
    expect(d.assignments.map((a) => a.port)).toEqual([40003, 40004]);
  });

  it('never reuses a port held by another plan on the same node', () => {
    const other = workload('other');
    const plan = planOf(other, [
      { replica_id: 0, node_id: 'n1', gpu_indices: [0], gpu_memory_bytes: GIB, port: 40000 },
    ]);
    const d = planModel(state([simNode('n1')], [plan]), workload('a'));
    expect(d.assignments[0]?.port).toBe(40001);
  });

  it('the same port on different nodes is fine', () => {
    const d = planModel(
      state([simNode('n1', { gpus: 1 }), simNode('n2', { gpus: 1 })]),
      workload('a', { gpuGib: 50, replicas: 2 }),
    );
    expect(d.assignments.map((a) => [a.node_id, a.port])).toEqual([
      ['n1', 40000],
      ['n2', 40000],
    ]);
  });

  it('refuses when the port range is used up and says so', () => {
    const n = simNode('n1', { portStart: 40000, portEnd: 40001 });
    const d = planModel(state([n]), workload('a', { replicas: 3 }));
    expect(d.assignments).toHaveLength(2);
    expect(d.unplaced?.reason).toBe('no free port on node n1 (port range 40000-40001 in use)');
  });

  it('gives a kept replica a new port when another process took its port', () => {
    const w = workload('a');
    const prev = planOf(w, [
      { replica_id: 0, node_id: 'n1', gpu_indices: [0], gpu_memory_bytes: GIB, port: 40000 },
    ]);
    const d = planModel(state([simNode('n1', { portsInUse: [40000] })], [prev]), w);
    expect(d.assignments).toEqual([
      { replica_id: 0, node_id: 'n1', gpu_indices: [0], gpu_memory_bytes: GIB, port: 40001 },
    ]);
    expect(d.moved[0]?.why).toBe('port 40000 is used by another process');
  });

  it('resolves two plans that claim the same port on one node', () => {
    const a = workload('a');
    const b = workload('b');
    const same = { replica_id: 0, node_id: 'n1', gpu_indices: [0], gpu_memory_bytes: GIB, port: 40000 };
    const ds = planWorkloads(state([simNode('n1')], [planOf(a, [same]), planOf(b, [same])]), [a, b]);
    const ports = ds.map((d) => d.assignments[0]?.port);
    expect(new Set(ports).size).toBe(2);
    expect(ds[0]?.kept).toEqual([0]);
  });
});

describe('planner: strategies', () => {
  const nodes = () => [simNode('n1', { gpus: 2 }), simNode('n2', { gpus: 2 }), simNode('n3', { gpus: 2 })];
  const existing = () => {
    const o = workload('o', { gpuGib: 40 });
    return planOf(o, [
      { replica_id: 0, node_id: 'n2', gpu_indices: [0], gpu_memory_bytes: 40 * GIB, port: 40000 },
    ]);
  };

  it('binpack puts replicas on the fullest node that fits', () => {
    const d = planModel(state(nodes(), [existing()]), workload('a', { gpuGib: 10, replicas: 3 }));
    expect(d.assignments.map((a) => a.node_id)).toEqual(['n2', 'n2', 'n2']);
  });

  it('spread puts replicas of one model on different nodes, least loaded first', () => {
    const d = planModel(
      state(nodes(), [existing()]),
      workload('a', { gpuGib: 10, replicas: 3, strategy: 'spread' }),
    );
    expect(d.assignments.map((a) => a.node_id)).toEqual(['n1', 'n3', 'n2']);
  });

  it('spread shares a node only when there is no other choice', () => {
    const d = planModel(
      state([simNode('n1', { gpus: 2 }), simNode('n2', { gpus: 2 })]),
      workload('a', { gpuGib: 10, replicas: 3, strategy: 'spread' }),
    );
    const perNode = d.assignments.map((a) => a.node_id).sort();
    expect(perNode).toEqual(['n1', 'n1', 'n2']);
  });

  it('spread picks the emptiest GPUs on a node', () => {
    const d = planModel(
      state([simNode('n1', { gpus: 2, usedGib: [40, 0] })]),
      workload('a', { gpuGib: 10, strategy: 'spread' }),
    );
    expect(d.assignments[0]?.gpu_indices).toEqual([1]);
  });
});

describe('planner: cache affinity', () => {
  const entry = (node: string, complete = true, name = 'org/a'): ModelCacheEntry => ({
    node_id: node,
    model_name: name,
    source: 'huggingface',
    layout: 'huggingface',
    revision: 'main',
    path: '/cache',
    size_bytes: 1,
    file_count: 1,
    complete,
    scanned_at: '2026-01-01T00:00:00.000Z',
  });

  it('prefers a node that has a complete copy of the model', () => {
    const s = state([simNode('n1'), simNode('n2'), simNode('n3')], [], {
      cache: [entry('n3'), entry('n2', false)],
    });
    expect(planModel(s, workload('a')).assignments[0]?.node_id).toBe('n3');
  });

  it('ignores incomplete copies and other models', () => {
    const s = state([simNode('n1'), simNode('n2')], [], {
      cache: [entry('n2', false), entry('n2', true, 'org/b')],
    });
    expect(planModel(s, workload('a')).assignments[0]?.node_id).toBe('n1');
  });

  it('falls back to other nodes when the cached node is full', () => {
    const s = state([simNode('n1', { gpus: 1 }), simNode('n2', { gpus: 1, usedGib: [79] })], [], {
      cache: [entry('n2')],
    });
    expect(planModel(s, workload('a', { gpuGib: 10 })).assignments[0]?.node_id).toBe('n1');
  });
});

describe('planner: cordon, drain, node selector, lost nodes', () => {
  it('gives no new replica to a cordoned node but keeps the ones it has', () => {
    const w = workload('a', { replicas: 2 });
    const prev = planOf(w, [
      { replica_id: 0, node_id: 'n1', gpu_indices: [0], gpu_memory_bytes: GIB, port: 40000 },
    ]);
    const s = state([simNode('n1', {}, nodeSettings('n1', { cordoned: true })), simNode('n2')], [prev]);
    const d = planModel(s, w);
    expect(d.kept).toEqual([0]);
    expect(d.added.map((a) => a.node_id)).toEqual(['n2']);
  });

  it('says "all nodes cordoned" when no node takes replicas', () => {
    const s = state([
      simNode('n1', {}, nodeSettings('n1', { cordoned: true })),
      simNode('n2', {}, nodeSettings('n2', { draining: true })),
    ]);
    expect(planModel(s, workload('a')).unplaced?.reason).toBe('all nodes cordoned or draining (2)');
  });

  it('moves replicas off a draining node, keeping their replica ids', () => {
    const w = workload('a', { replicas: 2, gpuGib: 10 });
    const prev = planOf(w, [
      { replica_id: 0, node_id: 'n1', gpu_indices: [0], gpu_memory_bytes: 10 * GIB, port: 40000 },
      { replica_id: 1, node_id: 'n2', gpu_indices: [0], gpu_memory_bytes: 10 * GIB, port: 40000 },
    ]);
    const s = state([simNode('n1', {}, nodeSettings('n1', { draining: true })), simNode('n2')], [prev]);
    const d = planModel(s, w);
    expect(d.assignments.map((a) => [a.replica_id, a.node_id])).toEqual([
      [0, 'n2'],
      [1, 'n2'],
    ]);
    expect(d.kept).toEqual([1]);
    expect(d.moved).toHaveLength(1);
    expect(d.moved[0]).toMatchObject({ replica_id: 0, why: 'node n1 is draining' });
  });

  it('a drained replica with nowhere to go becomes unplaced', () => {
    const w = workload('a');
    const prev = planOf(w, [
      { replica_id: 0, node_id: 'n1', gpu_indices: [0], gpu_memory_bytes: GIB, port: 40000 },
    ]);
    const d = planModel(state([simNode('n1', {}, nodeSettings('n1', { draining: true }))], [prev]), w);
    expect(d.assignments).toEqual([]);
    expect(d.removed).toHaveLength(1);
    expect(d.unplaced?.reason).toBe('all nodes cordoned or draining (1)');
  });

  it('matches node_selector against status labels merged with settings labels', () => {
    const nodes = [
      simNode('n1', { labels: { gpu: 'a100' } }, nodeSettings('n1', { labels: { gpu: 'h100' } })),
      simNode('n2', { labels: { gpu: 'h100' } }),
      simNode('n3', { gpus: 1 }, nodeSettings('n3', { labels: { gpu: 'a100' } })),
    ];
    const d = planModel(state(nodes), workload('a', { selector: { gpu: 'a100' }, replicas: 2, gpuGib: 50 }));
    expect(d.assignments.map((a) => a.node_id)).toEqual(['n3']);
    expect(d.unplaced).toEqual({ replicas: 1, reason: expect.stringContaining('best node n3') });
  });

  it('says when no node matches node_selector', () => {
    const d = planModel(
      state([simNode('n1', { labels: { gpu: 'h100' } })]),
      workload('a', { selector: { gpu: 'a100' } }),
    );
    expect(d.unplaced?.reason).toBe('no node matches node_selector gpu=a100');
  });

  it('mentions matching nodes that are cordoned', () => {
    const nodes = [
      simNode('n1', { labels: { gpu: 'a100' } }, nodeSettings('n1', { cordoned: true })),
      simNode('n2'),
    ];
    expect(planModel(state(nodes), workload('a', { selector: { gpu: 'a100' } })).unplaced?.reason).toBe(
      'no node matches node_selector gpu=a100 (1 matching node(s) cordoned)',
    );
  });

  it('moves a replica whose node no longer matches the selector', () => {
    const w = workload('a', { selector: { zone: 'b' } });
    const prev = planOf(w, [
      { replica_id: 0, node_id: 'n1', gpu_indices: [0], gpu_memory_bytes: GIB, port: 40000 },
    ]);
    const d = planModel(
      state([simNode('n1', { labels: { zone: 'a' } }), simNode('n2', { labels: { zone: 'b' } })], [prev]),
      w,
    );
    expect(d.assignments[0]?.node_id).toBe('n2');
    expect(d.moved[0]?.why).toBe('node n1 does not match node_selector zone=b');
  });

  it('re-places replicas of a lost node, but keeps those of held nodes', () => {
    const w = workload('a', { replicas: 2 });
    const prev = planOf(w, [
      { replica_id: 0, node_id: 'gone', gpu_indices: [0], gpu_memory_bytes: GIB, port: 40000 },
      { replica_id: 1, node_id: 'away', gpu_indices: [0], gpu_memory_bytes: GIB, port: 40000 },
    ]);
    const d = planModel(state([simNode('n1')], [prev], { heldNodeIds: new Set(['away']) }), w);
    expect(d.assignments.map((a) => [a.replica_id, a.node_id])).toEqual([
      [0, 'n1'],
      [1, 'away'],
    ]);
    expect(d.moved[0]?.why).toBe('node gone is gone');
    expect(d.kept).toEqual([1]);
  });
});

describe('planner: stability, scale up and down', () => {
  const nodes = () => [simNode('n1', { gpus: 2 }), simNode('n2', { gpus: 2 })];

  it('a replan of an unchanged model changes nothing', () => {
    const ws = [
      workload('a', { replicas: 3, gpuGib: 30 }),
      workload('b', { replicas: 2, gpuGib: 50, strategy: 'spread' }),
    ];
    const s1 = state(nodes());
    const first = planWorkloads(s1, ws);
    const s2 = state(nodes(), [...apply(s1, ws, first).values()]);
    const second = planWorkloads(s2, ws);
    for (const [i, d] of second.entries()) {
      expect(d.assignments).toEqual(first[i]?.assignments);
      expect(d.added).toEqual([]);
      expect(d.moved).toEqual([]);
      expect(d.removed).toEqual([]);
    }
  });

  it('keeps existing replicas where they are even when a better node appears', () => {
    const w = workload('a', { gpuGib: 10 });
    const prev = planOf(w, [
      { replica_id: 0, node_id: 'n2', gpu_indices: [1], gpu_memory_bytes: 10 * GIB, port: 40007 },
    ]);
    const d = planModel(state([simNode('n1'), simNode('n2')], [prev], { cache: [] }), w);
    expect(d.assignments).toEqual(prev.assignments);
    expect(d.kept).toEqual([0]);
  });

  it('scale up adds replicas with the next replica ids and keeps the others', () => {
    const w1 = workload('a', { replicas: 2, gpuGib: 10 });
    const s = state(nodes());
    const d1 = planModel(s, w1);
    const w2 = workload('a', { replicas: 4, gpuGib: 10 });
    const d2 = planModel(state(nodes(), [...apply(s, [w1], [d1]).values()]), w2);
    expect(d2.kept).toEqual([0, 1]);
    expect(d2.added.map((a) => a.replica_id)).toEqual([2, 3]);
    expect(d2.assignments.slice(0, 2)).toEqual(d1.assignments);
  });

  it('scale down removes the highest replica ids', () => {
    const w = workload('a', { replicas: 4, gpuGib: 10 });
    const s = state(nodes());
    const d1 = planModel(s, w);
    const d2 = planModel(
      state(nodes(), [...apply(s, [w], [d1]).values()]),
      workload('a', { replicas: 1, gpuGib: 10 }),
    );
    expect(d2.assignments).toEqual([d1.assignments[0]]);
    expect(d2.removed.map((a) => a.replica_id)).toEqual([1, 2, 3]);
  });

  it('scale to zero empties the plan without an unplaced reason', () => {
    const w = workload('a', { replicas: 2 });
    const s = state(nodes());
    const d1 = planModel(s, w);
    const d2 = planModel(state(nodes(), [...apply(s, [w], [d1]).values()]), workload('a', { replicas: 0 }));
    expect(d2.assignments).toEqual([]);
    expect(d2.unplaced).toBeNull();
  });

  it('re-places replicas when the spec needs a different size, preferring the same node', () => {
    const w = workload('a', { gpuGib: 10 });
    const prev = planOf(w, [
      { replica_id: 0, node_id: 'n2', gpu_indices: [0], gpu_memory_bytes: 10 * GIB, port: 40000 },
    ]);
    const d = planModel(state(nodes(), [prev]), workload('a', { gpuGib: 20 }));
    expect(d.assignments[0]).toMatchObject({ replica_id: 0, node_id: 'n2', gpu_memory_bytes: 20 * GIB });
    expect(d.moved[0]?.why).toBe('needs 20 GiB per GPU now');
  });

  it('existing replicas keep their GPUs when new models compete for room', () => {
    // 'z' is planned together with a new model 'a' that sorts first: 'z' must not lose its GPU.
    const z = workload('z', { gpuGib: 70 });
    const prev = planOf(z, [
      { replica_id: 0, node_id: 'n1', gpu_indices: [0], gpu_memory_bytes: 70 * GIB, port: 40000 },
    ]);
    const ds = planWorkloads(state([simNode('n1', { gpus: 1 })], [prev]), [workload('a', { gpuGib: 70 }), z]);
    expect(ds.find((d) => d.model_uid === 'z')?.kept).toEqual([0]);
    expect(ds.find((d) => d.model_uid === 'a')?.unplaced?.replicas).toBe(1);
  });

  it('moving replicas are placed before new replicas of other models', () => {
    const z = workload('z', { gpuGib: 70 });
    const prev = planOf(z, [
      { replica_id: 0, node_id: 'dead', gpu_indices: [0], gpu_memory_bytes: 70 * GIB, port: 40000 },
    ]);
    const ds = planWorkloads(state([simNode('n1', { gpus: 1 })], [prev]), [workload('a', { gpuGib: 70 }), z]);
    expect(ds.find((d) => d.model_uid === 'z')?.assignments[0]?.node_id).toBe('n1');
    expect(ds.find((d) => d.model_uid === 'a')?.assignments).toEqual([]);
  });

  it('is deterministic: the same input gives the same output', () => {
    const ws = Array.from({ length: 20 }, (_, i) =>
      workload(`m${i}`, { gpuGib: 5 + (i % 7) * 10, replicas: 1 + (i % 3) }),
    );
    const nodesList = [simNode('n1'), simNode('n2'), simNode('n3')];
    expect(planWorkloads(state(nodesList), ws)).toEqual(planWorkloads(state(nodesList), [...ws].reverse()));
  });
});

describe('planner: engines per node', () => {
  const llama = (o: Parameters<typeof workload>[1] = {}) =>
    workload('g', { gpuGib: 10, ...o, spec: { engine_type: 'llamacpp', ...o.spec } });
  const LLAMA_REASON =
    'no schedulable node has engine llamacpp; install it with: nebula engine install llamacpp';

  it.each<{
    name: string;
    nodes: ClusterNode[];
    engine: 'llamacpp' | 'vllm' | 'sglang' | 'sim';
    node: string | null;
    reason?: RegExp | string;
  }>([
    {
      name: 'places on the node that has the engine, even when another has more room',
      nodes: [
        simNode('big', { gpus: 8, engines: ['vllm'] }),
        simNode('small', { gpus: 1, usedGib: [60], engines: ['llamacpp'] }),
      ],
      engine: 'llamacpp',
      node: 'small',
    },
    {
      name: 'leaves it unplaced, with the install command, when no node has llama-server',
      nodes: [simNode('n1', { engines: [] }), simNode('n2', { engines: ['vllm'] })],
      engine: 'llamacpp',
      node: null,
      reason: LLAMA_REASON,
    },
    {
      name: 'names --engine-bin for vllm',
      nodes: [simNode('n1', { engines: ['llamacpp'] })],
      engine: 'vllm',
      node: null,
      reason:
        /^no schedulable node has engine vllm; install vllm on a node and start it with --engine-bin vllm=/,
    },
    {
      name: 'names --engine-bin sglang=/path/to/python3 for sglang',
      nodes: [simNode('n1', { engines: ['vllm'] })],
      engine: 'sglang',
      node: null,
      reason: /--engine-bin sglang=\/path\/to\/python3/,
    },
    {
      name: 'sim is on every node that reports engines',
      nodes: [simNode('n1', { engines: [] })],
      engine: 'sim',
      node: 'n1',
    },
    {
      name: 'a node that does not report engines (older agent) takes any engine',
      nodes: [simNode('old')],
      engine: 'sglang',
      node: 'old',
    },
    {
      name: 'an older agent wins over a node that reports engines without this one',
      nodes: [simNode('new', { engines: ['vllm'] }), simNode('old', { gpus: 1 })],
      engine: 'llamacpp',
      node: 'old',
    },
    {
      name: 'the engine reason counts cordoned and selector-mismatched nodes as unschedulable',
      nodes: [
        simNode('c', { engines: ['llamacpp'] }, nodeSettings('c', { cordoned: true })),
        simNode('n1', { engines: ['vllm'] }),
      ],
      engine: 'llamacpp',
      node: null,
      reason: LLAMA_REASON,
    },
    {
      name: 'memory is judged among the nodes with the engine',
      nodes: [
        simNode('free', { engines: [] }),
        simNode('full', { gpus: 1, usedGib: [75], engines: ['llamacpp'] }),
      ],
      engine: 'llamacpp',
      node: null,
      reason: 'needs 1 x 10 GiB on one node; best node full has 1 x 5 GiB free',
    },
  ])('$name', ({ nodes, engine, node, reason }) => {
    const d = planModel(state(nodes), llama({ spec: { engine_type: engine } }));
    if (node === null) {
      expect(d.assignments).toEqual([]);
      expect(d.unplaced?.replicas).toBe(1);
      if (typeof reason === 'string') expect(d.unplaced?.reason).toBe(reason);
      else expect(d.unplaced?.reason).toMatch(reason!);
    } else {
      expect(d.unplaced).toBeNull();
      expect(d.assignments[0]?.node_id).toBe(node);
    }
  });

  it('moves a replica off a node that no longer has its engine, and keeps it where the engine is', () => {
    const w = llama();
    const prev = planOf(w, [
      { replica_id: 0, node_id: 'n1', gpu_indices: [0], gpu_memory_bytes: 10 * GIB, port: 40000 },
    ]);
    const kept = planModel(
      state([simNode('n1', { engines: ['llamacpp'] }), simNode('n2', { engines: ['llamacpp'] })], [prev]),
      w,
    );
    expect(kept.kept).toEqual([0]);
    const moved = planModel(
      state([simNode('n1', { engines: ['vllm'] }), simNode('n2', { engines: ['llamacpp'] })], [prev]),
      w,
    );
    expect(moved.moved).toEqual([
      expect.objectContaining({
        why: 'node n1 no longer has engine llamacpp',
        to: expect.objectContaining({ node_id: 'n2' }),
      }),
    ]);
    // Nowhere to go: it is removed and unplaced with the engine reason.
    const gone = planModel(state([simNode('n1', { engines: ['vllm'] })], [prev]), w);
    expect(gone.removed).toHaveLength(1);
    expect(gone.unplaced).toEqual({ replicas: 1, reason: LLAMA_REASON });
  });
});
