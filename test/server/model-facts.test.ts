/**
 * Model files facts at create / import / update (DESIGN §11): the server reads the fake hub's file list
 * and config.json once, stores them in spec.facts, the detail shows the estimate from them, clients cannot
 * set facts, and a hub that is away never blocks a create.
 */
import { describe, expect, it } from 'vitest';
import { startFakeHub } from '../fake-hub/index.js';
import { makeApp, useHubApp } from './helpers.js';

describe('model files facts', () => {
  const { hub, t } = useHubApp();
  const op = () => t.tokens.operator;

  it('import reads sizes and config.json once; the detail shows the estimate from them', async () => {
    hub.clearRequests();
    const r = await t.json('POST', '/api/v2/catalog/import', {
      token: op(),
      body: {
        provider: 'huggingface',
        model_id: 'nebula-test/tiny-llm',
        model_uid: 'facts-hf',
        auto_start: false,
      },
    });
    expect(r.model.spec.facts).toMatchObject({
      read_for: { model_name: 'nebula-test/tiny-llm', model_source: 'huggingface', revision: 'main' },
      format: 'safetensors',
      weights_bytes: 2 * 1024 * 1024,
      weights_from: 'hub-file-list',
      geometry_from: 'config.json',
      architecture: 'llama',
      num_layers: 2,
      hidden_size: 256,
      num_attention_heads: 4,
      max_context: 4096,
      dtype: 'bfloat16',
    });
    // The file list came with the import's detail call: only config.json was fetched in addition.
    const paths = hub.requests.map((q) => q.path);
    expect(paths.filter((p) => p.includes('config.json'))).toHaveLength(1);
    expect(paths.some((p) => p.includes('model.safetensors') && !p.includes('/api/'))).toBe(false);
    const d = await t.json('GET', '/api/v2/models/facts-hf', { token: t.tokens.viewer });
    expect(d.memory_estimate).toMatchObject({ basis: 'facts', gpu_count: 1 });
    // 2 layers x 4 KV heads x (64 + 64) x 2 bytes = 2 KiB/token, x 4096 tokens = 8 MiB of KV.
    expect(d.memory_estimate.parts).toMatchObject({
      weights_from: 'files',
      kv_from: 'config.json',
      kv_bytes_per_token: 2048,
      kv_tokens: 4096,
      kv_bytes: 8 * 1024 * 1024,
    });
    expect(d.memory_estimate.summary).toMatch(/GiB\/GPU = 0\.0 weights \+ 0\.0 KV at 4k \+ \d\.\d runtime/);
    const ev = await t.json('GET', '/api/v2/models/facts-hf/events', { token: t.tokens.viewer });
    expect(ev.items.find((e: { type: string }) => e.type === 'facts')?.message).toMatch(
      /model files facts: 2 MiB of safetensors weights, 2 layers, 4 KV heads/,
    );
  });

  it('create computes them too (ModelScope), the simulator needs none', async () => {
    const r = await t.json('POST', '/api/v2/models', {
      token: op(),
      body: {
        model_uid: 'facts-ms',
        model_name: 'nebula-test/tiny-llm',
        model_source: 'modelscope',
        engine_type: 'sglang',
      },
    });
    expect(r.spec.facts).toMatchObject({ weights_bytes: 2 * 1024 * 1024, num_layers: 2 });
    const sim = await t.json('POST', '/api/v2/models', {
      token: op(),
      body: {
        model_uid: 'facts-sim',
        model_name: 'nebula-test/tiny-llm',
        model_source: 'huggingface',
        engine_type: 'sim',
      },
    });
    expect(sim.spec.facts).toBeUndefined();
  });

  it('clients cannot set facts: create and update refuse the field with 422 and change nothing', async () => {
    const facts = { read_for: {}, weights_bytes: 1 };
    const c = await t.call('POST', '/api/v2/models', {
      token: op(),
      body: {
        model_uid: 'facts-evil',
        model_name: 'org/x',
        model_source: 'huggingface',
        engine_type: 'vllm',
        facts,
      },
    });
    expect(c.status).toBe(422);
    expect((await t.call('GET', '/api/v2/models/facts-evil', { token: op() })).status).toBe(404);
    const u = await t.call('PUT', '/api/v2/models/facts-hf', { token: op(), body: { facts } });
    expect(u.status).toBe(422);
    const d = await t.json('GET', '/api/v2/models/facts-hf', { token: op() });
    expect(d.spec.facts.weights_bytes).toBe(2 * 1024 * 1024);
  });

  it('changing the revision re-reads them; a revision the hub lacks drops them with a warning event', async () => {
    const before = (await t.json('GET', '/api/v2/models/facts-hf', { token: op() })).spec.facts;
    await t.json('PUT', '/api/v2/models/facts-hf', {
      token: op(),
      body: { description: 'no identity change' },
    });
    const same = (await t.json('GET', '/api/v2/models/facts-hf', { token: op() })).spec.facts;
    expect(same).toEqual(before);
    await t.json('PUT', '/api/v2/models/facts-hf', { token: op(), body: { revision: 'no-such-branch' } });
    const d = await t.json('GET', '/api/v2/models/facts-hf', { token: op() });
    expect(d.spec.facts).toBeUndefined();
    expect(d.memory_estimate.basis).not.toBe('facts');
    const ev = await t.json('GET', '/api/v2/models/facts-hf/events', { token: op() });
    const warn = ev.items.find(
      (e: { type: string; level: string }) => e.type === 'facts' && e.level === 'warning',
    );
    expect(warn?.message).toMatch(/model files facts unavailable \(.+\)/);
  });

  it('a hub that is away does not block creating: no facts, the reason in an event', async () => {
    const away = await makeApp({
      hfEndpoint: 'http://127.0.0.1:9',
      modelscopeEndpoint: 'http://127.0.0.1:9',
      hubTimeoutMs: 2000,
    });
    try {
      const started = Date.now();
      const r = await away.json('POST', '/api/v2/models', {
        token: away.tokens.operator,
        body: {
          model_uid: 'offline',
          model_name: 'Qwen/Qwen2.5-7B-Instruct',
          model_source: 'huggingface',
          engine_type: 'vllm',
        },
      });
      expect(Date.now() - started).toBeLessThan(2500);
      expect(r.spec.facts).toBeUndefined();
      const d = await away.json('GET', '/api/v2/models/offline', { token: away.tokens.viewer });
      expect(d.memory_estimate).toMatchObject({ basis: 'name-guess', parts: { weights_from: 'name-guess' } });
      const ev = await away.json('GET', '/api/v2/models/offline/events', { token: away.tokens.viewer });
      expect(ev.items.find((e: { type: string }) => e.type === 'facts')?.message).toMatch(/unavailable/);
    } finally {
      await away.close();
    }
  });
});

describe('model files facts missing at create', () => {
  it('a later spec update reads them once the hub answers', async () => {
    const hub = await startFakeHub();
    const t = await makeApp({ hfEndpoint: hub.url, modelscopeEndpoint: hub.url, hubTimeoutMs: 3000 });
    try {
      hub.setFailure({ kind: 'status', status: 503, match: '/api/models' });
      const r = await t.json('POST', '/api/v2/models', {
        token: t.tokens.operator,
        body: {
          model_uid: 'late',
          model_name: 'nebula-test/tiny-llm',
          model_source: 'huggingface',
          engine_type: 'vllm',
        },
      });
      expect(r.spec.facts).toBeUndefined();
      hub.setFailure(null);
      await t.json('PUT', '/api/v2/models/late', {
        token: t.tokens.operator,
        body: { description: 'retry' },
      });
      const d = await t.json('GET', '/api/v2/models/late', { token: t.tokens.viewer });
      expect(d.spec.facts).toMatchObject({ weights_bytes: 2 * 1024 * 1024, num_layers: 2 });
      expect(d.memory_estimate.basis).toBe('facts');
    } finally {
      await t.close();
      await hub.stop();
    }
  });
});
