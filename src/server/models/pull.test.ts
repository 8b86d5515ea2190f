import { describe, expect, it } from 'vitest';
import type { NodeSettings, NodeStatus, PlacementPlan } from '../../core/domain/index.js';
import {
  cacheEntryFor,
  deploymentFor,
  nodeSettings,
  simNodeStatus,
  specFor,
} from '../../scheduler/fixtures.js';
import { ApiError } from '../errors.js';
import { choosePullNodes, pullTargetOf, type PullChoiceInput } from './pull.js';

type InputOptions = Partial<Omit<PullChoiceInput, 'settings'>> & {
  nodes?: NodeStatus[];
  settings?: NodeSettings[];
};

function input(o: InputOptions = {}) {
  const nodes = o.nodes ?? [
    simNodeStatus('n1', { gpus: 1, gpuGib: 48 }),
    simNodeStatus('n2', { gpus: 1, gpuGib: 48 }),
  ];
  return {
    spec: o.spec ?? specFor('m', { resources: { gpu_count: 1, gpu_memory_gib: 40 } }),
    deployment: o.deployment,
    statuses: new Map(nodes.map((n) => [n.node_id, n])),
    settings: new Map((o.settings ?? []).map((s) => [s.node_id, s])),
    plans: o.plans ?? new Map<string, PlacementPlan>(),
    cache: o.cache ?? [],
    named: o.named,
  } satisfies PullChoiceInput;
}

function refusal(f: () => unknown): { status: number; code: string; message: string } {
  try {
    f();
  } catch (err) {
    if (err instanceof ApiError) return { status: err.status, code: err.code, message: err.message };
    throw err;
  }
  throw new Error('no refusal');
}

describe('choosePullNodes (pure)', () => {
  it('asks the planner: max(1, replicas) replicas, cached nodes first', () => {
    expect(choosePullNodes(input())).toEqual({ nodes: ['n1'], chosenBy: 'planner', unplaced: null });
    // A stopped deployment with 0 replicas still pulls onto one node.
    const zero = deploymentFor('m', { desired_state: 'stopped', replicas: 0 });
    expect(choosePullNodes(input({ deployment: zero })).nodes).toHaveLength(1);
    expect(choosePullNodes(input({ cache: [cacheEntryFor('n2')] })).nodes).toEqual(['n2']);
    const two = deploymentFor('m', { desired_state: 'stopped', replicas: 2 });
    expect(choosePullNodes(input({ deployment: two })).nodes).toEqual(['n1', 'n2']);
  });

  it('follows the node selector and skips cordoned nodes; reports replicas that fit nowhere', () => {
    const nodes = [
      simNodeStatus('n1', { gpus: 1, gpuGib: 48 }),
      simNodeStatus('n2', { gpus: 1, gpuGib: 48, labels: { zone: 'b' } }),
    ];
    const dep = deploymentFor('m', { replicas: 2, node_selector: { zone: 'b' } });
    const r = choosePullNodes(input({ nodes, deployment: dep }));
    expect(r.nodes).toEqual(['n2']);
    expect(r.unplaced?.replicas).toBe(1);
    const cordoned = choosePullNodes(input({ settings: [nodeSettings('n1', { cordoned: true })] }));
    expect(cordoned.nodes).toEqual(['n2']);
  });

  it('refuses with the planner reason when nothing fits (409 PULL_UNPLACEABLE)', () => {
    const big = specFor('m', { resources: { gpu_count: 1, gpu_memory_gib: 100 } });
    const r = refusal(() => choosePullNodes(input({ spec: big })));
    expect(r).toMatchObject({ status: 409, code: 'PULL_UNPLACEABLE' });
    expect(r.message).toMatch(/needs .*100 GiB/);
    expect(refusal(() => choosePullNodes(input({ nodes: [] }))).code).toBe('PULL_UNPLACEABLE');
  });

  it('checks named nodes: alive (404), schedulable (409)', () => {
    expect(choosePullNodes(input({ named: ['n2', 'n1'] }))).toEqual({
      nodes: ['n1', 'n2'],
      chosenBy: 'request',
      unplaced: null,
    });
    expect(refusal(() => choosePullNodes(input({ named: ['n1', 'gone'] })))).toMatchObject({
      status: 404,
      code: 'NODE_NOT_FOUND',
    });
    const settings = [nodeSettings('n2', { draining: true })];
    expect(refusal(() => choosePullNodes(input({ named: ['n2'], settings })))).toMatchObject({
      status: 409,
      code: 'NODE_UNSCHEDULABLE',
    });
  });

  it('has nothing to pull for local models (422) and snapshots the GGUF choice', () => {
    const local = specFor('m', { model_source: 'local', model_path: '/models/m' });
    expect(refusal(() => pullTargetOf(local))).toMatchObject({ status: 422, code: 'NOTHING_TO_PULL' });
    const gguf = specFor('m', { engine_type: 'llamacpp', gguf_quant: 'Q8_0' });
    expect(pullTargetOf(gguf)).toEqual({
      model_name: 'org/m',
      model_source: 'huggingface',
      revision: 'main',
      engine_type: 'llamacpp',
      gguf_quant: 'Q8_0',
    });
  });
});
