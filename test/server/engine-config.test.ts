import { describe, expect, it } from 'vitest';
import { ModelSpec } from '../../src/core/domain/index.js';
import { keys } from '../../src/core/keys.js';
import { MASKED_ENV_VALUE } from '../../src/engines/contract.js';
import { decode } from '../../src/store/json.js';
import { useApp } from './helpers.js';

/**
 * Issue 15 finding 1: engine launch is not a code-execution API. Every attempt of the finding is refused
 * with 422 naming the field through the real HTTP API, on every path that stores an engine_config, and
 * changes nothing; env values are write-only; the engine_overrides setting restricts raw overrides.
 */
describe('engine_config against the engine contracts (HTTP)', () => {
  const t = useApp();
  const op = () => t.tokens.operator;
  // What a refused request must not change (the audit log does record it).
  const storeRevision = async () => {
    const n = await Promise.all(
      ['/models/', '/deployments/', '/templates/', '/model_requests/'].map(async (p) =>
        (await t.store.list(p)).items.map((kv) => `${kv.key}@${kv.modRevision}`),
      ),
    );
    return n.flat().join(',');
  };

  // [engine, engine_config, the field named, message part]
  const attempts: [string, Record<string, unknown>, string, RegExp][] = [
    [
      'vllm',
      { env: { NODE_OPTIONS: '--require /tmp/x.js' } },
      'engine_config.env.NODE_OPTIONS',
      /Node\.js interpreter/,
    ],
    ['vllm', { env: { LD_PRELOAD: '/tmp/evil.so' } }, 'engine_config.env.LD_PRELOAD', /dynamic loader/],
    ['vllm', { env: { PYTHONPATH: '/tmp/evil' } }, 'engine_config.env.PYTHONPATH', /Python interpreter/],
    ['sglang', { env: { PATH: '/tmp/evil:/usr/bin' } }, 'engine_config.env.PATH', /process\/shell/],
    [
      'vllm',
      { env: { CUDA_VISIBLE_DEVICES: '0,1,2,3' } },
      'engine_config.env.CUDA_VISIBLE_DEVICES',
      /managed by Nebula/,
    ],
    [
      'vllm',
      { extra_args: ['--max-num-seqs', '8', '--host', '0.0.0.0'] },
      'engine_config.extra_args[2]',
      /--host is managed by Nebula/,
    ],
    ['vllm', { extra_args: ['--port=1'] }, 'engine_config.extra_args[0]', /--port is managed by Nebula/],
    ['vllm', { extra_args: ['--ho', '0.0.0.0'] }, 'engine_config.extra_args[0]', /--ho abbreviates --host/],
    ['vllm', { extra_args: ['--api-key', 'k'] }, 'engine_config.extra_args[0]', /--api-key is managed/],
    ['sglang', { extra_args: ['--port', '1'] }, 'engine_config.extra_args[0]', /--port is managed/],
    [
      'llamacpp',
      { extra_args: ['-m', '/etc/passwd'] },
      'engine_config.extra_args[0]',
      /-m is managed by Nebula/,
    ],
    ['llamacpp', { extra_args: ['--api-key', 'k'] }, 'engine_config.extra_args[0]', /--api-key is managed/],
    [
      'llamacpp',
      { env: { LLAMA_ARG_HOST: '0.0.0.0' } },
      'engine_config.env.LLAMA_ARG_HOST',
      /sets --host, which is managed/,
    ],
    ['sim', { extra_args: ['--host', '0.0.0.0'] }, 'engine_config.extra_args[0]', /--host is managed/],
  ];

  const model = (engine: string, cfg: Record<string, unknown>) => ({
    model_name: 'org/m',
    model_source: engine === 'llamacpp' ? 'local' : 'huggingface',
    ...(engine === 'llamacpp' ? { model_path: '/models/m.gguf' } : {}),
    engine_type: engine,
    engine_config: cfg,
  });

  it.each(attempts)(
    '%s %j: 422 naming %s on create, v1 load and template create; nothing stored',
    async (engine, cfg, field, re) => {
      const before = await storeRevision();
      const paths: [string, unknown][] = [
        ['/api/v2/models', model(engine, cfg)],
        ['/api/models/load', { ...model(engine, cfg), model_uid: 'loaded' }],
        ['/api/v2/templates', { name: 'x', category: 'chat', spec: model(engine, cfg) }],
      ];
      for (const [path, body] of paths) {
        const res = await t.call('POST', path, { token: op(), body });
        expect(res.status, path).toBe(422);
        const err = (await res.json()).error;
        expect(err.code).toBe('VALIDATION_FAILED');
        expect(err.message.startsWith(`${field}: `), err.message).toBe(true);
        expect(err.message).toMatch(re);
        expect(err.details.issues[0].path).toBe(field);
      }
      expect(await storeRevision()).toBe(before);
    },
  );

  it('refuses the attempts on update and template update too, and keeps the stored spec', async () => {
    await t.json('POST', '/api/v2/models', {
      token: op(),
      body: { ...model('vllm', {}), model_uid: 'upd' },
      status: 201,
    });
    await t.json('POST', '/api/v2/templates', {
      token: op(),
      body: { template_id: 'tpl', name: 'tpl', category: 'chat', spec: model('vllm', {}) },
      status: 201,
    });
    const before = await storeRevision();
    for (const [engine, cfg, field] of attempts.filter(([e]) => e === 'vllm')) {
      const res = await t.call('PUT', '/api/v2/models/upd', {
        token: op(),
        body: { engine_type: engine, engine_config: cfg },
      });
      expect(res.status).toBe(422);
      expect((await res.json()).error.message.startsWith(`${field}: `)).toBe(true);
      const tres = await t.call('PUT', '/api/v2/templates/tpl', {
        token: op(),
        body: { spec: model(engine, cfg) },
      });
      expect(tres.status).toBe(422);
      expect((await tres.json()).error.message.startsWith(`${field}: `)).toBe(true);
    }
    // Switching the engine re-checks the stored args against the new engine's contract.
    await t.json('PUT', '/api/v2/models/upd', {
      token: op(),
      body: { engine_config: { extra_args: ['-O3'] } },
    });
    const sw = await t.call('PUT', '/api/v2/models/upd', { token: op(), body: { engine_type: 'sglang' } });
    expect(sw.status).toBe(422);
    expect((await sw.json()).error.message).toMatch(
      /^engine_config\.extra_args\[0\]: -O3 is not a flag SGLang/,
    );
    const spec = decode(ModelSpec, (await t.store.get(keys.modelSpec('upd')))!).value;
    expect(spec.engine_type).toBe('vllm');
    expect(spec.engine_config.extra_args).toEqual(['-O3']);
    expect(await storeRevision()).not.toBe(before);
  });

  it('shows env values masked to everyone, keeps them for the placeholder, refuses a placeholder with nothing behind it', async () => {
    const created = await t.json('POST', '/api/v2/models', {
      token: op(),
      body: {
        ...model('vllm', { env: { HF_TOKEN: 'hf_supersecret', VLLM_LOGGING_LEVEL: 'DEBUG' } }),
        model_uid: 'secret',
      },
      status: 201,
    });
    // Secret names are write-only for everyone; other values are visible to operators and admins only.
    expect(created.spec.engine_config.env).toEqual({
      HF_TOKEN: MASKED_ENV_VALUE,
      VLLM_LOGGING_LEVEL: 'DEBUG',
    });
    for (const role of ['viewer', 'operator', 'admin'] as const) {
      for (const path of ['/api/v2/models/secret', '/api/v2/models']) {
        const res = await t.call('GET', path, { token: t.tokens[role] });
        const text = await res.text();
        expect(res.status).toBe(200);
        expect(text, `${role} ${path}`).not.toContain('hf_supersecret');
        expect(text).toContain('"HF_TOKEN"');
        expect(text.includes('"VLLM_LOGGING_LEVEL":"DEBUG"'), `${role} ${path}`).toBe(role !== 'viewer');
      }
    }
    // An edit that sends the view back unchanged keeps the secret; a new value replaces it.
    await t.json('PUT', '/api/v2/models/secret', {
      token: op(),
      body: { engine_config: { env: { HF_TOKEN: MASKED_ENV_VALUE, VLLM_LOGGING_LEVEL: 'INFO' } } },
    });
    let stored = decode(ModelSpec, (await t.store.get(keys.modelSpec('secret')))!).value;
    expect(stored.engine_config.env).toEqual({ HF_TOKEN: 'hf_supersecret', VLLM_LOGGING_LEVEL: 'INFO' });
    const missing = await t.call('PUT', '/api/v2/models/secret', {
      token: op(),
      body: { engine_config: { env: { HF_TOKEN: MASKED_ENV_VALUE, NCCL_DEBUG: MASKED_ENV_VALUE } } },
    });
    expect(missing.status).toBe(422);
    expect((await missing.json()).error.message).toMatch(
      /^engine_config\.env\.NCCL_DEBUG: .* stands for a stored value/,
    );
    stored = decode(ModelSpec, (await t.store.get(keys.modelSpec('secret')))!).value;
    expect(stored.engine_config.env['HF_TOKEN']).toBe('hf_supersecret');
    // Templates saved from the model keep the real value in the store, masked in views.
    const tpl = await t.json('POST', '/api/v2/models/secret/save-as-template', {
      token: op(),
      body: { name: 'secret tpl', category: 'chat' },
      status: 201,
    });
    expect(tpl.spec.engine_config.env.HF_TOKEN).toBe(MASKED_ENV_VALUE);
    expect((await t.store.get(keys.template(tpl.template_id)))?.value).toContain('hf_supersecret');
  });

  it('engine_overrides=admins: operators get 403 naming the setting, admins pass, changes need admin', async () => {
    expect(await t.json('GET', '/api/v2/settings/cluster', { token: t.tokens.viewer })).toMatchObject({
      engine_overrides: 'operators',
    });
    const denied = await t.call('PUT', '/api/v2/settings/cluster', {
      token: op(),
      body: { engine_overrides: 'admins' },
    });
    expect(denied.status).toBe(403);
    const bad = await t.call('PUT', '/api/v2/settings/cluster', {
      token: t.tokens.admin,
      body: { engine_overrides: 'root' },
    });
    expect(bad.status).toBe(422);
    const set = await t.json('PUT', '/api/v2/settings/cluster', {
      token: t.tokens.admin,
      body: { engine_overrides: 'admins' },
    });
    expect(set).toMatchObject({ engine_overrides: 'admins', updated_by: 'admin' });

    const withArgs = { ...model('vllm', { extra_args: ['--max-num-seqs', '8'] }), model_uid: 'tuned' };
    const before = await storeRevision();
    const refused = await t.call('POST', '/api/v2/models', { token: op(), body: withArgs });
    expect(refused.status).toBe(403);
    expect((await refused.json()).error.message).toMatch(
      /^engine_config\.extra_args: the cluster setting engine_overrides is "admins"/,
    );
    const refusedEnv = await t.call('POST', '/api/models/load', {
      token: op(),
      body: { ...model('vllm', { env: { HF_TOKEN: 'x' } }), model_uid: 'tuned' },
    });
    expect(refusedEnv.status).toBe(403);
    const refusedTpl = await t.call('POST', '/api/v2/templates', {
      token: op(),
      body: { name: 'x', category: 'chat', spec: model('vllm', { extra_args: ['--max-num-seqs', '8'] }) },
    });
    expect(refusedTpl.status).toBe(403);
    expect(await storeRevision()).toBe(before);
    // Operators still create plain models and edit other fields of a tuned one (its args sent back unchanged).
    await t.json('POST', '/api/v2/models', {
      token: op(),
      body: { ...model('vllm', {}), model_uid: 'plain' },
      status: 201,
    });
    await t.json('POST', '/api/v2/models', { token: t.tokens.admin, body: withArgs, status: 201 });
    await t.json('PUT', '/api/v2/models/tuned', {
      token: op(),
      body: { description: 'edited', engine_config: { extra_args: ['--max-num-seqs', '8'], env: {} } },
    });
    const change = await t.call('PUT', '/api/v2/models/tuned', {
      token: op(),
      body: { engine_config: { extra_args: ['--max-num-seqs', '16'] } },
    });
    expect(change.status).toBe(403);
    await t.json('PUT', '/api/v2/settings/cluster', {
      token: t.tokens.admin,
      body: { engine_overrides: 'operators' },
    });
    await t.json('PUT', '/api/v2/models/tuned', {
      token: op(),
      body: { engine_config: { extra_args: ['--max-num-seqs', '16'] } },
    });
  });
});
