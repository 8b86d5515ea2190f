import { describe, expect, it } from 'vitest';
import { ModelDeployment, ModelRevision, ModelRequest, ModelSpec } from '../../src/core/domain/index.js';
import { keys } from '../../src/core/keys.js';
import { decode, encode, getJson } from '../../src/store/json.js';
import { useApp } from './helpers.js';

const base = { model_source: 'huggingface', engine_type: 'vllm' };

describe('model revisions, diff, rollback, rollout pause (issue 17)', () => {
  const t = useApp();
  const op = () => t.tokens.operator;
  const viewer = () => t.tokens.viewer;
  const revisionsOf = async (uid: string) =>
    (await t.store.list(keys.modelRevisionsOf(uid))).items.map((kv) => decode(ModelRevision, kv).value);
  const deploymentOf = async (uid: string) =>
    (await getJson(t.store, keys.deployment(uid), ModelDeployment))?.value;

  it('create writes revision 1 with the spec, and the deployment names it', async () => {
    const m = await t.json('POST', '/api/v2/models', {
      token: op(),
      body: { ...base, model_uid: 'r-one', model_name: 'org/one' },
    });
    expect(m.revision).toBe(1);
    expect(m.deployment.spec_revision).toBe(1);
    const revs = await revisionsOf('r-one');
    expect(revs).toHaveLength(1);
    expect(revs[0]).toMatchObject({
      revision: 1,
      cause: 'create',
      created_by: expect.stringMatching(/^key:[0-9a-f]+$/),
      changed: [],
    });
    expect(revs[0]?.spec.model_name).toBe('org/one');
  });

  it('an update of the spec makes a new revision naming the changed fields; a no-op update makes none', async () => {
    await t.json('POST', '/api/v2/models', {
      token: op(),
      body: { ...base, model_uid: 'r-upd', model_name: 'org/upd' },
    });
    const gen1 = (await deploymentOf('r-upd'))?.generation ?? 0;
    const u = await t.json('PUT', '/api/v2/models/r-upd', {
      token: op(),
      body: { engine_config: { max_model_len: 4096 }, description: 'longer context' },
    });
    expect(u.revision).toBe(2);
    const dep = await deploymentOf('r-upd');
    expect(dep?.spec_revision).toBe(2);
    expect(dep?.generation).toBe(gen1 + 1);
    const r2 = (await revisionsOf('r-upd')).find((r) => r.revision === 2);
    expect(r2).toMatchObject({ cause: 'update', created_by: expect.stringMatching(/^key:[0-9a-f]+$/) });
    expect(r2?.changed).toEqual(['engine_config', 'description']);

    // the same values again: nothing changes (no revision, no new generation)
    const storeRev = await t.store.revision();
    await t.json('PUT', '/api/v2/models/r-upd', {
      token: op(),
      body: { engine_config: { max_model_len: 4096 }, description: 'longer context' },
    });
    expect(await revisionsOf('r-upd')).toHaveLength(2);
    expect((await deploymentOf('r-upd'))?.generation).toBe(gen1 + 1);
    const written = (await t.store.list('/', {})).items.filter(
      (kv) => kv.modRevision > storeRev && !kv.key.startsWith('/audit/'),
    );
    expect(written.map((kv) => kv.key)).toEqual([]);

    // a deployment-only change (replicas, rollout policy) makes no revision either
    const s = await t.json('PUT', '/api/v2/models/r-upd', {
      token: op(),
      body: { replicas: 3, rollout: { max_surge: 1, max_unavailable: 0, progress_deadline_seconds: 120 } },
    });
    expect(s.revision).toBe(2);
    expect(await revisionsOf('r-upd')).toHaveLength(2);
    expect((await deploymentOf('r-upd'))?.rollout).toMatchObject({
      strategy: 'rolling',
      max_surge: 1,
      max_unavailable: 0,
      progress_deadline_seconds: 120,
      paused: false,
    });
  });

  it('refuses a rollout policy that could never move, and bad rollout fields, writing nothing', async () => {
    const cases: unknown[] = [
      { rollout: { max_surge: 0, max_unavailable: 0 } },
      { rollout: { strategy: 'bluegreen' } },
      { rollout: { progress_deadline_seconds: 1 } },
      { rollout: { paused: true } },
    ];
    const before = await deploymentOf('r-upd');
    for (const body of cases) {
      const res = await t.call('PUT', '/api/v2/models/r-upd', { token: op(), body });
      expect(res.status, JSON.stringify(body)).toBe(422);
    }
    expect(await deploymentOf('r-upd')).toEqual(before);
    const res = await t.call('POST', '/api/v2/models', {
      token: op(),
      body: { ...base, model_uid: 'r-bad', model_name: 'a/b', rollout: { max_surge: 0, max_unavailable: 0 } },
    });
    expect(res.status).toBe(422);
    expect(await t.store.get(keys.modelSpec('r-bad'))).toBeUndefined();
  });

  it('lists revisions newest first (paged), reads one, and diffs two field by field', async () => {
    await t.json('PUT', '/api/v2/models/r-upd', {
      token: op(),
      body: { engine_config: { env: { NCCL_DEBUG: 'INFO' } }, labels: { team: 'a' } },
    });
    const list = await t.json('GET', '/api/v2/models/r-upd/revisions', { token: viewer() });
    expect(list.current).toBe(3);
    expect(list.total).toBe(3);
    expect(list.items.map((r: { revision: number }) => r.revision)).toEqual([3, 2, 1]);
    const page = await t.json('GET', '/api/v2/models/r-upd/revisions?limit=1&offset=1', { token: viewer() });
    expect(page.items.map((r: { revision: number }) => r.revision)).toEqual([2]);

    const one = await t.json('GET', '/api/v2/models/r-upd/revisions/2', { token: viewer() });
    expect(one.spec.engine_config.max_model_len).toBe(4096);

    const d = await t.json('GET', '/api/v2/models/r-upd/revisions/3/diff', { token: viewer() });
    expect(d.against).toBe(2);
    expect(d.changes).toEqual([
      { path: 'engine_config.env.NCCL_DEBUG', before: null, after: 'INFO' },
      { path: 'labels.team', before: null, after: 'a' },
    ]);
    const d31 = await t.json('GET', '/api/v2/models/r-upd/revisions/3/diff?against=1', { token: viewer() });
    expect(d31.changes.map((c: { path: string }) => c.path)).toEqual([
      'engine_config.env.NCCL_DEBUG',
      'engine_config.max_model_len',
      'labels.team',
      'description',
    ]);
    const d1 = await t.json('GET', '/api/v2/models/r-upd/revisions/1/diff', { token: viewer() });
    expect(d1.against).toBeNull();
    expect(d1.changes.some((c: { path: string }) => c.path === 'model_name')).toBe(true);

    expect((await t.call('GET', '/api/v2/models/r-upd/revisions/9', { token: viewer() })).status).toBe(404);
    expect((await t.call('GET', '/api/v2/models/r-upd/revisions/0', { token: viewer() })).status).toBe(400);
    expect(
      (await t.call('GET', '/api/v2/models/r-upd/revisions/3/diff?against=9', { token: viewer() })).status,
    ).toBe(404);
    expect((await t.call('GET', '/api/v2/models/nope/revisions', { token: viewer() })).status).toBe(404);
  });

  it('rolls back to the previous revision by default, as a new revision; 404, 409, 422 otherwise', async () => {
    const r = await t.json('POST', '/api/v2/models/r-upd/rollback', { token: op(), body: {} });
    expect(r).toMatchObject({ model_uid: 'r-upd', revision: 4, rollback_of: 2 });
    expect(r.changed).toEqual(['engine_config', 'labels']);
    const m = await t.json('GET', '/api/v2/models/r-upd', { token: viewer() });
    expect(m.revision).toBe(4);
    expect(m.spec.engine_config.env).toEqual({});
    expect(m.spec.labels).toEqual({});
    const r4 = (await revisionsOf('r-upd')).find((x) => x.revision === 4);
    expect(r4).toMatchObject({
      cause: 'rollback',
      rollback_of: 2,
      created_by: expect.stringMatching(/^key:[0-9a-f]+$/),
    });

    const to1 = await t.json('POST', '/api/v2/models/r-upd/rollback', {
      token: op(),
      body: { to: 1, message: 'back to the start' },
    });
    expect(to1).toMatchObject({ revision: 5, rollback_of: 1 });
    expect((await revisionsOf('r-upd')).find((x) => x.revision === 5)?.message).toBe('back to the start');

    const storeRev = await t.store.revision();
    const same = await t.call('POST', '/api/v2/models/r-upd/rollback', { token: op(), body: { to: 1 } });
    expect(same.status).toBe(409);
    expect((await same.json()).error.code).toBe('NOTHING_TO_ROLL_BACK');
    const missing = await t.call('POST', '/api/v2/models/r-upd/rollback', { token: op(), body: { to: 42 } });
    expect(missing.status).toBe(404);
    expect((await missing.json()).error.code).toBe('REVISION_NOT_FOUND');
    for (const body of [{ to: 0 }, { to: 'one' }, { to: 1, extra: true }]) {
      const bad = await t.call('POST', '/api/v2/models/r-upd/rollback', { token: op(), body });
      expect(bad.status, JSON.stringify(body)).toBe(422);
    }
    const viewerTry = await t.call('POST', '/api/v2/models/r-upd/rollback', { token: viewer(), body: {} });
    expect(viewerTry.status).toBe(403);
    const written = (await t.store.list('/', {})).items.filter(
      (kv) => kv.modRevision > storeRev && !kv.key.startsWith('/audit/'),
    );
    expect(written.map((kv) => kv.key)).toEqual([]);

    const only = await t.json('POST', '/api/v2/models', {
      token: op(),
      body: { ...base, model_uid: 'r-only', model_name: 'org/only' },
    });
    expect(only.revision).toBe(1);
    const none = await t.call('POST', '/api/v2/models/r-only/rollback', { token: op() });
    expect(none.status).toBe(409);
  });

  it('audits a rollback', async () => {
    const res = await t.json('GET', '/api/v2/audit?action=model.rollback', { token: t.tokens.admin });
    const items = res.items as { action: string; resource: string }[];
    expect(items.some((a) => a.action === 'model.rollback' && a.resource === 'model/r-upd')).toBe(true);
  });

  it('pauses and resumes the rollout (operator), viewers cannot', async () => {
    const p = await t.json('POST', '/api/v2/models/r-upd/rollout/pause', { token: op() });
    expect(p).toMatchObject({ paused: true, revision: 5 });
    expect((await deploymentOf('r-upd'))?.rollout?.paused).toBe(true);
    expect((await t.call('POST', '/api/v2/models/r-upd/rollout/resume', { token: viewer() })).status).toBe(
      403,
    );
    const r = await t.json('POST', '/api/v2/models/r-upd/rollout/resume', { token: op() });
    expect(r.paused).toBe(false);
    expect((await deploymentOf('r-upd'))?.rollout?.paused).toBe(false);
  });

  it('a model from before revisions gets revision 1 from its spec on first read, then counts on', async () => {
    const now = new Date().toISOString();
    const spec = ModelSpec.parse({
      model_uid: 'r-old',
      model_name: 'org/old',
      model_source: 'huggingface',
      engine_type: 'vllm',
      created_at: now,
      updated_at: now,
    });
    const dep = ModelDeployment.parse({
      model_uid: 'r-old',
      desired_state: 'stopped',
      replicas: 1,
      generation: 4,
      created_at: now,
      updated_at: now,
    });
    await t.store.put(keys.modelSpec('r-old'), encode(ModelSpec, spec));
    await t.store.put(keys.deployment('r-old'), encode(ModelDeployment, dep));
    const list = await t.json('GET', '/api/v2/models/r-old/revisions', { token: viewer() });
    expect(list.current).toBe(1);
    expect(list.items).toHaveLength(1);
    expect(list.items[0]).toMatchObject({ revision: 1, cause: 'migrate', created_by: 'system' });
    expect(await deploymentOf('r-old')).toMatchObject({ spec_revision: 1, generation: 4 });
    const u = await t.json('PUT', '/api/v2/models/r-old', { token: op(), body: { description: 'x' } });
    expect(u.revision).toBe(2);

    // and the same at start-up, for a model nobody read yet
    await t.store.put(keys.modelSpec('r-old2'), encode(ModelSpec, { ...spec, model_uid: 'r-old2' }));
    await t.store.put(keys.deployment('r-old2'), encode(ModelDeployment, { ...dep, model_uid: 'r-old2' }));
    expect(await t.app.context.models.backfillRevisions()).toBe(1);
    expect((await revisionsOf('r-old2')).map((r) => r.revision)).toEqual([1]);
    expect(await t.app.context.models.backfillRevisions()).toBe(0);
  });

  it('template deploy and v1 migration write revision 1', async () => {
    await t.json('POST', '/api/v2/templates', {
      token: op(),
      body: {
        template_id: 'rev-tpl',
        name: 'rev tpl',
        category: 'chat',
        spec: { model_name: 'org/tpl', model_source: 'huggingface', engine_type: 'vllm' },
      },
    });
    const m = await t.json('POST', '/api/v2/templates/rev-tpl/deploy', {
      token: op(),
      body: { model_uid: 'r-tpl', auto_start: false },
    });
    expect(m.revision).toBe(1);
    expect((await revisionsOf('r-tpl'))[0]).toMatchObject({
      cause: 'create',
      created_by: expect.stringMatching(/^key:[0-9a-f]+$/),
    });

    const now = new Date().toISOString();
    const req = ModelRequest.parse({
      request_id: 'req-rev',
      spec: {
        model_uid: 'r-v1',
        model_name: 'org/v1',
        model_source: 'huggingface',
        engine_type: 'vllm',
        created_at: now,
        updated_at: now,
      },
      replicas: 1,
      status: 'Pending',
      created_at: now,
      updated_at: now,
    });
    await t.store.put(keys.modelRequest('req-rev'), encode(ModelRequest, req));
    await t.json('POST', '/api/v2/migrate', { token: t.tokens.admin });
    expect((await revisionsOf('r-v1'))[0]).toMatchObject({
      revision: 1,
      cause: 'migrate',
      created_by: 'system',
    });
    expect((await deploymentOf('r-v1'))?.spec_revision).toBe(1);
  });

  it('deleting a model deletes its history; a new model of that uid starts at 1', async () => {
    expect((await revisionsOf('r-upd')).length).toBeGreaterThan(1);
    await t.json('DELETE', '/api/v2/models/r-upd', { token: t.tokens.admin });
    expect(await revisionsOf('r-upd')).toEqual([]);
    const again = await t.json('POST', '/api/v2/models', {
      token: op(),
      body: { ...base, model_uid: 'r-upd', model_name: 'org/again' },
    });
    expect(again.revision).toBe(1);
    expect((await revisionsOf('r-upd')).map((r) => r.revision)).toEqual([1]);
  });
});
