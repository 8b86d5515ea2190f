import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ModelDeployment, ModelSpec } from '../../core/domain/model.js';
import { NodeSettings, NodeStatus } from '../../core/domain/node.js';
import { PlacementPlan } from '../../core/domain/placement.js';
import { ModelRequest } from '../../core/domain/request.js';
import { ModelEvent } from '../../core/domain/event.js';
import { keys, prefixes } from '../../core/keys.js';
import { silentLogger } from '../../core/logger.js';
import { openEmbeddedStore } from '../../store/embedded/index.js';
import { getJson, listJson, putJson } from '../../store/json.js';
import type { Store } from '../../store/types.js';
import { deploymentFor, nodeSettings, simNodeStatus, specFor } from '../fixtures.js';
import { startScheduler, type SchedulerHandle } from '../start.js';
import { waitFor } from '../../../test/helpers/wait-for.js';

/** The scheduler acts within a few passes: poll often, give up after 5 s (the shared waitFor, bound). */
const until = <T>(check: () => Promise<T | undefined | false>, what: string): Promise<T> =>
  waitFor(check, { timeoutMs: 5000, intervalMs: 20, what });

describe('scheduler controller on the embedded store', () => {
  let store: Store;
  let sched: SchedulerHandle;

  beforeEach(async () => {
    store = await openEmbeddedStore({});
    sched = await startScheduler(
      {
        instanceId: 'test',
        metricsPort: 0,
        host: '127.0.0.1',
        gracePeriodMs: 300,
        leaseTtlSeconds: 2,
        debounceMs: 5,
      },
      { store, logger: silentLogger() },
    );
    await until(async () => sched.isLeader(), 'leadership');
  });

  afterEach(async () => {
    await sched.stop();
    await store.close();
  });

  const plan = (uid: string) => getJson(store, keys.placement(uid), PlacementPlan);
  const deploy = async (uid: string, o: Partial<ModelDeployment> = {}, spec: Partial<ModelSpec> = {}) => {
    await putJson(store, keys.modelSpec(uid), ModelSpec, specFor(uid, spec));
    await putJson(store, keys.deployment(uid), ModelDeployment, deploymentFor(uid, o));
  };

  it('plans a running deployment, scales it, stops it, and keeps plan_version growing', async () => {
    await putJson(store, keys.nodeStatus('n1'), NodeStatus, simNodeStatus('n1', { gpus: 2 }));
    await deploy('m1', { replicas: 2 });
    const p1 = await until(async () => (await plan('m1'))?.value, 'plan');
    expect(p1.assignments).toHaveLength(2);
    expect(p1.source).toBe('deployment');
    expect(p1.spec.model_uid).toBe('m1');

    await putJson(
      store,
      keys.deployment('m1'),
      ModelDeployment,
      deploymentFor('m1', { replicas: 3, generation: 2 }),
    );
    const p2 = await until(async () => {
      const p = (await plan('m1'))?.value;
      return p?.assignments.length === 3 ? p : undefined;
    }, 'scale up');
    expect(p2.plan_version).toBeGreaterThan(p1.plan_version);
    expect(p2.assignments.slice(0, 2)).toEqual(p1.assignments);
    expect(p2.generation).toBe(2);

    await putJson(
      store,
      keys.deployment('m1'),
      ModelDeployment,
      deploymentFor('m1', { desired_state: 'stopped', generation: 3 }),
    );
    await until(async () => !(await plan('m1')), 'plan removed');

    await putJson(
      store,
      keys.deployment('m1'),
      ModelDeployment,
      deploymentFor('m1', { replicas: 1, generation: 4 }),
    );
    const p3 = await until(async () => (await plan('m1'))?.value, 'plan again');
    expect(p3.plan_version).toBeGreaterThan(p2.plan_version);

    await store.delete(keys.deployment('m1'));
    await until(async () => !(await plan('m1')), 'plan removed on delete');

    const events = await listJson(store, keys.eventsOf('m1'), ModelEvent);
    const types = events.items.map((e) => e.value.type);
    expect(types).toContain('scheduled');
    expect(types).toContain('unscheduled');
  });

  it('records unplaceable once with its reason and places when a node appears', async () => {
    await deploy('m2', {}, { resources: { gpu_count: 1, gpu_memory_gib: 100 } });
    const p = await until(async () => (await plan('m2'))?.value, 'plan');
    expect(p.assignments).toEqual([]);
    expect(p.unplaced).toEqual({ replicas: 1, reason: 'no nodes registered' });
    await putJson(store, keys.nodeStatus('n1'), NodeStatus, simNodeStatus('n1', { gpus: 1 }));
    const p2 = await until(async () => {
      const v = (await plan('m2'))?.value;
      return v?.unplaced?.reason.startsWith('needs') ? v : undefined;
    }, 'reason updated');
    expect(p2.unplaced?.reason).toBe('needs 1 x 100 GiB on one node; best node n1 has 1 x 80 GiB free');
    await putJson(store, keys.nodeStatus('n2'), NodeStatus, simNodeStatus('n2', { gpus: 1, gpuGib: 141 }));
    const p3 = await until(async () => {
      const v = (await plan('m2'))?.value;
      return v?.assignments.length === 1 ? v : undefined;
    }, 'placed');
    expect(p3.assignments[0]?.node_id).toBe('n2');
    expect(p3.unplaced).toBeNull();
    const events = await listJson(store, keys.eventsOf('m2'), ModelEvent);
    expect(events.items.filter((e) => e.value.type === 'unplaceable')).toHaveLength(2);
  });

  it('drains a node: its replicas migrate (replacements with new replica ids; none was ready, so none waits)', async () => {
    await putJson(store, keys.nodeStatus('n1'), NodeStatus, simNodeStatus('n1'));
    await deploy('m3', { replicas: 2 });
    await until(async () => (await plan('m3'))?.value.assignments.length === 2, 'plan');
    await putJson(store, keys.nodeStatus('n2'), NodeStatus, simNodeStatus('n2'));
    await putJson(store, keys.nodeSettings('n1'), NodeSettings, nodeSettings('n1', { draining: true }));
    const moved = await until(async () => {
      const v = (await plan('m3'))?.value;
      return v?.assignments.every((a) => a.node_id === 'n2') ? v : undefined;
    }, 'moved');
    expect(moved.assignments.map((a) => a.replica_id)).toEqual([2, 3]);
  });

  it('v1 requests: Pending -> Scheduled, Unloading -> plan and request removed, impossible -> Failed', async () => {
    await putJson(store, keys.nodeStatus('n1'), NodeStatus, simNodeStatus('n1', { gpus: 1 }));
    const now = new Date().toISOString();
    const req = (id: string, uid: string, gib: number): ModelRequest =>
      ModelRequest.parse({
        request_id: id,
        spec: specFor(uid, { resources: { gpu_count: 1, gpu_memory_gib: gib } }),
        replicas: 1,
        status: 'Pending',
        created_at: now,
        updated_at: now,
      });
    await putJson(store, keys.modelRequest('r1'), ModelRequest, req('r1', 'v1m', 10));
    await until(
      async () => (await getJson(store, keys.modelRequest('r1'), ModelRequest))?.value.status === 'Scheduled',
      'scheduled',
    );
    const p = (await plan('v1m'))?.value;
    expect(p).toMatchObject({ source: 'request', request_id: 'r1', generation: 0 });

    await putJson(store, keys.modelRequest('r2'), ModelRequest, req('r2', 'huge', 500));
    const failed = await until(async () => {
      const r = (await getJson(store, keys.modelRequest('r2'), ModelRequest))?.value;
      return r?.status === 'Failed' ? r : undefined;
    }, 'failed');
    expect(failed.reason).toContain('needs 1 x 500 GiB');
    expect(await plan('huge')).toBeUndefined();

    const r1 = await getJson(store, keys.modelRequest('r1'), ModelRequest);
    await putJson(store, keys.modelRequest('r1'), ModelRequest, { ...r1!.value, status: 'Unloading' });
    await until(async () => !(await store.get(keys.modelRequest('r1'))) && !(await plan('v1m')), 'unloaded');
  });

  it('re-places replicas of a node gone past the grace period', async () => {
    const lease = await store.grantLease(1);
    await putJson(store, keys.nodeStatus('n1'), NodeStatus, simNodeStatus('n1'), { lease });
    await putJson(store, keys.nodeStatus('n2'), NodeStatus, simNodeStatus('n2'));
    await putJson(store, keys.nodeStatus('n3'), NodeStatus, simNodeStatus('n3'));
    await deploy('m4', { replicas: 1 });
    await putJson(store, keys.nodeSettings('n2'), NodeSettings, nodeSettings('n2', { cordoned: true }));
    await putJson(store, keys.nodeSettings('n3'), NodeSettings, nodeSettings('n3', { cordoned: true }));
    await until(async () => (await plan('m4'))?.value.assignments[0]?.node_id === 'n1', 'on n1');
    await store.delete(keys.nodeSettings('n2'));
    await store.revokeLease(lease);
    const moved = await until(async () => {
      const v = (await plan('m4'))?.value;
      return v?.assignments[0]?.node_id === 'n2' ? v : undefined;
    }, 're-placed');
    expect(moved.assignments[0]?.replica_id).toBe(0);
    const events = await listJson(store, keys.eventsOf('m4'), ModelEvent);
    expect(
      events.items.some((e) => e.value.type === 'rescheduled' && e.value.message.includes('node n1 is gone')),
    ).toBe(true);
  });

  it('serves /healthz and /metrics', async () => {
    const h = await fetch(`http://127.0.0.1:${sched.metricsPort}/healthz`);
    expect(h.status).toBe(200);
    expect(await h.json()).toMatchObject({ leader: true, instance_id: 'test' });
    const m = await (await fetch(`http://127.0.0.1:${sched.metricsPort}/metrics`)).text();
    expect(m).toContain('nebula_scheduler_is_leader{role="scheduler"} 1');
    expect(m).toContain('nebula_scheduler_reconcile_duration_seconds_bucket');
    const comps = await store.list(prefixes.components);
    expect(comps.items.map((i) => i.key)).toContain(keys.component('scheduler', 'test'));
  });
});
