import { beforeAll, describe, expect, it } from 'vitest';
import { DrainRequest } from '../../src/core/domain/index.js';
import { keys } from '../../src/core/keys.js';
import { getJson } from '../../src/store/json.js';
import { createModel, useApp } from './helpers.js';
import { GIB, putPlan } from './fixtures.js';

describe('drain of one replica (a request the scheduler carries out)', () => {
  const t = useApp();
  beforeAll(async () => {
    await createModel(t, 'm1', { auto_start: true, replicas: 2 });
    await putPlan(t.store, 'm1', [
      { replica: 0, node: 'node-a', gpus: [0], mem: 30 * GIB },
      { replica: 1, node: 'node-a', gpus: [1], mem: 30 * GIB },
    ]);
    await createModel(t, 'idle', { auto_start: false });
  });
  const path = (uid: string, rid: number | string) => `/api/v2/models/${uid}/replicas/${rid}/drain`;

  it('writes a DrainRequest (202) once; asking again returns the pending one', async () => {
    const res = await t.call('POST', path('m1', 1), { token: t.tokens.operator });
    expect(res.status).toBe(202);
    const body = await res.json();
    expect(body).toMatchObject({
      model_uid: 'm1',
      replica_id: 1,
      requested_by: 'user:operator',
      reason: 'replica',
    });
    const stored = await getJson(t.store, keys.drain('m1', 1), DrainRequest);
    expect(stored?.value).toEqual(body);
    const again = await t.call('POST', path('m1', 1), { token: t.tokens.admin });
    expect(again.status).toBe(202);
    expect((await again.json()).requested_by).toBe('user:operator');
  });

  it('cancel deletes the pending request; a second cancel is 404', async () => {
    const res = await t.call('DELETE', path('m1', 1), { token: t.tokens.operator });
    expect(res.status).toBe(200);
    expect(await t.store.get(keys.drain('m1', 1))).toBeUndefined();
    expect((await t.call('DELETE', path('m1', 1), { token: t.tokens.operator })).status).toBe(404);
  });

  it('refuses what cannot be drained, and changes nothing', async () => {
    const unknownReplica = await t.call('POST', path('m1', 7), { token: t.tokens.operator });
    expect(unknownReplica.status).toBe(404);
    expect((await unknownReplica.json()).error.code).toBe('REPLICA_NOT_FOUND');
    const unknownModel = await t.call('POST', path('nope', 0), { token: t.tokens.operator });
    expect(unknownModel.status).toBe(404);
    const stopped = await t.call('POST', path('idle', 0), { token: t.tokens.operator });
    expect(stopped.status).toBe(409);
    expect((await t.call('POST', path('m1', 'x'), { token: t.tokens.operator })).status).toBe(400);
    expect((await t.call('POST', path('m1', 0), { token: t.tokens.viewer })).status).toBe(403);
    expect((await t.store.list('/drains/')).items).toHaveLength(0);
  });
});
