/**
 * Day-two changes under a steady load through the router (issue 17, "Tests"), each with zero failed client
 * requests: a node drain moves every replica to the other node; a new revision whose engine crashes at start
 * rolls back by itself at the progress deadline (the model keeps serving on the old revision throughout);
 * a rollback to an earlier revision through the API rolls out like any change. Real processes: the API
 * server, scheduler and router in-process on one store, two node agents launching engine-sim replicas
 * (build first: `npm run build`). Each case prints the load it carried (served, failed, req/s, p99).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient, type NebulaClient } from '../../src/client/index.js';
import type { Endpoint } from '../../src/core/domain/endpoint.js';
import { keys } from '../../src/core/keys.js';
import { silentLogger } from '../../src/core/logger.js';
import type { RouterHandle } from '../../src/router/index.js';
import { startServer, type ServerHandle } from '../../src/server/index.js';
import type { Store } from '../../src/store/types.js';
import { waitFor } from '../helpers/ports.js';
import { describeLoad, routerLoad, routerRequest, type LoadTally } from '../helpers/router-load.js';
import { startSimStack, type SimStack } from '../helpers/sim-stack.js';
import { readPlan } from '../scheduler/helpers.js';

const NODES = ['day-a', 'day-b'] as const;
const WORKERS = 8;

describe('day-two changes under load: zero failed requests', () => {
  let stack: SimStack;
  let store: Store;
  let router: RouterHandle | undefined;
  let server: ServerHandle | undefined;
  let admin: NebulaClient;

  beforeAll(async () => {
    stack = await startSimStack({ tmpPrefix: 'nebula-day-two-', nodes: NODES, router: true });
    ({ store, router } = stack);
    server = await startServer(
      {
        host: '127.0.0.1',
        port: 0,
        rateLimit: false,
        loginRateLimit: false,
        env: {},
        hfEndpoint: 'http://127.0.0.1:9',
        modelscopeEndpoint: 'http://127.0.0.1:9',
      },
      { store, logger: silentLogger() },
    );
    const key = server.bootstrap?.apiKey;
    if (!key) throw new Error('no admin key');
    admin = createClient({ baseUrl: server.url, token: key });
    await waitFor(async () => ((await admin.nodes.list()).items.length === 2 ? true : undefined), {
      what: 'two nodes registered',
      timeoutMs: 20_000,
    });
  }, 60_000);

  afterAll(async () => {
    await server?.stop().catch(() => undefined);
    await stack?.stop();
  });

  const endpointsOf = (uid: string) => stack.endpointsOf(uid);

  /** Creates and starts a simulator model with `replicas` replicas and a short-fused rollout policy. */
  const create = async (uid: string, replicas: number, progressDeadlineSeconds = 120) => {
    await admin.models.create({
      model_uid: uid,
      model_name: `sim/${uid}`,
      model_source: 'local',
      engine_type: 'sim',
      replicas,
      auto_start: true,
      resources: { gpu_count: 0 },
      engine_config: { extra_args: ['--itl-ms=1'] },
      rollout: { progress_deadline_seconds: progressDeadlineSeconds, drain_grace_seconds: 5 },
    });
    await settled(uid, replicas, 1, `${uid}: ${replicas} ready on r1`);
    await waitFor(async () => (await routerRequest(router?.url ?? '', uid, false)) === undefined, {
      what: `router serves ${uid}`,
      timeoutMs: 20_000,
    });
  };

  /** Settled: `n` ready endpoints all on `rev`, nothing else left, the plan agrees and no rollout moves. */
  const settled = (uid: string, n: number, rev: number, what: string, extra?: (eps: Endpoint[]) => boolean) =>
    waitFor(
      async () => {
        const eps = await endpointsOf(uid);
        const plan = await readPlan(store, uid);
        const ok =
          eps.length === n &&
          eps.every((e) => e.status === 'ready' && e.revision === rev) &&
          plan?.revision === rev &&
          plan.assignments.length === n &&
          plan.assignments.every((a) => a.revision === rev) &&
          plan.rollout?.phase !== 'progressing' &&
          (extra === undefined || extra(eps));
        return ok ? { eps, plan } : undefined;
      },
      { what, timeoutMs: 90_000, intervalMs: 100 },
    );

  /** Runs `change` under load and waits for `until`; returns what the load saw from start to end. */
  const underLoad = async (uid: string, change: () => Promise<unknown>, until: () => Promise<unknown>) => {
    const l = routerLoad(router?.url ?? '', uid, WORKERS);
    await l.served(20);
    await change();
    await until();
    // Requests that began after the change settled count too.
    await l.served(20);
    return l.stop();
  };

  const expectClean = (what: string, t: LoadTally) => {
    console.log(describeLoad(what, t));
    expect(t.errors).toEqual([]);
    expect(t.failed).toBe(0);
    expect(t.ok).toBeGreaterThan(50);
  };

  /** Stops a finished case's model so its engines do not share the 2 cores with the next case. */
  const retire = async (uid: string) => {
    await admin.models.stop(uid);
    await waitFor(async () => ((await endpointsOf(uid)).length === 0 ? true : undefined), {
      what: `${uid} stopped`,
      timeoutMs: 30_000,
    });
  };

  it('a node drain moves every replica to the other node with zero failed requests', async () => {
    const uid = 'nd';
    await create(uid, 2);
    const victim = (await endpointsOf(uid))[0]?.node_id ?? '';
    const other = NODES.find((n) => n !== victim) ?? '';
    const onVictim = (await endpointsOf(uid)).filter((e) => e.node_id === victim).map((e) => e.replica_id);
    expect(onVictim.length).toBeGreaterThan(0);

    const drained = await underLoad(
      uid,
      () => admin.nodes.drain(victim),
      async () => {
        const s = await settled(uid, 2, 1, 'all replicas on the other node', (eps) =>
          eps.every((e) => e.node_id === other),
        );
        // the migrations are done: no drain request of the node drain is left pending
        await waitFor(
          async () => ((await store.list(keys.drainsOf(uid))).items.length === 0 ? true : undefined),
          {
            what: 'drain requests done',
            timeoutMs: 30_000,
          },
        );
        expect(s.eps.some((e) => onVictim.includes(e.replica_id))).toBe(false);
      },
    );
    expectClean('node drain', drained);
    expect((await endpointsOf(uid)).every((e) => e.node_id === other)).toBe(true);

    await admin.nodes.uncordon(victim);
    await retire(uid);
  }, 180_000);

  it('a new revision whose engine crashes at start rolls back by itself; the old revision serves throughout', async () => {
    const uid = 'crash';
    await create(uid, 2, 10);
    const before = (await endpointsOf(uid)).map((e) => e.replica_id).sort();

    let triedR2 = false;
    let crashSeen = '';
    const rolled = await underLoad(
      uid,
      // `--fail-rate` above 1 is refused by engine-sim at start: exit 2, every launch of r2 crashes.
      () => admin.models.update(uid, { engine_config: { extra_args: ['--itl-ms=1', '--fail-rate=2'] } }),
      async () => {
        await waitFor(
          async () => {
            const plan = await readPlan(store, uid);
            if (plan?.assignments.some((a) => a.revision === 2)) triedR2 = true;
            const crashed = (await endpointsOf(uid)).find(
              (e) =>
                e.revision === 2 && (e.status === 'failed' || e.restarts > 0 || (e.last_error ?? '') !== ''),
            );
            if (crashed) crashSeen = `${crashed.status}: ${crashed.last_error ?? ''}`;
            return plan?.rollout?.phase === 'rolled_back' ? plan : undefined;
          },
          { what: 'rolled back', timeoutMs: 60_000, intervalMs: 100 },
        );
        await settled(uid, 2, 1, 'back on r1 only');
      },
    );
    expectClean('crashing revision rolled back', rolled);
    expect(triedR2).toBe(true);
    expect(crashSeen).not.toBe(''); // r2's engines did crash (the rollback is not a slow start)
    console.log(`r2 replica seen as ${crashSeen.split('\n')[0] ?? ''}`);

    const plan = await readPlan(store, uid);
    expect(plan?.rollout).toMatchObject({ phase: 'rolled_back', from_revision: 2, to_revision: 1 });
    expect(plan?.rollout?.reason).toContain('revision 2 not ready within 10s');
    // the old replicas were never retired: the same ones serve, the crashing ones are gone
    expect((await endpointsOf(uid)).map((e) => e.replica_id).sort()).toEqual(before);

    const view = await admin.models.get(uid);
    expect(view.state).toBe('running');
    expect(view.state_reason).toContain('r2 was rolled back automatically to r1');
    expect(view.deployment?.spec_revision).toBe(2); // the operator's spec stays as written; the plan does not
    const events = (await admin.models.events(uid, 100)).items;
    expect(events.map((e) => e.message)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^rollout to r2 rolled back to r1: revision 2 not ready within 10s/),
      ]),
    );
    await retire(uid);
  }, 180_000);

  it('a rollback to an earlier revision through the API rolls out with zero failed requests', async () => {
    const uid = 'back';
    await create(uid, 2);
    await admin.models.update(uid, { engine_config: { extra_args: ['--itl-ms=2'] } });
    await settled(uid, 2, 2, 'on r2');

    const back = await underLoad(
      uid,
      async () => {
        const r = await admin.models.rollback(uid, { to: 1 });
        expect(r).toMatchObject({ revision: 3, rollback_of: 1 });
      },
      () => settled(uid, 2, 3, 'rolled out r3'),
    );
    expectClean('rollback to r1 (as r3)', back);

    const [r1, r3] = await Promise.all([admin.models.revision(uid, 1), admin.models.revision(uid, 3)]);
    expect(r3.cause).toBe('rollback');
    expect(r3.spec.engine_config).toEqual(r1.spec.engine_config);
    expect((await admin.models.diff(uid, 3, 1)).changes).toEqual([]);
    const eps = await endpointsOf(uid);
    expect(eps.map((e) => e.revision)).toEqual([3, 3]);
    await retire(uid);
  }, 180_000);
});
