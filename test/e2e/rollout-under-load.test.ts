/**
 * Planned changes under a steady load through the router (issue 17): a rolling update of 3 replicas, a
 * drain of one replica and a scale-down each complete with zero failed client requests. Real processes:
 * the scheduler and router in-process, a real node agent launching engine-sim replicas (build first:
 * `npm run build`), one store.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelDeployment, ModelSpec } from '../../src/core/domain/model.js';
import { DrainRequest } from '../../src/core/domain/revision.js';
import { keys } from '../../src/core/keys.js';
import type { RouterHandle } from '../../src/router/index.js';
import { deploymentFor } from '../../src/scheduler/fixtures.js';
import { putJson } from '../../src/store/json.js';
import type { Store } from '../../src/store/types.js';
import { simSpec } from '../node/fixtures.js';
import { waitFor } from '../helpers/ports.js';
import { routerLoad, routerRequest } from '../helpers/router-load.js';
import { startSimStack, type SimStack } from '../helpers/sim-stack.js';
import { readPlan } from '../scheduler/helpers.js';

const UID = 'loaded';

describe('planned changes under load: zero failed requests', () => {
  let stack: SimStack;
  let store: Store;
  let router: RouterHandle | undefined;

  beforeAll(async () => {
    stack = await startSimStack({
      tmpPrefix: 'nebula-rollout-load-',
      nodes: ['ln'],
      ports: 60,
      router: true,
    });
    ({ store, router } = stack);
  });

  afterAll(() => stack?.stop());

  const endpoints = () => stack.endpointsOf(UID);
  const put = async (rev: number, replicas: number, itl: string) => {
    await putJson(
      store,
      keys.modelSpec(UID),
      ModelSpec,
      simSpec(UID, { engine_config: { extra_args: ['--itl-ms', itl], env: {} } }),
    );
    await putJson(
      store,
      keys.deployment(UID),
      ModelDeployment,
      deploymentFor(UID, {
        replicas,
        spec_revision: rev,
        generation: Date.now() % 1_000_000,
        rollout: {
          strategy: 'rolling',
          progress_deadline_seconds: 120,
          paused: false,
          drain_grace_seconds: 10,
        },
      }),
    );
  };
  /** Settled: `n` ready endpoints on `rev`, nothing else left, and the plan agrees. */
  const settled = (n: number, rev: number, what: string) =>
    waitFor(
      async () => {
        const eps = await endpoints();
        const plan = await readPlan(store, UID);
        const ok =
          eps.length === n &&
          eps.every((e) => e.status === 'ready' && e.revision === rev) &&
          plan?.assignments.length === n &&
          plan.rollout?.phase !== 'progressing';
        return ok ? { eps, plan } : undefined;
      },
      { what, timeoutMs: 90_000, intervalMs: 100 },
    );
  const underLoad = async (change: () => Promise<void>, until: () => Promise<unknown>) => {
    const url = router?.url ?? '';
    const l = routerLoad(url, UID, 8);
    await l.served(20);
    await change();
    await until();
    // Requests that began after the change settled count too.
    await l.served(20);
    return l.stop();
  };

  it('a rolling update of 3 replicas, a replica drain and a scale-down fail no request', async () => {
    await put(1, 3, '1');
    await settled(3, 1, '3 ready on r1');
    await waitFor(async () => (await routerRequest(router?.url ?? '', UID, false)) === undefined, {
      what: 'router serves',
      timeoutMs: 20_000,
    });

    const rolled = await underLoad(
      () => put(2, 3, '2'),
      () => settled(3, 2, 'rolled over to r2'),
    );
    expect(rolled.errors).toEqual([]);
    expect(rolled.failed).toBe(0);
    expect(rolled.ok).toBeGreaterThan(50);

    const victim = (await endpoints())[0]?.replica_id ?? 0;
    const drained = await underLoad(
      async () => {
        await putJson(store, keys.drain(UID, victim), DrainRequest, {
          model_uid: UID,
          replica_id: victim,
          requested_by: 'user:test',
          requested_at: new Date().toISOString(),
          reason: 'replica',
        });
      },
      async () => {
        await waitFor(async () => (await store.get(keys.drain(UID, victim))) === undefined, {
          what: 'drain done',
          timeoutMs: 60_000,
        });
        const s = await settled(3, 2, 'drained');
        expect(s.eps.some((e) => e.replica_id === victim)).toBe(false);
      },
    );
    expect(drained.errors).toEqual([]);
    expect(drained.failed).toBe(0);

    const scaled = await underLoad(
      () => put(2, 2, '2'),
      () => settled(2, 2, 'scaled down to 2'),
    );
    expect(scaled.errors).toEqual([]);
    expect(scaled.failed).toBe(0);
  }, 300_000);
});
