import { describe, expect, it } from 'vitest';
import { SYSTEM_TEMPLATES } from '../../src/server/models/system-templates.js';
import { makeApp, useApp } from './helpers.js';

describe('templates', () => {
  const t = useApp();
  const op = () => t.tokens.operator;

  it('seeds the built-in system templates once', async () => {
    const list = await t.json('GET', '/api/v2/templates', { token: t.tokens.viewer });
    const ids = list.items.map((x: { template_id: string }) => x.template_id);
    expect(ids).toEqual(expect.arrayContaining(SYSTEM_TEMPLATES.map((s) => s.template_id)));
    expect(ids).toEqual(
      expect.arrayContaining([
        'qwen2.5-7b-instruct-vllm',
        'llama-3.1-8b-instruct-vllm',
        'bge-m3-embedding',
        'bge-reranker-v2-m3',
        'qwen2.5-0.5b-instruct-gguf',
        'sim-demo',
      ]),
    );
    expect(list.items.every((x: { source: string }) => x.source === 'system')).toBe(true);
    const sim = await t.json('GET', '/api/v2/templates/sim-demo', { token: t.tokens.viewer });
    expect(sim.spec).toMatchObject({
      engine_type: 'sim',
      model_source: 'local',
      resources: { gpu_count: 0 },
    });
    // a second app on the same store does not duplicate or overwrite them
    const rev = (await t.store.get('/templates/sim-demo'))?.modRevision;
    await makeApp({}, { store: t.store });
    expect((await t.store.get('/templates/sim-demo'))?.modRevision).toBe(rev);
  });

  it('system templates cannot be edited or deleted', async () => {
    const put = await t.call('PUT', '/api/v2/templates/sim-demo', {
      token: op(),
      body: { name: 'mine now' },
    });
    expect(put.status).toBe(403);
    expect((await put.json()).error.code).toBe('SYSTEM_TEMPLATE_READONLY');
    const del = await t.call('DELETE', '/api/v2/templates/sim-demo', { token: t.tokens.admin });
    expect(del.status).toBe(403);
  });

  it('user templates: create (id from name), read, update with versions, delete', async () => {
    const created = await t.json('POST', '/api/v2/templates', {
      token: op(),
      body: {
        name: 'My Chat Model',
        category: 'chat',
        spec: {
          model_name: 'Qwen/Qwen2.5-1.5B-Instruct',
          model_source: 'huggingface',
          engine_type: 'vllm',
          engine_config: { max_model_len: 4096 },
        },
        deployment: { replicas: 2 },
      },
    });
    expect(created).toMatchObject({
      template_id: 'my-chat-model',
      source: 'user',
      deployment: { replicas: 2 },
    });
    expect(created.spec.engine_config).toMatchObject({ max_model_len: 4096, extra_args: [] });
    const dup = await t.call('POST', '/api/v2/templates', {
      token: op(),
      body: {
        template_id: 'my-chat-model',
        name: 'x',
        category: 'chat',
        spec: { model_name: 'a/b', model_source: 'huggingface', engine_type: 'vllm' },
      },
    });
    expect(dup.status).toBe(409);
    expect((await dup.json()).error.code).toBe('TEMPLATE_ALREADY_EXISTS');
    const bad = await t.call('POST', '/api/v2/templates', {
      token: op(),
      body: { name: 'x', category: 'poetry', spec: {} },
    });
    expect(bad.status).toBe(422);
    const stale = await t.call('PUT', '/api/v2/templates/my-chat-model', {
      token: op(),
      body: { description: 'x', resource_version: created.resource_version - 1 },
    });
    expect(stale.status).toBe(409);
    const up = await t.json('PUT', '/api/v2/templates/my-chat-model', {
      token: op(),
      headers: { 'if-match': `"${created.resource_version}"` },
      body: { description: 'small chat' },
    });
    expect(up.description).toBe('small chat');
    expect((await t.call('GET', '/api/v2/templates/nope', { token: op() })).status).toBe(404);
    expect((await (await t.call('GET', '/api/v2/templates/nope', { token: op() })).json()).error.code).toBe(
      'TEMPLATE_NOT_FOUND',
    );
    await t.json('DELETE', '/api/v2/templates/my-chat-model', { token: op() });
    expect((await t.call('GET', '/api/v2/templates/my-chat-model', { token: op() })).status).toBe(404);
  });

  it('deploys a template into a running model, and saves a model as a template', async () => {
    const m = await t.json('POST', '/api/v2/templates/sim-demo/deploy', {
      token: op(),
      body: { replicas: 3, labels: { env: 'dev' } },
    });
    expect(m).toMatchObject({
      model_uid: 'sim-demo',
      engine_type: 'sim',
      desired_state: 'running',
      desired_replicas: 3,
      labels: { env: 'dev' },
    });
    const m2 = await t.json('POST', '/api/v2/templates/sim-demo/deploy', { token: op() });
    expect(m2.model_uid).toBe('sim-demo-2');
    const m3 = await t.json('POST', '/api/v2/templates/sim-demo/deploy', {
      token: op(),
      body: { model_uid: 'demo-stopped', auto_start: false },
    });
    expect(m3.desired_state).toBe('stopped');
    expect(
      (
        await t.call('POST', '/api/v2/templates/sim-demo/deploy', {
          token: op(),
          body: { model_uid: 'demo-stopped' },
        })
      ).status,
    ).toBe(409);
    expect((await t.call('POST', '/api/v2/templates/none/deploy', { token: op() })).status).toBe(404);
    const saved = await t.json('POST', '/api/v2/models/sim-demo/save-as-template', {
      token: op(),
      body: { name: 'Sim x3', category: 'chat' },
    });
    expect(saved).toMatchObject({
      template_id: 'sim-x3',
      source: 'user',
      deployment: { replicas: 3 },
      spec: { model_name: 'nebula/sim-demo', labels: { env: 'dev' } },
    });
    expect(saved.spec.model_uid).toBeUndefined();
    expect(
      (await t.call('POST', '/api/v2/models/ghost/save-as-template', { token: op(), body: { name: 'x' } }))
        .status,
    ).toBe(404);
  });
});
