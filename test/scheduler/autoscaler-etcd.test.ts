/**
 * The autoscaler on real etcd: it follows the routers' load signals, writes only `deployments.replicas`,
 * records its decisions, answers a wake request for an idle model, and a second instance takes over when
 * the leading one dies while load keeps coming.
 */
import { describe, expect, it } from 'vitest';
import {
  AutoscaleStatus,
  LoadSignal,
  ModelDeployment,
  ModelEvent,
  WakeRequest,
} from '../../src/core/domain/index.js';
import { keys } from '../../src/core/keys.js';
import type { SchedulerHandle } from '../../src/scheduler/index.js';
import { getJson, listJson, putJson } from '../../src/store/json.js';
import type { Store } from '../../src/store/types.js';
import { useEtcdSuite } from '../helpers/etcd-suite.js';
import { waitFor } from '../helpers/ports.js';
import { deploy, fakeNode, startTestScheduler } from './helpers.js';

describe('autoscaler on real etcd', () => {
  const suite = useEtcdSuite('as');
  const { cleanups } = suite;
  const scheduler = async (id: string): Promise<SchedulerHandle> => {
    const h = await startTestScheduler(await suite.open(), { instanceId: id, autoscaleIntervalMs: 200 });
    cleanups.push(() => h.stop());
    return h;
  };
  const replicas = async (store: Store, uid: string) =>
    (await getJson(store, keys.deployment(uid), ModelDeployment))?.value.replicas;
  /** What a router publishes: `inflight` requests for the model (no lease: the test is the router). */
  const load = (store: Store, uid: string, inflight: number, router = 'r1') =>
    putJson(store, keys.load(uid, router), LoadSignal, {
      model_uid: uid,
      router,
      inflight,
      held: 0,
      engine_waiting: 0,
      rps: inflight,
      ...(inflight > 0 ? { last_request_at: new Date().toISOString() } : {}),
      updated_at: new Date().toISOString(),
    });

  it('follows the load up and down within min..max and records each change', async () => {
    const store = await suite.fresh();
    await fakeNode(store, 'n1', { gpus: 4 }).then((n) => cleanups.push(() => n.kill()));
    await deploy(store, 'm', {
      replicas: 1,
      autoscaling: {
        min_replicas: 1,
        max_replicas: 3,
        target: { metric: 'inflight', value: 4 },
        scale_up_window: '0s',
        scale_down_window: '1s',
        dry_run: false,
      },
    });
    await load(store, 'm', 2);
    await scheduler('a');
    await load(store, 'm', 11);
    await waitFor(async () => (await replicas(store, 'm')) === 3, { what: 'scaled to 3', timeoutMs: 10_000 });
    // Never above max, whatever the load.
    await load(store, 'm', 100);
    await waitFor(
      async () => {
        const s = await getJson(store, keys.autoscaler('m'), AutoscaleStatus);
        return s?.value.last_decision.inputs.inflight === 100 ? s : undefined;
      },
      { what: 'decision on 100 in flight', timeoutMs: 10_000 },
    );
    expect(await replicas(store, 'm')).toBe(3);
    await load(store, 'm', 0);
    await waitFor(async () => (await replicas(store, 'm')) === 1, { what: 'back to 1', timeoutMs: 10_000 });
    const events = (await listJson(store, keys.eventsOf('m'), ModelEvent)).items.map((e) => e.value);
    const scaled = events.filter((e) => e.type === 'autoscaled').map((e) => e.message);
    expect(scaled.some((m) => m.includes('1 -> 3') && m.includes('in flight 11'))).toBe(true);
    expect(scaled.some((m) => m.includes('3 -> 1'))).toBe(true);
  });

  it('wakes an idle model on a wake request and clears it once a replica is ready', async () => {
    const store = await suite.fresh();
    await fakeNode(store, 'n1', { gpus: 2 }).then((n) => cleanups.push(() => n.kill()));
    await deploy(store, 'w', {
      replicas: 0,
      autoscaling: {
        min_replicas: 0,
        max_replicas: 2,
        target: { metric: 'inflight', value: 4 },
        scale_up_window: '0s',
        scale_down_window: '1m',
        scale_to_zero_after: '1m',
        dry_run: false,
      },
    });
    await scheduler('a');
    await putJson(store, keys.wake('w'), WakeRequest, {
      model_uid: 'w',
      router: 'r1',
      requested_at: new Date().toISOString(),
    });
    await waitFor(async () => (await replicas(store, 'w')) === 1, { what: 'woken to 1', timeoutMs: 10_000 });
    // The node would now start it; the test plays the node and reports it ready.
    await putJson(store, keys.endpoint('w', 0), (await import('../../src/core/domain/index.js')).Endpoint, {
      model_uid: 'w',
      replica_id: 0,
      node_id: 'n1',
      address: '127.0.0.1',
      port: 40000,
      engine_type: 'sim',
      served_model_name: 'w',
      status: 'ready',
      plan_version: 1,
      gpu_indices: [0],
      restarts: 0,
      updated_at: new Date().toISOString(),
    });
    await waitFor(async () => (await store.get(keys.wake('w'))) === undefined, {
      what: 'wake cleared',
      timeoutMs: 10_000,
    });
    const s = await waitFor(
      async () => (await getJson(store, keys.autoscaler('w'), AutoscaleStatus))?.value.last_wake,
      {
        what: 'wake recorded',
        timeoutMs: 10_000,
      },
    );
    expect(s.latency_ms).toBeGreaterThanOrEqual(0);
  });

  it('a second autoscaler takes over under load when the leader dies', async () => {
    const store = await suite.fresh();
    await fakeNode(store, 'n1', { gpus: 4 }).then((n) => cleanups.push(() => n.kill()));
    await deploy(store, 'f', {
      replicas: 1,
      autoscaling: {
        min_replicas: 1,
        max_replicas: 4,
        target: { metric: 'inflight', value: 4 },
        scale_up_window: '0s',
        scale_down_window: '1m',
        dry_run: false,
      },
    });
    const a = await scheduler('a');
    await waitFor(async () => (await store.get(keys.leader('autoscaler'))) !== undefined, {
      what: 'a leader',
    });
    const b = await scheduler('b');
    await load(store, 'f', 8);
    await waitFor(async () => (await replicas(store, 'f')) === 2, { what: 'scaled to 2', timeoutMs: 10_000 });
    const leaderId = async () => {
      const kv = await store.get(keys.leader('autoscaler'));
      return kv ? (JSON.parse(kv.value) as { holder: string }).holder : undefined;
    };
    const first = await leaderId();
    const [dead, alive] = first === 'a' ? [a, b] : [b, a];
    await dead.stop({ revoke: false });
    await load(store, 'f', 16);
    await waitFor(
      async () => (await leaderId()) === alive.instanceId || (await leaderId())?.startsWith(alive.instanceId),
      { what: 'new leader', timeoutMs: 15_000 },
    );
    await waitFor(async () => (await replicas(store, 'f')) === 4, {
      what: 'scaled to 4 by the new leader',
      timeoutMs: 15_000,
    });
  });
});
