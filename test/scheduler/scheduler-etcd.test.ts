import { describe, expect, it } from 'vitest';
import { Endpoint } from '../../src/core/domain/endpoint.js';
import { ModelEvent } from '../../src/core/domain/event.js';
import { ModelDeployment } from '../../src/core/domain/model.js';
import { ModelRequest } from '../../src/core/domain/request.js';
import { keys } from '../../src/core/keys.js';
import { deploymentFor, specFor } from '../../src/scheduler/fixtures.js';
import type { SchedulerHandle, SchedulerOptions } from '../../src/scheduler/index.js';
import { getJson, listJson, putJson } from '../../src/store/json.js';
import type { Clock } from '../../src/core/clock.js';
import { useEtcdSuite } from '../helpers/etcd-suite.js';
import { JumpClock } from '../helpers/jump-clock.js';
import { waitFor } from '../helpers/ports.js';
import { deploy, fakeNode, readPlan, sleep, startTestScheduler } from './helpers.js';

describe('scheduler on real etcd', () => {
  const suite = useEtcdSuite('sched');
  /** `open`: a store connection of the current test's namespace (each scheduler gets its own, like a process). */
  const { cleanups, open, fresh } = suite;
  const scheduler = async (
    id: string,
    o: Partial<SchedulerOptions> = {},
    clock?: Clock,
  ): Promise<SchedulerHandle> => {
    const h = await startTestScheduler(await open(), { instanceId: id, ...o }, clock);
    cleanups.push(() => h.stop());
    return h;
  };

  it('deployment -> plan, scale, stop -> plan removed', async () => {
    const store = await fresh();
    await fakeNode(store, 'n1', { gpus: 2 });
    await fakeNode(store, 'n2', { gpus: 2 });
    const s = await scheduler('a');
    await waitFor(() => s.isLeader(), { what: 'leader', timeoutMs: 10_000 });

    await deploy(store, 'llm', { replicas: 2 }, { resources: { gpu_count: 1, gpu_memory_gib: 30 } });
    const p1 = await waitFor(
      async () => (await readPlan(store, 'llm'))?.assignments.length === 2 && readPlan(store, 'llm'),
      {
        what: 'plan',
      },
    );
    expect(p1?.assignments.every((a) => a.gpu_memory_bytes === 30 * 1024 ** 3)).toBe(true);

    await putJson(
      store,
      keys.deployment('llm'),
      ModelDeployment,
      deploymentFor('llm', { replicas: 5, generation: 2 }),
    );
    const p2 = await waitFor(
      async () => {
        const p = await readPlan(store, 'llm');
        return p?.generation === 2 ? p : undefined;
      },
      { what: 'scaled plan' },
    );
    expect(p2.assignments.map((a) => a.replica_id)).toEqual([0, 1, 2, 3, 4]);
    expect(p2.assignments.slice(0, 2)).toEqual(p1?.assignments);
    expect(p2.plan_version).toBeGreaterThan(p1.plan_version);
    // 4 GPUs x 80 GiB hold 8 replicas of 30 GiB (2 per GPU): all 5 fit, none overcommits a GPU.
    const perGpu = new Map<string, number>();
    for (const a of p2.assignments)
      perGpu.set(
        `${a.node_id}/${a.gpu_indices[0]}`,
        (perGpu.get(`${a.node_id}/${a.gpu_indices[0]}`) ?? 0) + 30,
      );
    expect(Math.max(...perGpu.values())).toBeLessThanOrEqual(80);

    await putJson(
      store,
      keys.deployment('llm'),
      ModelDeployment,
      deploymentFor('llm', { desired_state: 'stopped', generation: 3 }),
    );
    await waitFor(async () => (await readPlan(store, 'llm')) === undefined || undefined, {
      what: 'plan removed',
    });
    const events = await listJson(store, keys.eventsOf('llm'), ModelEvent);
    expect(events.items.map((e) => e.value.type)).toEqual(
      expect.arrayContaining(['scheduled', 'unscheduled']),
    );
  });

  it('two schedulers: one leader, one plan; the other takes over when the leader dies', async () => {
    const store = await fresh();
    await fakeNode(store, 'n1');
    const a = await scheduler('a');
    const b = await scheduler('b');
    await waitFor(() => a.isLeader() || b.isLeader(), { what: 'a leader', timeoutMs: 10_000 });
    // No second leader may follow. Both campaigned before start resolved and the election is etcd's (real
    // time, no clock to move), so this stays a short real window: a few of etcd's round trips, bounded.
    await sleep(300);
    expect([a.isLeader(), b.isLeader()].filter(Boolean)).toHaveLength(1);
    const leader = a.isLeader() ? a : b;
    const follower = leader === a ? b : a;
    const health = async (h: SchedulerHandle) =>
      (await (await fetch(`http://127.0.0.1:${h.metricsPort}/healthz`)).json()) as { leader: boolean };
    expect((await health(leader)).leader).toBe(true);
    expect((await health(follower)).leader).toBe(false);

    await deploy(store, 'm1', { replicas: 3 });
    await waitFor(async () => (await readPlan(store, 'm1'))?.assignments.length === 3, { what: 'plan' });
    // No second 'scheduled' event may follow (from the echo of the plan write, or from the follower): the
    // echo arrives over etcd's watch in real time, so a short real window (many debounce periods), bounded.
    await leader.controller.idle();
    await sleep(300);
    const events = await listJson(store, keys.eventsOf('m1'), ModelEvent);
    expect(events.items.filter((e) => e.value.type === 'scheduled')).toHaveLength(1);
    const before = await readPlan(store, 'm1');

    // The leader dies without revoking its lease: the follower waits for the lease to expire.
    await leader.stop({ revoke: false });
    await waitFor(() => follower.isLeader(), { what: 'failover', timeoutMs: 15_000 });
    const after = await readPlan(store, 'm1');
    expect(after?.assignments).toEqual(before?.assignments);
    await deploy(store, 'm2', { replicas: 1 });
    await waitFor(async () => (await readPlan(store, 'm2'))?.assignments.length === 1, {
      what: 'new leader plans',
    });
    const m = await (await fetch(`http://127.0.0.1:${follower.metricsPort}/metrics`)).text();
    expect(m).toContain('nebula_scheduler_is_leader{role="scheduler"} 1');
    expect(m).toMatch(/nebula_scheduler_plans_written_total\{op="put",role="scheduler"\} [1-9]/);
  });

  it('re-places the replicas of a node gone past the grace period', async () => {
    const store = await fresh();
    const n1 = await fakeNode(store, 'n1', { gpus: 1 });
    await fakeNode(store, 'n2', { gpus: 1 });
    await fakeNode(store, 'n3', { gpus: 1 });
    const clock = new JumpClock();
    const s = await scheduler('a', { gracePeriodMs: 1500 }, clock);
    await waitFor(() => s.isLeader(), { what: 'leader', timeoutMs: 10_000 });
    await deploy(store, 'm', { replicas: 1 }, { resources: { gpu_count: 1, gpu_memory_gib: 50 } });
    const p = await waitFor(async () => readPlan(store, 'm'), { what: 'plan' });
    const victim = p.assignments[0]?.node_id;
    expect(victim).toBe('n1');

    // Times on the scheduler's clock, which the test moves ahead instead of waiting.
    const killedAt = clock.now();
    await n1.kill();
    await waitFor(() => s.controller.view.nodes.get(keys.nodeStatus('n1')) === undefined, {
      what: 'the scheduler to see n1 gone',
      intervalMs: 10,
    });
    await clock.jump(700);
    await s.controller.idle();
    expect((await readPlan(store, 'm'))?.assignments[0]?.node_id).toBe('n1'); // still within grace
    const moved = await waitFor(
      async () => {
        const v = await readPlan(store, 'm');
        return v?.assignments[0]?.node_id !== 'n1' ? v : undefined;
      },
      { what: 're-placed', timeoutMs: 10_000 },
    );
    expect(clock.now() - killedAt).toBeGreaterThanOrEqual(1500);
    expect(moved.assignments[0]?.replica_id).toBe(0);
    expect(moved.plan_version).toBeGreaterThan(p.plan_version);
  });

  it('holds replicas when more than half of the nodes vanish together', async () => {
    const store = await fresh();
    const n1 = await fakeNode(store, 'n1', { gpus: 1 });
    const n2 = await fakeNode(store, 'n2', { gpus: 1 });
    await fakeNode(store, 'n3', { gpus: 1 });
    const clock = new JumpClock();
    const s = await scheduler('a', { gracePeriodMs: 500 }, clock);
    await waitFor(() => s.isLeader(), { what: 'leader', timeoutMs: 10_000 });
    await deploy(
      store,
      'm',
      { replicas: 2, placement_strategy: 'spread' },
      { resources: { gpu_count: 1, gpu_memory_gib: 50 } },
    );
    const p = await waitFor(
      async () => {
        const v = await readPlan(store, 'm');
        return v?.assignments.length === 2 ? v : undefined;
      },
      { what: 'plan' },
    );
    expect(p.assignments.map((a) => a.node_id)).toEqual(['n1', 'n2']);

    await Promise.all([n1.kill(), n2.kill()]);
    const gone = (id: string) => s.controller.view.nodes.get(keys.nodeStatus(id)) === undefined;
    await waitFor(() => gone('n1') && gone('n2'), { what: 'the scheduler to see both gone', intervalMs: 10 });
    await clock.jump(2000); // four grace periods, on the scheduler's clock
    await s.controller.idle();
    expect((await readPlan(store, 'm'))?.assignments).toEqual(p.assignments);

    // One comes back: 1 of 3 absent is a node failure, not an outage, so its replica moves.
    await fakeNode(store, 'n1', { gpus: 1 });
    const moved = await waitFor(
      async () => {
        const v = await readPlan(store, 'm');
        return v?.assignments.every((a) => a.node_id !== 'n2') ? v : undefined;
      },
      { what: 'n2 replica re-placed', timeoutMs: 10_000 },
    );
    expect(moved.assignments.find((a) => a.replica_id === 0)?.node_id).toBe('n1');
    expect(moved.assignments.find((a) => a.replica_id === 1)?.node_id).toBe('n3');
  });

  it('v1 requests: Pending -> Scheduled -> Running, Unloading -> plan and request removed', async () => {
    const store = await fresh();
    await fakeNode(store, 'n1', { gpus: 1 });
    const s = await scheduler('a');
    await waitFor(() => s.isLeader(), { what: 'leader', timeoutMs: 10_000 });
    const now = new Date().toISOString();
    await putJson(store, keys.modelRequest('req-1'), ModelRequest, {
      request_id: 'req-1',
      spec: specFor('v1-model'),
      replicas: 1,
      status: 'Pending',
      created_at: now,
      updated_at: now,
    });
    await waitFor(
      async () =>
        (await getJson(store, keys.modelRequest('req-1'), ModelRequest))?.value.status === 'Scheduled',
      {
        what: 'Scheduled',
      },
    );
    const plan = await readPlan(store, 'v1-model');
    expect(plan).toMatchObject({ source: 'request', request_id: 'req-1' });
    const a = plan!.assignments[0]!;

    await putJson(store, keys.endpoint('v1-model', 0), Endpoint, {
      model_uid: 'v1-model',
      replica_id: 0,
      node_id: a.node_id,
      address: '127.0.0.1',
      port: a.port,
      engine_type: 'sim',
      served_model_name: 'v1-model',
      status: 'ready',
      plan_version: plan!.plan_version,
      updated_at: now,
    });
    await waitFor(
      async () =>
        (await getJson(store, keys.modelRequest('req-1'), ModelRequest))?.value.status === 'Running',
      {
        what: 'Running',
      },
    );

    const r = (await getJson(store, keys.modelRequest('req-1'), ModelRequest))!.value;
    await putJson(store, keys.modelRequest('req-1'), ModelRequest, { ...r, status: 'Unloading' });
    await waitFor(
      async () => !(await store.get(keys.modelRequest('req-1'))) && !(await readPlan(store, 'v1-model')),
      {
        what: 'unloaded',
      },
    );
  });
});
