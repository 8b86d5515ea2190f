/**
 * The autoscaling policy through the model API: its own routes, and the create/update bodies (what
 * `nebula apply` sends). Validation is refused with a reason and changes nothing; while a policy is set the
 * replica count is the autoscaler's (409 AUTOSCALED for a manual count).
 */
import { describe, expect, it } from 'vitest';
import { ModelDeployment } from '../../src/core/domain/index.js';
import { keys } from '../../src/core/keys.js';
import { getJson } from '../../src/store/json.js';
import { useApp } from './helpers.js';

describe('autoscaling policy (API)', () => {
  const t = useApp();
  const policy = { min_replicas: 2, max_replicas: 4, scale_down_window: '30s' };
  const dep = async (uid: string) => (await getJson(t.store, keys.deployment(uid), ModelDeployment))?.value;
  const create = (uid: string, extra: Record<string, unknown>) =>
    t.call('POST', '/api/v2/models', {
      token: t.tokens.operator,
      body: { model_uid: uid, model_name: 'demo/a', model_source: 'local', engine_type: 'sim', ...extra },
    });

  it('create takes a policy and starts the count inside min..max', async () => {
    expect((await create('a1', { replicas: 1, autoscaling: policy })).status).toBe(201);
    const d = await dep('a1');
    expect(d?.autoscaling).toMatchObject({
      min_replicas: 2,
      max_replicas: 4,
      target: { metric: 'inflight', value: 8 },
    });
    expect(d?.replicas).toBe(2);
  });

  it('refuses a policy that cannot hold, and writes nothing', async () => {
    const res = await create('a2', { autoscaling: { min_replicas: 3, max_replicas: 2 } });
    expect(res.status).toBe(422);
    expect(await dep('a2')).toBeUndefined();
  });

  it('update sets, moves the count, refuses a manual count while set, and null turns it off', async () => {
    await create('a3', { replicas: 5 });
    const put = (body: Record<string, unknown>) =>
      t.call('PUT', '/api/v2/models/a3', { token: t.tokens.operator, body });
    expect((await put({ autoscaling: policy })).status).toBe(200);
    expect((await dep('a3'))?.replicas).toBe(4);
    const manual = await put({ replicas: 3 });
    expect(manual.status).toBe(409);
    expect(((await manual.json()) as { error: { code: string } }).error.code).toBe('AUTOSCALED');
    const scale = await t.call('PUT', '/api/v2/models/a3/scale', {
      token: t.tokens.operator,
      body: { replicas: 3 },
    });
    expect(scale.status).toBe(409);
    expect((await put({ autoscaling: null })).status).toBe(200);
    const d = await dep('a3');
    expect(d?.autoscaling).toBeUndefined();
    expect(d?.replicas).toBe(4);
    expect((await put({ replicas: 3 })).status).toBe(200);
  });

  it('viewers read the policy but cannot set it', async () => {
    const get = await t.call('GET', '/api/v2/models/a1/autoscaling', { token: t.tokens.viewer });
    expect(get.status).toBe(200);
    expect(((await get.json()) as { policy: { max_replicas: number } }).policy.max_replicas).toBe(4);
    const set = await t.call('PUT', '/api/v2/models/a1/autoscaling', {
      token: t.tokens.viewer,
      body: { policy: { min_replicas: 0, max_replicas: 1 } },
    });
    expect(set.status).toBe(403);
  });
});
