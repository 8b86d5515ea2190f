import { describe, expect, it } from 'vitest';
import type { ModelSource } from '../../src/core/domain/index.js';
import { keys } from '../../src/core/keys.js';
import { useApp } from './helpers.js';
import { putCache, putDownload, putEndpoint, putNode, putPlan } from './fixtures.js';

const base = { model_source: 'huggingface', engine_type: 'vllm' };

describe.each([false, true])('v2 models (view cache %s)', (viewCache) => {
  const purged: [string, ModelSource][] = [];
  const t = useApp({ viewCache }, { purgeCache: async (name, source) => void purged.push([name, source]) });
  const op = () => t.tokens.operator;

  it('creates spec + deployment, deriving a unique uid from the name', async () => {
    const a = await t.json('POST', '/api/v2/models', {
      token: op(),
      body: { ...base, model_name: 'BAAI/bge-m3' },
    });
    expect(a.model_uid).toBe('bge-m3');
    expect(a.state).toBe('stopped');
    expect(a.deployment).toMatchObject({ desired_state: 'stopped', replicas: 1, generation: 1 });
    expect(a.spec.resources.gpu_count).toBe(1);
    const b = await t.json('POST', '/api/v2/models', {
      token: op(),
      body: { ...base, model_name: 'BAAI/bge-m3', auto_start: true, replicas: 2 },
    });
    expect(b.model_uid).toBe('bge-m3-2');
    expect(b.deployment).toMatchObject({ desired_state: 'running', replicas: 2 });
    expect(b.state).toBe('starting');
    expect((await t.store.get(keys.modelSpec('bge-m3-2')))?.value).toContain('BAAI/bge-m3');
  });

  it('refuses a taken uid with 409 MODEL_ALREADY_EXISTS', async () => {
    const res = await t.call('POST', '/api/v2/models', {
      token: op(),
      body: { ...base, model_uid: 'bge-m3', model_name: 'x/y' },
    });
    expect(res.status).toBe(409);
    expect((await res.json()).error.code).toBe('MODEL_ALREADY_EXISTS');
  });

  it('refuses bad input with a 4xx that names the field, and writes nothing', async () => {
    const before = (await t.store.list('/models/', { keysOnly: true })).items.length;
    const rev = await t.store.revision();
    const cases: [unknown, number, string][] = [
      [{ ...base, model_uid: 'Bad_UID', model_name: 'a/b' }, 422, 'INVALID_MODEL_UID'],
      [{ ...base, model_uid: '-x', model_name: 'a/b' }, 422, 'INVALID_MODEL_UID'],
      [{ ...base, model_name: '../etc/passwd' }, 422, 'VALIDATION_FAILED'],
      [{ ...base, model_name: 'a/b', engine_type: 'tensorrt' }, 422, 'VALIDATION_FAILED'],
      [{ ...base, model_name: 'a/b', surprise: 1 }, 422, 'VALIDATION_FAILED'],
      [{ ...base, model_name: 'a/b', replicas: -1 }, 422, 'VALIDATION_FAILED'],
      [{ model_name: 'a/b', model_source: 'local', engine_type: 'vllm' }, 422, 'VALIDATION_FAILED'],
      ['{"model_name": ', 400, 'INVALID_JSON'],
    ];
    for (const [body, status, code] of cases) {
      const res = await t.call('POST', '/api/v2/models', { token: op(), body });
      const err = (await res.json()).error;
      expect(res.status, JSON.stringify(body)).toBe(status);
      expect(err.code, JSON.stringify(body)).toBe(code);
      if (status === 422) expect(err.details.issues.length).toBeGreaterThan(0);
    }
    expect((await t.store.list('/models/', { keysOnly: true })).items.length).toBe(before);
    // only audit events were written
    const after = await t.store.list('/', {});
    expect(
      after.items.filter((kv) => kv.modRevision > rev && !kv.key.startsWith('/audit/')).map((kv) => kv.key),
    ).toEqual([]);
  });

  it('a local model with the simulator needs no path; gpu_count defaults to 0 for sim', async () => {
    const m = await t.json('POST', '/api/v2/models', {
      token: op(),
      body: { model_uid: 'sim-a', model_name: 'nebula/sim', model_source: 'local', engine_type: 'sim' },
    });
    expect(m.spec.resources.gpu_count).toBe(0);
  });

  it('partial engine_config / resources change only the fields given (stored args, env, GPU count kept)', async () => {
    const m = await t.json('POST', '/api/v2/models', {
      token: op(),
      body: {
        model_uid: 'sim-partial',
        model_name: 'nebula/sim',
        model_source: 'local',
        engine_type: 'sim',
        engine_config: { extra_args: ['--ttft-ms', '5'], env: { NEBULA_LOG_LEVEL: 'debug' } },
        resources: { param_count_b: 1 },
      },
    });
    // A resources part without gpu_count keeps the simulator's default of 0 GPUs.
    expect(m.spec.resources).toEqual({ gpu_count: 0, param_count_b: 1 });
    const u = await t.json('PUT', '/api/v2/models/sim-partial', {
      token: op(),
      body: { engine_config: { max_model_len: 4096 }, resources: { gpu_memory_gib: 8 } },
    });
    expect(u.spec.engine_config).toMatchObject({ extra_args: ['--ttft-ms', '5'], max_model_len: 4096 });
    expect(Object.keys(u.spec.engine_config.env)).toEqual(['NEBULA_LOG_LEVEL']);
    expect(u.spec.resources).toEqual({ gpu_count: 0, param_count_b: 1, gpu_memory_gib: 8 });
    // Leaves the shared store as it found it (later cases count the models by state).
    expect(
      (await t.call('DELETE', '/api/v2/models/sim-partial', { token: t.tokens.admin })).status,
    ).toBeLessThan(300);
  });

  it('takes per-model proxy timeouts on create and update, and refuses bad ones naming the field', async () => {
    const m = await t.json('POST', '/api/v2/models', {
      token: op(),
      body: {
        model_uid: 'sim-timeouts',
        model_name: 'nebula/sim',
        model_source: 'local',
        engine_type: 'sim',
        proxy_timeouts: { first_byte: '15m', idle: '90s' },
      },
    });
    expect(m.spec.proxy_timeouts).toEqual({ first_byte: '15m', idle: '90s' });
    const u = await t.json('PUT', '/api/v2/models/sim-timeouts', {
      token: op(),
      body: { proxy_timeouts: { idle: '30s' } },
    });
    expect(u.spec.proxy_timeouts).toEqual({ idle: '30s' });
    for (const proxy_timeouts of [{ idle: 'soon' }, { first_byte: '100ms' }, { read: '5s' }]) {
      const res = await t.call('PUT', '/api/v2/models/sim-timeouts', {
        token: op(),
        body: { proxy_timeouts },
      });
      expect(res.status, JSON.stringify(proxy_timeouts)).toBe(422);
      const err = (await res.json()).error;
      expect(JSON.stringify(err.details.issues)).toContain('proxy_timeouts');
    }
    const cleared = await t.json('PUT', '/api/v2/models/sim-timeouts', {
      token: op(),
      body: { proxy_timeouts: null },
    });
    expect(cleared.spec.proxy_timeouts).toBeUndefined();
    expect(
      (await t.call('DELETE', '/api/v2/models/sim-timeouts', { token: t.tokens.admin })).status,
    ).toBeLessThan(300);
  });

  it('invalid uid in the path is 400 INVALID_MODEL_UID; unknown uid 404 MODEL_NOT_FOUND', async () => {
    const bad = await t.call('GET', '/api/v2/models/Not_Valid', { token: t.tokens.viewer });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.code).toBe('INVALID_MODEL_UID');
    const missing = await t.call('GET', '/api/v2/models/nope', { token: t.tokens.viewer });
    expect(missing.status).toBe(404);
    expect((await missing.json()).error.code).toBe('MODEL_NOT_FOUND');
  });

  it('start / stop / scale change the deployment and bump its generation; no-ops do not', async () => {
    const uid = 'bge-m3';
    let v = await t.json('POST', `/api/v2/models/${uid}/start`, { token: op() });
    expect(v.deployment).toMatchObject({ desired_state: 'running', replicas: 1, generation: 2 });
    v = await t.json('POST', `/api/v2/models/${uid}/start`, { token: op(), body: {} });
    expect(v.deployment.generation).toBe(2);
    v = await t.json('PUT', `/api/v2/models/${uid}/scale`, { token: op(), body: { replicas: 3 } });
    expect(v.deployment).toMatchObject({ replicas: 3, generation: 3 });
    v = await t.json('POST', `/api/v2/models/${uid}/stop`, { token: op() });
    expect(v.deployment).toMatchObject({ desired_state: 'stopped', replicas: 3, generation: 4 });
    v = await t.json('POST', `/api/v2/models/${uid}/start`, { token: op(), body: { replicas: 2 } });
    expect(v.deployment).toMatchObject({ desired_state: 'running', replicas: 2, generation: 5 });
    const bad = await t.call('PUT', `/api/v2/models/${uid}/scale`, {
      token: op(),
      body: { replicas: 'many' },
    });
    expect(bad.status).toBe(422);
    const events = await t.json('GET', `/api/v2/models/${uid}/events`, { token: t.tokens.viewer });
    expect(events.items.map((e: { type: string }) => e.type)).toEqual(
      expect.arrayContaining(['created', 'scaled', 'stopped']),
    );
    expect(events.items[0].type).toBe('updated'); // newest first: the last start
  });

  it('updates partially, with ETag / If-Match and resource_version checks (409 CONFLICT when stale)', async () => {
    const res = await t.call('GET', '/api/v2/models/bge-m3', { token: t.tokens.viewer });
    const view = await res.json();
    expect(res.headers.get('etag')).toBe(`"${view.resource_version}"`);
    const updated = await t.json('PUT', '/api/v2/models/bge-m3', {
      token: op(),
      headers: { 'if-match': `"${view.resource_version}"` },
      body: { description: 'embeddings', engine_config: { max_model_len: 8192 }, labels: { team: 'search' } },
    });
    expect(updated.spec).toMatchObject({
      description: 'embeddings',
      model_name: 'BAAI/bge-m3',
      labels: { team: 'search' },
    });
    expect(updated.spec.engine_config).toMatchObject({ max_model_len: 8192, extra_args: [] });
    expect(updated.deployment.generation).toBe(view.deployment.generation + 1);
    const stale = await t.call('PUT', '/api/v2/models/bge-m3', {
      token: op(),
      headers: { 'if-match': `"${view.resource_version}"` },
      body: { description: 'x' },
    });
    expect(stale.status).toBe(409);
    expect((await stale.json()).error.code).toBe('CONFLICT');
    const staleBody = await t.call('PUT', '/api/v2/models/bge-m3/scale', {
      token: op(),
      body: { replicas: 5, resource_version: view.resource_version },
    });
    expect(staleBody.status).toBe(409);
    const cleared = await t.json('PUT', '/api/v2/models/bge-m3', {
      token: op(),
      body: { description: null },
    });
    expect(cleared.spec.description).toBeUndefined();
    const bad = await t.call('PUT', '/api/v2/models/bge-m3', {
      token: op(),
      body: { model_source: 'local' },
    });
    expect(bad.status).toBe(422);
    expect((await t.json('GET', '/api/v2/models/bge-m3', { token: op() })).spec.model_source).toBe(
      'huggingface',
    );
  });

  it('two concurrent edits of the same version: one wins, the other gets 409', async () => {
    const v = await t.json('GET', '/api/v2/models/bge-m3', { token: op() });
    const results = await Promise.all(
      ['first', 'second', 'third'].map((d) =>
        t.call('PUT', '/api/v2/models/bge-m3', {
          token: op(),
          body: { description: d, resource_version: v.resource_version },
        }),
      ),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses).toEqual([200, 409, 409]);
    const winner = (await t.json('GET', '/api/v2/models/bge-m3', { token: op() })).spec.description;
    expect(['first', 'second', 'third']).toContain(winner);
  });

  it('lists with aggregated state, replica counts, filters and paging', async () => {
    await putNode(t.store, 'node-a');
    // bge-m3 runs 2 replicas: one ready, one crashed -> degraded
    await putPlan(t.store, 'bge-m3', [
      { replica: 0, node: 'node-a' },
      { replica: 1, node: 'node-a', gpus: [1] },
    ]);
    await putEndpoint(t.store, 'bge-m3', 0, 'ready');
    await putEndpoint(t.store, 'bge-m3', 1, 'failed', { restarts: 2, lastError: 'CUDA OOM' });
    // bge-m3-2 (running, 2 replicas): downloading
    await putPlan(t.store, 'bge-m3-2', [{ replica: 0, node: 'node-a' }]);
    await putDownload(t.store, 'bge-m3-2', 0, 'downloading', 30, 120);
    const list = await t.json('GET', '/api/v2/models', { token: t.tokens.viewer });
    const by = Object.fromEntries(list.items.map((m: { model_uid: string }) => [m.model_uid, m]));
    expect(by['bge-m3']).toMatchObject({
      state: 'degraded',
      ready_replicas: 1,
      total_replicas: 2,
      desired_replicas: 2,
      plan_version: 1,
    });
    expect(by['bge-m3'].state_reason).toContain('CUDA OOM');
    expect(by['bge-m3-2']).toMatchObject({
      state: 'downloading',
      download: { bytes_done: 30, bytes_total: 120, percent: 25 },
    });
    expect(by['sim-a'].state).toBe('stopped');
    expect(list.counts).toMatchObject({ degraded: 1, downloading: 1, stopped: 1 });
    const only = await t.json('GET', '/api/v2/models?state=downloading', { token: t.tokens.viewer });
    expect(only.items.map((m: { model_uid: string }) => m.model_uid)).toEqual(['bge-m3-2']);
    const q = await t.json('GET', '/api/v2/models?q=SIM', { token: t.tokens.viewer });
    expect(q.items.map((m: { model_uid: string }) => m.model_uid)).toEqual(['sim-a']);
    const label = await t.json('GET', '/api/v2/models?label=team%3Dsearch', { token: t.tokens.viewer });
    expect(label.items.map((m: { model_uid: string }) => m.model_uid)).toEqual(['bge-m3']);
    const page = await t.json('GET', '/api/v2/models?limit=1&offset=1', { token: t.tokens.viewer });
    expect(page).toMatchObject({ total: 3, limit: 1, offset: 1 });
    expect(page.items).toHaveLength(1);
    expect((await t.call('GET', '/api/v2/models?limit=0', { token: t.tokens.viewer })).status).toBe(400);
    expect((await t.call('GET', '/api/v2/models?state=sleepy', { token: t.tokens.viewer })).status).toBe(400);
  });

  it('details: spec, deployment, plan, endpoints, downloads, cache, events, state', async () => {
    await putCache(t.store, 'node-a', 'BAAI/bge-m3', 2_000_000_000);
    await putCache(t.store, 'node-b', 'other/model', 1);
    const d = await t.json('GET', '/api/v2/models/bge-m3', { token: t.tokens.viewer });
    expect(d.plan.assignments).toHaveLength(2);
    expect(d.endpoints.map((e: { status: string }) => e.status).sort()).toEqual(['failed', 'ready']);
    expect(d.cache).toHaveLength(1);
    expect(d.cache[0]).toMatchObject({ node_id: 'node-a', size_bytes: 2_000_000_000 });
    expect(d.events.length).toBeGreaterThan(3);
    expect(d.state).toBe('degraded');
    expect(d.stats).toBeNull();
    const d2 = await t.json('GET', '/api/v2/models/bge-m3-2', { token: t.tokens.viewer });
    expect(d2.downloads[0]).toMatchObject({ phase: 'downloading', bytes_total: 120 });
  });

  it('deletes spec and deployment; purge asks the cache hook', async () => {
    const del = await t.json('DELETE', '/api/v2/models/bge-m3?purge=true', { token: t.tokens.admin });
    expect(del).toEqual({ model_uid: 'bge-m3', deleted: true, purge: 'requested' });
    expect(purged).toEqual([['BAAI/bge-m3', 'huggingface']]);
    expect(await t.store.get(keys.modelSpec('bge-m3'))).toBeUndefined();
    expect(await t.store.get(keys.deployment('bge-m3'))).toBeUndefined();
    expect((await t.call('GET', '/api/v2/models/bge-m3', { token: t.tokens.viewer })).status).toBe(404);
    expect((await t.call('DELETE', '/api/v2/models/bge-m3', { token: t.tokens.admin })).status).toBe(404);
    const plain = await t.json('DELETE', '/api/v2/models/sim-a', { token: t.tokens.admin });
    expect(plain.purge).toBe('not_requested');
    expect((await t.call('DELETE', '/api/v2/models/bge-m3-2', { token: t.tokens.operator })).status).toBe(
      403,
    );
  });
});
