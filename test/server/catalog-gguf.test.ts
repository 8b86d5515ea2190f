import { describe, expect, it } from 'vitest';
import { ModelTemplate } from '../../src/core/domain/index.js';
import { keys } from '../../src/core/keys.js';
import { openEmbeddedStore } from '../../src/store/embedded/index.js';
import { encode } from '../../src/store/json.js';
import type { FakeModel } from '../fake-hub/index.js';
import { makeApp, useHubApp } from './helpers.js';

const KIB = 1024;
const REPO = 'nebula-test/variants-GGUF';
const model: FakeModel = {
  id: REPO,
  task: 'text-generation',
  files: [
    { path: 'README.md', content: '# variants\n' },
    { path: 'variants-F16.gguf', size: 90 * KIB },
    { path: 'variants-Q4_K_M.gguf', size: 30 * KIB },
    { path: 'variants-Q8_0.gguf', size: 50 * KIB },
    { path: 'variants-Q6_K-00001-of-00002.gguf', size: 25 * KIB },
    { path: 'variants-Q6_K-00002-of-00002.gguf', size: 15 * KIB },
    { path: 'mmproj-variants-F16.gguf', size: 5 * KIB },
  ],
};

describe('GGUF variants in the catalog and on model create', () => {
  const { t } = useHubApp({ extraModels: [model] });
  const op = () => t.tokens.operator;

  it('the repo detail lists the variants with their sizes (splits summed) and the default pick', async () => {
    const d = await t.json('GET', `/api/v2/catalog/models/huggingface/${encodeURIComponent(REPO)}`, {
      token: t.tokens.viewer,
    });
    expect(d.gguf_default).toBe('variants-Q4_K_M.gguf');
    expect(d.gguf_default_rule).toMatch(/Q4_K_M.*smallest/);
    expect(d.gguf_variants).toEqual([
      {
        name: 'variants-F16.gguf',
        quant: 'F16',
        files: ['variants-F16.gguf'],
        size: 90 * KIB,
        default: false,
      },
      {
        name: 'variants-Q4_K_M.gguf',
        quant: 'Q4_K_M',
        files: ['variants-Q4_K_M.gguf'],
        size: 30 * KIB,
        default: true,
      },
      {
        name: 'variants-Q6_K-00001-of-00002.gguf',
        quant: 'Q6_K',
        files: ['variants-Q6_K-00001-of-00002.gguf', 'variants-Q6_K-00002-of-00002.gguf'],
        size: 40 * KIB,
        default: false,
      },
      {
        name: 'variants-Q8_0.gguf',
        quant: 'Q8_0',
        files: ['variants-Q8_0.gguf'],
        size: 50 * KIB,
        default: false,
      },
    ]);
    const ms = await t.json('GET', `/api/v2/catalog/models/modelscope/${encodeURIComponent(REPO)}`, {
      token: t.tokens.viewer,
    });
    expect(ms.gguf_default).toBe('variants-Q4_K_M.gguf');
    const plain = await t.json('GET', '/api/v2/catalog/models/huggingface/nebula-test/tiny-llm', {
      token: t.tokens.viewer,
    });
    expect(plain).toMatchObject({ gguf_variants: [], gguf_default: null });
  });

  it('imports as llamacpp with the default rule, a tag or a file, sized by that variant alone', async () => {
    const def = await t.json('POST', '/api/v2/catalog/import', {
      token: op(),
      body: {
        provider: 'huggingface',
        model_id: REPO,
        engine_type: 'llamacpp',
        model_uid: 'v-default',
        auto_start: false,
      },
    });
    expect(def.model.spec.gguf_file).toBeUndefined();
    expect(def.model.spec.gguf_quant).toBeUndefined();
    expect(def.model.spec.resources.weights_bytes).toBe(30 * KIB);
    const q6 = await t.json('POST', '/api/v2/catalog/import', {
      token: op(),
      body: {
        provider: 'hf',
        model_id: REPO,
        engine_type: 'llamacpp',
        model_uid: 'v-q6',
        gguf_quant: 'q6_k',
        auto_start: false,
      },
    });
    expect(q6.model.spec).toMatchObject({ gguf_quant: 'q6_k', resources: { weights_bytes: 40 * KIB } });
    const f16 = await t.json('POST', '/api/v2/catalog/import', {
      token: op(),
      body: {
        provider: 'huggingface',
        model_id: REPO,
        engine_type: 'llamacpp',
        model_uid: 'v-f16',
        gguf_file: 'variants-F16.gguf',
        auto_start: false,
      },
    });
    expect(f16.model.spec).toMatchObject({
      gguf_file: 'variants-F16.gguf',
      resources: { weights_bytes: 90 * KIB },
    });
  });

  it('refuses an unknown tag or file with a 422 naming the variants, creating nothing', async () => {
    for (const [choice, code] of [
      [{ gguf_quant: 'IQ2_XS' }, 'GGUF_VARIANT_NOT_FOUND'],
      [{ gguf_file: 'mmproj-variants-F16.gguf' }, 'GGUF_VARIANT_NOT_FOUND'],
      [{ gguf_file: 'nope.gguf' }, 'GGUF_VARIANT_NOT_FOUND'],
    ] as const) {
      const res = await t.call('POST', '/api/v2/catalog/import', {
        token: op(),
        body: {
          provider: 'huggingface',
          model_id: REPO,
          engine_type: 'llamacpp',
          model_uid: 'v-bad',
          ...choice,
        },
      });
      expect(res.status, JSON.stringify(choice)).toBe(422);
      const body = await res.json();
      expect(body.error.code).toBe(code);
      expect(body.error.message).toContain('Q4_K_M (variants-Q4_K_M.gguf)');
      expect(body.error.details.available).toEqual([
        'variants-F16.gguf',
        'variants-Q4_K_M.gguf',
        'variants-Q6_K-00001-of-00002.gguf',
        'variants-Q8_0.gguf',
      ]);
      expect(await t.store.get(keys.modelSpec('v-bad'))).toBeUndefined();
      expect(await t.store.get(keys.deployment('v-bad'))).toBeUndefined();
    }
    // A repository without GGUF files cannot run on llama.cpp.
    const none = await t.call('POST', '/api/v2/catalog/import', {
      token: op(),
      body: {
        provider: 'huggingface',
        model_id: 'nebula-test/tiny-llm',
        engine_type: 'llamacpp',
        model_uid: 'v-none',
      },
    });
    expect(none.status).toBe(422);
    expect((await none.json()).error.code).toBe('GGUF_NO_VARIANTS');
    expect(await t.store.get(keys.modelSpec('v-none'))).toBeUndefined();
  });

  it('validates the fields: safe relative .gguf names, tags, one of the two, llamacpp only', async () => {
    const bad: Record<string, unknown>[] = [
      { gguf_file: '../x.gguf' },
      { gguf_file: '/abs/x.gguf' },
      { gguf_file: 'x.bin' },
      { gguf_quant: 'Q4 K M' },
      { gguf_quant: 'Q4_K_M', gguf_file: 'variants-Q4_K_M.gguf' },
    ];
    for (const b of bad) {
      const res = await t.call('POST', '/api/v2/catalog/import', {
        token: op(),
        body: { provider: 'huggingface', model_id: REPO, engine_type: 'llamacpp', model_uid: 'v-bad', ...b },
      });
      expect(res.status, JSON.stringify(b)).toBe(422);
    }
    const vllm = await t.call('POST', '/api/v2/catalog/import', {
      token: op(),
      body: { provider: 'huggingface', model_id: REPO, model_uid: 'v-bad', gguf_quant: 'Q4_K_M' },
    });
    expect(vllm.status).toBe(422);
    expect((await vllm.json()).error.message).toMatch(/llamacpp/);
    expect(await t.store.get(keys.modelSpec('v-bad'))).toBeUndefined();
  });

  it('model create checks a named variant against the hub; update keeps the rules', async () => {
    const base = { model_name: REPO, model_source: 'huggingface', engine_type: 'llamacpp' };
    const bad = await t.call('POST', '/api/v2/models', {
      token: op(),
      body: { ...base, model_uid: 'c-bad', gguf_quant: 'Q3_K_S' },
    });
    expect(bad.status).toBe(422);
    expect((await bad.json()).error).toMatchObject({
      code: 'GGUF_VARIANT_NOT_FOUND',
      details: { available: expect.arrayContaining(['variants-Q8_0.gguf']) },
    });
    expect(await t.store.get(keys.modelSpec('c-bad'))).toBeUndefined();
    const ok = await t.json('POST', '/api/v2/models', {
      token: op(),
      body: { ...base, model_uid: 'c-ok', gguf_quant: 'Q8_0' },
      status: 201,
    });
    expect(ok.spec.gguf_quant).toBe('Q8_0');
    const both = await t.call('POST', '/api/v2/models', {
      token: op(),
      body: { ...base, model_uid: 'c-both', gguf_quant: 'Q8_0', gguf_file: 'variants-Q8_0.gguf' },
    });
    expect(both.status).toBe(422);
    // A local .gguf path needs no hub.
    const local = await t.json('POST', '/api/v2/models', {
      token: op(),
      body: {
        model_name: 'tiny',
        model_source: 'local',
        engine_type: 'llamacpp',
        model_path: '/models/tiny.gguf',
        model_uid: 'c-local',
      },
      status: 201,
    });
    expect(local.spec.model_path).toBe('/models/tiny.gguf');
    // Switching the file by PUT: the quant is cleared with null; an engine change away is refused.
    await t.json('PUT', '/api/v2/models/c-ok', {
      token: op(),
      body: { gguf_quant: null, gguf_file: 'variants-F16.gguf' },
    });
    const after = await t.json('GET', '/api/v2/models/c-ok', { token: op() });
    expect(after.spec).toMatchObject({ gguf_file: 'variants-F16.gguf' });
    expect(after.spec.gguf_quant).toBeUndefined();
    const engine = await t.call('PUT', '/api/v2/models/c-ok', { token: op(), body: { engine_type: 'vllm' } });
    expect(engine.status).toBe(422);
  });

  it('the built-in GGUF template names its variant (no --hf-file argument)', async () => {
    const tpl = await t.json('GET', '/api/v2/templates/qwen2.5-0.5b-instruct-gguf', {
      token: t.tokens.viewer,
    });
    expect(tpl.spec).toMatchObject({
      model_name: 'Qwen/Qwen2.5-0.5B-Instruct-GGUF',
      engine_type: 'llamacpp',
      gguf_quant: 'Q4_K_M',
      engine_config: { extra_args: [] },
    });
  });
});

describe('system templates from an older release', () => {
  it('are rewritten with the shipped definition at start; unchanged ones are left alone', async () => {
    const store = await openEmbeddedStore({});
    const old = '2025-01-01T00:00:00.000Z';
    const stale = ModelTemplate.parse({
      template_id: 'qwen2.5-0.5b-instruct-gguf',
      name: 'Qwen2.5 0.5B Instruct GGUF (llama.cpp)',
      description: 'old',
      category: 'chat',
      source: 'system',
      spec: {
        model_name: 'Qwen/Qwen2.5-0.5B-Instruct-GGUF',
        model_source: 'huggingface',
        engine_type: 'llamacpp',
        engine_config: { extra_args: ['--hf-file', 'qwen2.5-0.5b-instruct-q4_k_m.gguf'], env: {} },
        resources: { gpu_count: 0 },
      },
      created_at: old,
      updated_at: old,
    });
    await store.put(keys.template(stale.template_id), encode(ModelTemplate, stale));
    const t = await makeApp({}, { store });
    try {
      const tpl = await t.json('GET', '/api/v2/templates/qwen2.5-0.5b-instruct-gguf', {
        token: t.tokens.viewer,
      });
      expect(tpl.spec.gguf_quant).toBe('Q4_K_M');
      expect(tpl.spec.engine_config.extra_args).toEqual([]);
      expect(tpl.created_at).toBe(old);
      const sim = await store.get(keys.template('sim-demo'));
      const { seedSystemTemplates } = await import('../../src/server/models/system-templates.js');
      expect(await seedSystemTemplates(store, Date.now())).toBe(0);
      expect((await store.get(keys.template('sim-demo')))?.modRevision).toBe(sim?.modRevision);
    } finally {
      await t.close();
    }
  });
});
