import { describe, expect, it } from 'vitest';
import type { ModelDeployment, ModelSpec } from '../../core/domain/model.js';
import type { PlacementPlan } from '../../core/domain/placement.js';
import { ModelRequest, type ModelRequestStatus } from '../../core/domain/request.js';
import { keys } from '../../core/keys.js';
import type { Typed } from '../../store/json.js';
import { desiredWorkloads } from './desired.js';
import { deploymentFor, planOf, simNode, specFor, workload } from '../fixtures.js';
import { computePass, type PassInput } from './pass.js';

const T = '2026-01-01T00:00:00.000Z';

function typed<T>(key: string, value: T, modRevision = 5): Typed<T> {
  return { key, value, modRevision, createRevision: 1, version: 1 };
}

function request(id: string, uid: string, status: ModelRequestStatus, gib = 1, created = T): ModelRequest {
  return ModelRequest.parse({
    request_id: id,
    spec: specFor(uid, { resources: { gpu_count: 1, gpu_memory_gib: gib } }),
    replicas: 1,
    status,
    created_at: created,
    updated_at: created,
  });
}

function input(o: {
  targets?: string[];
  deployments?: ModelDeployment[];
  specs?: ModelSpec[];
  requests?: ModelRequest[];
  plans?: PlacementPlan[];
  ready?: boolean;
}): PassInput {
  const deps = new Map((o.deployments ?? []).map((d) => [d.model_uid, d]));
  const specs = new Map((o.specs ?? []).map((s) => [s.model_uid, s]));
  return {
    now: Date.parse(T),
    knownRevision: 100,
    targets: new Set(o.targets ?? []),
    plans: new Map((o.plans ?? []).map((p) => [p.model_uid, typed(keys.placement(p.model_uid), p)])),
    requests: new Map(
      (o.requests ?? []).map((r) => [r.request_id, typed(keys.modelRequest(r.request_id), r)]),
    ),
    deploymentOf: (uid) => deps.get(uid),
    specOf: (uid) => specs.get(uid),
    nodes: [simNode('n1', { gpus: 1 })],
    heldNodeIds: new Set(),
    cache: [],
    anyReady: () => o.ready ?? false,
  };
}

describe('desiredWorkloads', () => {
  it('running deployments with a spec are workloads; stopped ones and ones without spec are not', () => {
    const d = desiredWorkloads({
      deployments: new Map([
        ['a', deploymentFor('a')],
        ['b', deploymentFor('b', { desired_state: 'stopped' })],
        ['c', deploymentFor('c')],
      ]),
      specs: new Map([
        ['a', specFor('a')],
        ['b', specFor('b')],
      ]),
      requests: new Map(),
    });
    expect([...d.workloads.keys()]).toEqual(['a']);
    expect(d.missingSpecs).toEqual(['c']);
  });

  it('a deployment owns its uid; among requests the scheduled one, then the oldest, wins', () => {
    const d = desiredWorkloads({
      deployments: new Map([['a', deploymentFor('a', { desired_state: 'stopped' })]]),
      specs: new Map(),
      requests: new Map([
        ['r1', request('r1', 'a', 'Pending')],
        ['r2', request('r2', 'b', 'Pending', 1, '2026-01-01T00:00:01.000Z')],
        ['r3', request('r3', 'b', 'Pending', 1, '2026-01-01T00:00:02.000Z')],
        ['r4', request('r4', 'c', 'Pending', 1, '2026-01-01T00:00:00.000Z')],
        ['r5', request('r5', 'c', 'Running', 1, '2026-01-01T00:00:09.000Z')],
      ]),
    });
    expect(d.refused.get('r1')).toBe('model_uid a is managed by a deployment');
    expect(d.workloads.get('b')?.request_id).toBe('r2');
    expect(d.refused.get('r3')).toBe('model_uid b is already loaded by request r2');
    expect(d.workloads.get('c')?.request_id).toBe('r5');
    expect(d.refused.has('r4')).toBe(true);
  });
});

describe('computePass', () => {
  it('writes a plan for a new running deployment, with one txn per model', () => {
    const out = computePass(
      input({ targets: ['a'], deployments: [deploymentFor('a', { replicas: 1 })], specs: [specFor('a')] }),
    );
    expect(out.ops).toHaveLength(1);
    expect(out.ops[0]?.planPut).toMatchObject({ model_uid: 'a', plan_version: 101, source: 'deployment' });
    expect(out.ops[0]?.events.map((e) => e.type)).toEqual(['scheduled']);
  });

  it('writes nothing for an unchanged model', () => {
    const w = workload('a');
    const first = computePass(input({ targets: ['a'], deployments: [deploymentFor('a')], specs: [w.spec] }));
    const plan = first.ops[0]!.planPut!;
    const again = computePass(
      input({ targets: ['a'], deployments: [deploymentFor('a')], specs: [w.spec], plans: [plan] }),
    );
    expect(again.ops).toEqual([]);
  });

  it('removes the plan of a stopped or deleted deployment, but not of one whose spec is missing', () => {
    const p = planOf(workload('a'), []);
    const stopped = computePass(
      input({ targets: ['a'], deployments: [deploymentFor('a', { desired_state: 'stopped' })], plans: [p] }),
    );
    expect(stopped.ops[0]).toMatchObject({ planDelete: true });
    expect(stopped.ops[0]?.events[0]?.message).toContain('deployment is stopped');
    const deleted = computePass(input({ targets: ['a'], plans: [p] }));
    expect(deleted.ops[0]?.events[0]?.message).toContain('deployment deleted');
    const noSpec = computePass(input({ targets: ['a'], deployments: [deploymentFor('a')], plans: [p] }));
    expect(noSpec.ops).toEqual([]);
    expect(noSpec.missingSpecs).toEqual(['a']);
  });

  it('Pending request: plan and Scheduled in one txn', () => {
    const out = computePass(input({ requests: [request('r1', 'v', 'Pending')] }));
    expect(out.ops).toHaveLength(1);
    expect(out.ops[0]?.planPut).toMatchObject({ source: 'request', request_id: 'r1', generation: 0 });
    expect(out.ops[0]?.requestPut).toMatchObject({ status: 'Scheduled' });
    expect(out.ops[0]?.requestPut?.reason).toBeUndefined();
  });

  it('Pending request that fits nowhere: Failed with the reason, no plan', () => {
    const out = computePass(input({ requests: [request('r1', 'v', 'Pending', 500)] }));
    expect(out.ops[0]?.planPut).toBeUndefined();
    expect(out.ops[0]?.requestPut).toMatchObject({ status: 'Failed' });
    expect(out.ops[0]?.requestPut?.reason).toContain('needs 1 x 500 GiB');
  });

  it('Scheduled request with a ready endpoint: Running', () => {
    const r = request('r1', 'v', 'Scheduled');
    const plan = {
      ...planOf(workload('v'), [
        { replica_id: 0, node_id: 'n1', gpu_indices: [0], gpu_memory_bytes: 1024 ** 3, port: 40000 },
      ]),
    };
    const p: PlacementPlan = { ...plan, source: 'request', request_id: 'r1', generation: 0, spec: r.spec };
    expect(computePass(input({ requests: [r], plans: [p], ready: false })).ops).toEqual([]);
    const out = computePass(input({ requests: [r], plans: [p], ready: true }));
    expect(out.ops).toHaveLength(1);
    expect(out.ops[0]?.requestPut?.status).toBe('Running');
  });

  it('Unloading request: plan delete and request delete in one txn', () => {
    const r = request('r1', 'v', 'Unloading');
    const p: PlacementPlan = {
      ...planOf(workload('v'), []),
      source: 'request',
      request_id: 'r1',
      generation: 0,
    };
    const out = computePass(input({ requests: [r], plans: [p] }));
    expect(out.ops).toHaveLength(1);
    expect(out.ops[0]).toMatchObject({ planDelete: true, requestDelete: true });
  });

  it('a request for a uid owned by a deployment fails without touching the deployment plan', () => {
    const out = computePass(
      input({
        requests: [request('r1', 'a', 'Pending')],
        deployments: [deploymentFor('a')],
        specs: [specFor('a')],
      }),
    );
    const reqOp = out.ops.find((o) => o.id === 'req:r1');
    expect(reqOp?.requestPut).toMatchObject({
      status: 'Failed',
      reason: 'model_uid a is managed by a deployment',
    });
    expect(reqOp?.planPut).toBeUndefined();
    expect(out.ops.find((o) => o.id === 'a')?.planPut?.source).toBe('deployment');
  });
});

describe('computePass: revisions', () => {
  const w = workload('r', { replicas: 2 });
  const a = (id: number, gpu: number) => ({
    replica_id: id,
    node_id: 'n1',
    gpu_indices: [gpu],
    gpu_memory_bytes: 2 ** 30,
    port: 40000 + id,
  });
  const changed = specFor('r', { engine_config: { max_model_len: 4096, extra_args: [], env: {} } });
  const base = (o: Partial<ModelDeployment>) =>
    input({
      targets: ['r'],
      deployments: [deploymentFor('r', { replicas: 2, ...o })],
      specs: [changed],
      plans: [planOf(w, [a(0, 0), a(1, 0)])],
    });

  it('recreate: same replica ids, every assignment on the new revision, a complete rollout recorded', () => {
    const out = computePass(
      base({
        spec_revision: 2,
        rollout: {
          strategy: 'recreate',
          paused: false,
          progress_deadline_seconds: 600,
          drain_grace_seconds: 7,
        },
      }),
    );
    const plan = out.ops[0]?.planPut;
    expect(plan?.assignments.map((x) => [x.replica_id, x.revision])).toEqual([
      [0, 2],
      [1, 2],
    ]);
    expect(plan?.revision).toBe(2);
    expect(plan?.drain_grace_seconds).toBe(7);
    expect(plan?.rollout).toMatchObject({ from_revision: 1, to_revision: 2, phase: 'complete' });
  });

  it('without spec_revision a change of the launch identity is revision plan.revision+1, rolled out with surge', () => {
    const inp = base({});
    // Both old replicas serve: they stay until replacements are ready.
    inp.endpointsOf = () => [0, 1].map((id) => ({ replica_id: id, node_id: 'n1', status: 'ready' as const }));
    const out = computePass(inp);
    const plan = out.ops[0]?.planPut;
    expect(plan?.revision).toBe(2);
    expect(plan?.assignments.map((x) => [x.replica_id, x.revision])).toEqual([
      [0, 1],
      [1, 1],
      [2, 2],
      [3, 2],
    ]);
    expect(plan?.specs?.['1']?.engine_config.max_model_len).toBeUndefined();
    expect(out.wakeAt.get('r')).toBe(Date.parse(T) + 600_000 + 10);
    expect(out.ops[0]?.events.map((e) => e.type)).toContain('rollout');
  });

  it('deletes drain requests of models nothing runs', () => {
    const inp = input({ targets: ['gone'] });
    inp.drainsOf = (uid) =>
      uid === 'gone'
        ? [{ model_uid: 'gone', replica_id: 0, requested_by: 'user:x', requested_at: T, reason: 'replica' }]
        : [];
    const out = computePass(inp);
    expect(out.ops.map((o) => o.drainDeletes)).toEqual([[keys.drain('gone', 0)]]);
  });
});
