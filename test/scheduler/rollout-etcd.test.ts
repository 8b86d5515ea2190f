/**
 * Rolling updates, automatic rollback and migrating drains through the real scheduler on real etcd. The
 * nodes are fake (leased status keys); "a replica is ready" is an endpoint the test writes, as an agent would.
 */
import { describe, expect, it } from 'vitest';
import type { Clock } from '../../src/core/clock.js';
import { Endpoint } from '../../src/core/domain/endpoint.js';
import { ModelEvent } from '../../src/core/domain/event.js';
import { ModelDeployment, ModelSpec } from '../../src/core/domain/model.js';
import { NodeSettings } from '../../src/core/domain/node.js';
import type { PlacementPlan } from '../../src/core/domain/placement.js';
import { DrainRequest } from '../../src/core/domain/revision.js';
import { keys } from '../../src/core/keys.js';
import { deploymentFor, nodeSettings, specFor } from '../../src/scheduler/fixtures.js';
import type { SchedulerHandle } from '../../src/scheduler/index.js';
import { getJson, listJson, putJson } from '../../src/store/json.js';
import type { Store } from '../../src/store/types.js';
import { useEtcdSuite } from '../helpers/etcd-suite.js';
import { JumpClock } from '../helpers/jump-clock.js';
import { waitFor } from '../helpers/ports.js';
import { fakeNode, readPlan, startTestScheduler } from './helpers.js';

const SPEC = { resources: { gpu_count: 1, gpu_memory_gib: 70 } };

describe('rollouts and drains on real etcd', () => {
  const suite = useEtcdSuite('roll');
  const { cleanups, fresh } = suite;
  const scheduler = async (store: Store, clock?: Clock): Promise<SchedulerHandle> => {
    const h = await startTestScheduler(store, {}, clock);
    cleanups.push(() => h.stop());
    await waitFor(() => h.isLeader(), { what: 'leader', timeoutMs: 10_000 });
    return h;
  };
  const put = async (store: Store, uid: string, d: Partial<ModelDeployment>, len: number) => {
    await putJson(
      store,
      keys.modelSpec(uid),
      ModelSpec,
      specFor(uid, { ...SPEC, engine_config: { max_model_len: len, extra_args: [], env: {} } }),
    );
    await putJson(store, keys.deployment(uid), ModelDeployment, deploymentFor(uid, d));
  };
  /** Marks every planned replica in `ids` ready, as its node would. */
  const ready = async (store: Store, plan: PlacementPlan, ids: number[]) => {
    for (const a of plan.assignments.filter((x) => ids.includes(x.replica_id))) {
      await putJson(store, keys.endpoint(plan.model_uid, a.replica_id), Endpoint, {
        model_uid: plan.model_uid,
        replica_id: a.replica_id,
        node_id: a.node_id,
        address: '127.0.0.1',
        port: a.port,
        engine_type: 'sim',
        served_model_name: plan.model_uid,
        status: 'ready',
        plan_version: plan.plan_version,
        revision: a.revision ?? plan.revision ?? 1,
        gpu_indices: a.gpu_indices,
        restarts: 0,
        updated_at: new Date().toISOString(),
      });
    }
  };
  const planWhere = (store: Store, uid: string, ok: (p: PlacementPlan) => boolean, what: string) =>
    waitFor(
      async () => {
        const p = await readPlan(store, uid);
        return p && ok(p) ? p : undefined;
      },
      { what, timeoutMs: 10_000 },
    );
  const idsOf = (p: PlacementPlan, rev?: number) =>
    p.assignments.filter((a) => rev === undefined || a.revision === rev).map((a) => a.replica_id);

  it('a spec change rolls over replica by replica as the new ones become ready', async () => {
    const store = await fresh();
    await fakeNode(store, 'n1', { gpus: 4 });
    await fakeNode(store, 'n2', { gpus: 4 });
    await scheduler(store);
    await put(store, 'm', { replicas: 2, spec_revision: 1 }, 1000);
    const p1 = await planWhere(store, 'm', (p) => p.assignments.length === 2, 'first plan');
    expect(p1.revision).toBe(1);
    await ready(store, p1, [0, 1]);

    await put(store, 'm', { replicas: 2, spec_revision: 2, generation: 2 }, 2000);
    const p2 = await planWhere(store, 'm', (p) => p.revision === 2, 'surge');
    expect(idsOf(p2, 1)).toEqual([0, 1]);
    expect(idsOf(p2, 2)).toEqual([2, 3]);
    expect(p2.rollout).toMatchObject({
      phase: 'progressing',
      from_revision: 1,
      to_revision: 2,
      max_surge: 2,
    });
    expect(p2.specs?.['1']?.engine_config.max_model_len).toBe(1000);

    await ready(store, p2, [2]);
    const p3 = await planWhere(store, 'm', (p) => idsOf(p, 1).length === 1, 'one old retired');
    await ready(store, p3, [3]);
    const p4 = await planWhere(store, 'm', (p) => p.rollout?.phase === 'complete', 'complete');
    expect(idsOf(p4)).toEqual([2, 3]);
    expect(p4.specs).toBeUndefined();
    const events = await waitFor(
      async () => {
        const evs = (await listJson(store, keys.eventsOf('m'), ModelEvent)).items.map((e) => e.value);
        return evs.some((e) => e.message.includes('complete')) ? evs : undefined;
      },
      { what: 'events', timeoutMs: 5000 },
    );
    expect(events.filter((e) => e.type === 'rollout').map((e) => e.message)).toEqual(
      expect.arrayContaining([
        expect.stringContaining('rolling update r1 -> r2'),
        expect.stringContaining('retiring replica'),
      ]),
    );
  });

  it('a new revision never ready rolls back by itself at the progress deadline (fake clock)', async () => {
    const store = await fresh();
    await fakeNode(store, 'n1', { gpus: 4 });
    const clock = new JumpClock();
    await scheduler(store, clock);
    const policy = {
      strategy: 'rolling' as const,
      progress_deadline_seconds: 60,
      paused: false,
      drain_grace_seconds: 5,
    };
    await put(store, 'c', { replicas: 1, spec_revision: 1, rollout: policy }, 1000);
    const p1 = await planWhere(store, 'c', (p) => p.assignments.length === 1, 'first plan');
    await ready(store, p1, [0]);
    await put(store, 'c', { replicas: 1, spec_revision: 2, generation: 2, rollout: policy }, 2000);
    const p2 = await planWhere(store, 'c', (p) => p.revision === 2, 'surge');
    expect(p2.drain_grace_seconds).toBe(5);
    await clock.jump(61_000);
    const p3 = await planWhere(store, 'c', (p) => p.rollout?.phase === 'rolled_back', 'rolled back');
    expect(p3.revision).toBe(1);
    expect(p3.spec.engine_config.max_model_len).toBe(1000);
    expect(idsOf(p3)).toEqual([0]);
    expect(p3.rollout?.reason).toContain('not ready within 60s');
    const dep = await getJson(store, keys.deployment('c'), ModelDeployment);
    expect(dep?.value.spec_revision).toBe(2); // the scheduler never writes specs or deployments
  });

  it('a drain request migrates the replica: replacement first, then the old one goes and the request is deleted', async () => {
    const store = await fresh();
    await fakeNode(store, 'n1', { gpus: 1 });
    await scheduler(store);
    await put(store, 'd', { replicas: 1, spec_revision: 1 }, 1000);
    const p1 = await planWhere(store, 'd', (p) => p.assignments.length === 1, 'first plan');
    await ready(store, p1, [0]);
    const req: DrainRequest = {
      model_uid: 'd',
      replica_id: 0,
      requested_by: 'user:op',
      requested_at: new Date().toISOString(),
      reason: 'replica',
    };
    await putJson(store, keys.drain('d', 0), DrainRequest, req);
    // No room elsewhere: the replica keeps serving and the plan says why.
    const stuck = await planWhere(store, 'd', (p) => p.unplaced !== null, 'no room');
    expect(stuck.unplaced?.reason).toMatch(/^no room to migrate replica\(s\) 0 \(they keep serving\)/);
    expect(idsOf(stuck)).toEqual([0]);
    // Room appears: the replacement is placed on it, and the old one retires once it is ready.
    await fakeNode(store, 'n2', { gpus: 1 });
    const p2 = await planWhere(store, 'd', (p) => p.assignments.length === 2, 'replacement');
    expect(p2.assignments.find((a) => a.replica_id === 1)?.node_id).toBe('n2');
    await ready(store, p2, [1]);
    const p3 = await planWhere(
      store,
      'd',
      (p) => p.assignments.length === 1 && p.assignments[0]?.replica_id === 1,
      'migrated',
    );
    expect(p3.unplaced).toBeNull();
    await waitFor(async () => (await store.get(keys.drain('d', 0))) === undefined, {
      what: 'request deleted',
      timeoutMs: 5000,
    });
  });

  it('a node drain migrates every replica of the node with replacements first', async () => {
    const store = await fresh();
    await fakeNode(store, 'n1', { gpus: 2 });
    await scheduler(store);
    await put(store, 'e', { replicas: 2, spec_revision: 1 }, 1000);
    const p1 = await planWhere(store, 'e', (p) => p.assignments.length === 2, 'first plan');
    await ready(store, p1, [0, 1]);
    await fakeNode(store, 'n2', { gpus: 2 });
    await putJson(
      store,
      keys.nodeSettings('n1'),
      NodeSettings,
      nodeSettings('n1', { draining: true, cordoned: true }),
    );
    const p2 = await planWhere(store, 'e', (p) => p.assignments.length === 4, 'replacements');
    expect(p2.assignments.filter((a) => a.node_id === 'n2').map((a) => a.replica_id)).toEqual([2, 3]);
    await ready(store, p2, [2, 3]);
    const p3 = await planWhere(
      store,
      'e',
      (p) => p.assignments.every((a) => a.node_id === 'n2') && p.assignments.length === 2,
      'drained',
    );
    expect(idsOf(p3)).toEqual([2, 3]);
  });
});
