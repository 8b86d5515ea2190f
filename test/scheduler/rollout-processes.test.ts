/**
 * A rolling update with real processes: the scheduler in-process, a real node agent launching engine-sim
 * replicas (dist/ must be built: `npm run build`), one store. A spec change on a 3-replica model surges
 * three replicas of the new revision, retires the old ones only as the new ones are ready, and ends with
 * every endpoint on the new revision; the count of ready replicas never drops below 3 on the way.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Endpoint } from '../../src/core/domain/endpoint.js';
import { ModelDeployment, ModelSpec } from '../../src/core/domain/model.js';
import { keys, prefixes } from '../../src/core/keys.js';
import { deploymentFor } from '../../src/scheduler/fixtures.js';
import { listJson, putJson } from '../../src/store/json.js';
import type { Store } from '../../src/store/types.js';
import { simSpec } from '../node/fixtures.js';
import { waitFor } from '../helpers/ports.js';
import { startSimStack, type SimStack } from '../helpers/sim-stack.js';
import { readPlan } from './helpers.js';

const UID = 'roll';

describe('rolling update with real engine-sim replicas', () => {
  let stack: SimStack;
  let store: Store;

  beforeAll(async () => {
    stack = await startSimStack({
      tmpPrefix: 'nebula-rollout-',
      nodes: ['rn'],
      timing: { drainSettleMs: 200 },
    });
    ({ store } = stack);
  });

  afterAll(() => stack?.stop());

  const endpoints = async () =>
    (await listJson(store, prefixes.endpoints, Endpoint)).items.map((t) => t.value);
  const readyOf = (eps: Endpoint[]) => eps.filter((e) => e.model_uid === UID && e.status === 'ready');
  const put = async (rev: number, extra: string[]) => {
    const spec = simSpec(UID, { engine_config: { extra_args: extra, env: {} } });
    await putJson(store, keys.modelSpec(UID), ModelSpec, spec);
    await putJson(
      store,
      keys.deployment(UID),
      ModelDeployment,
      deploymentFor(UID, {
        replicas: 3,
        spec_revision: rev,
        generation: rev,
        rollout: {
          strategy: 'rolling',
          progress_deadline_seconds: 120,
          paused: false,
          drain_grace_seconds: 5,
        },
      }),
    );
  };

  it('rolls a 3-replica model over to the new revision without ever having fewer than 3 ready', async () => {
    await put(1, ['--itl-ms', '2']);
    const first = await waitFor(
      async () => {
        const r = readyOf(await endpoints());
        return r.length === 3 ? r : undefined;
      },
      { what: '3 replicas ready on r1', timeoutMs: 60_000 },
    );
    expect(first.map((e) => e.revision)).toEqual([1, 1, 1]);

    await put(2, ['--itl-ms', '3']);
    let minReady = Infinity;
    let sawSurge = false;
    const final = await waitFor(
      async () => {
        const eps = await endpoints();
        const ready = readyOf(eps);
        minReady = Math.min(minReady, ready.length);
        const plan = await readPlan(store, UID);
        if ((plan?.assignments.length ?? 0) > 3) sawSurge = true;
        const done =
          plan?.rollout?.phase === 'complete' &&
          ready.length === 3 &&
          ready.every((e) => e.revision === 2) &&
          eps.filter((e) => e.model_uid === UID).length === 3;
        return done ? { plan, ready } : undefined;
      },
      { what: 'every endpoint on r2', timeoutMs: 90_000, intervalMs: 50 },
    );
    expect(sawSurge).toBe(true);
    expect(minReady).toBeGreaterThanOrEqual(3);
    expect(final.plan?.revision).toBe(2);
    expect(final.plan?.assignments.map((a) => a.revision)).toEqual([2, 2, 2]);
    expect(final.ready.map((e) => e.replica_id).sort()).toEqual(
      final.plan?.assignments.map((a) => a.replica_id).sort(),
    );
    // The old replicas' ids are not among the new ones.
    expect(first.some((e) => final.ready.some((n) => n.replica_id === e.replica_id))).toBe(false);
  }, 180_000);
});
