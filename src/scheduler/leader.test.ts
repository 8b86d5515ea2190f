import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { keys } from '../core/keys.js';
import { silentLogger } from '../core/logger.js';
import { openEmbeddedStore } from '../store/embedded/index.js';
import type { Store } from '../store/types.js';
import { planOf, workload } from './fixtures.js';
import { LeaderElector } from './leader.js';
import { emptyOp, executeOp } from './pass/index.js';
import { waitFor } from '../../test/helpers/wait-for.js';

describe('leader election and fencing', () => {
  let store: Store;
  const electors: LeaderElector[] = [];

  beforeEach(async () => {
    store = await openEmbeddedStore({});
  });
  afterEach(async () => {
    for (const e of electors.splice(0)) await e.stop(false);
    await store.close();
  });

  const elector = async (id: string, log: string[]) => {
    const lease = await store.grantLease(30);
    const e = new LeaderElector(store, {
      name: 'scheduler',
      instanceId: id,
      leaseId: () => lease,
      checkEveryMs: 50,
      logger: silentLogger(),
      onElected: () => log.push(`${id}:elected`),
      onDeposed: () => log.push(`${id}:deposed`),
    });
    electors.push(e);
    await e.start();
    return { e, lease };
  };

  it('one leader at a time; the other takes over when the key goes', async () => {
    const log: string[] = [];
    const a = await elector('a', log);
    const b = await elector('b', log);
    expect(a.e.isLeader).toBe(true);
    expect(b.e.isLeader).toBe(false);
    const record = JSON.parse((await store.get(keys.leader('scheduler')))!.value) as { holder: string };
    expect(record.holder).toBe('a');

    await store.revokeLease(a.lease); // a's lease expires
    await waitFor(() => b.e.isLeader, { timeoutMs: 3000, intervalMs: 10, what: 'b elected' });
    await waitFor(() => !a.e.isLeader, { timeoutMs: 3000, intervalMs: 10, what: 'a deposed' });
    expect([...log].sort()).toEqual(['a:deposed', 'a:elected', 'b:elected']);
  });

  it('a write fenced by a stale leadership is refused and changes nothing', async () => {
    const log: string[] = [];
    const a = await elector('a', log);
    const staleFence = a.e.fence();
    const w = workload('m');
    const op = { ...emptyOp('m', 'm', undefined), planPut: planOf(w, []) };
    expect(await executeOp(store, staleFence, op)).toBeGreaterThan(0);

    // Leadership moves on (a new leader key), while `a` still holds its old fence.
    await store.delete(keys.leader('scheduler'));
    await store.put(
      keys.leader('scheduler'),
      JSON.stringify({ holder: 'b', since: new Date().toISOString() }),
    );
    const before = await store.get(keys.placement('m'));
    const op2 = { ...emptyOp('m', 'm', undefined), planDelete: true };
    expect(
      await executeOp(store, staleFence, {
        ...op2,
        prevPlan: {
          key: before!.key,
          value: op.planPut,
          modRevision: before!.modRevision,
          createRevision: before!.createRevision,
          version: 1,
        },
      }),
    ).toBeUndefined();
    expect((await store.get(keys.placement('m')))?.modRevision).toBe(before?.modRevision);
  });

  it('a write from a stale view of the plan is refused', async () => {
    const a = await elector('a', []);
    const w = workload('m');
    const op = { ...emptyOp('m', 'm', undefined), planPut: planOf(w, []) };
    expect(await executeOp(store, a.e.fence(), op)).toBeGreaterThan(0);
    // Same op again: it believes the plan is absent, but it exists now.
    expect(await executeOp(store, a.e.fence(), op)).toBeUndefined();
  });
});
