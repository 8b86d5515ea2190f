import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { keys } from '../../src/core/keys.js';
import { startFakeHub } from '../fake-hub/index.js';
import { makeApp, useHubApp } from './helpers.js';

/** A "hub" that redirects every request to `target(path)`: to test that redirects are checked. */
async function redirector(
  target: (path: string) => string,
): Promise<{ url: string; hits: string[]; close(): Promise<void> }> {
  const hits: string[] = [];
  const server: Server = createServer((req, res) => {
    hits.push(req.url ?? '');
    res.writeHead(302, { location: target(req.url ?? '/') });
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return { url: `http://127.0.0.1:${port}`, hits, close: () => new Promise((r) => server.close(() => r())) };
}

describe('catalog against the fake hub', () => {
  const { hub, t } = useHubApp();
  const v = () => t.tokens.viewer;

  it('searches Hugging Face, sorted by downloads, paged', async () => {
    const r = await t.json('GET', '/api/v2/catalog/search?provider=huggingface&q=model-&limit=5', {
      token: v(),
    });
    expect(r).toMatchObject({ provider: 'huggingface', page: 1, limit: 5, has_more: true });
    expect(r.items).toHaveLength(5);
    const downloads = r.items.map((i: { downloads: number }) => i.downloads);
    expect([...downloads].sort((a, b) => b - a)).toEqual(downloads);
    expect(r.items[0]).toMatchObject({
      source: 'huggingface',
      task: expect.any(String),
      updated_at: expect.any(String),
    });
    const p2 = await t.json('GET', '/api/v2/catalog/search?provider=hf&q=model-&limit=5&page=2', {
      token: v(),
    });
    expect(p2.items).toHaveLength(5);
    expect(p2.items[0].id).not.toBe(r.items[0].id);
    expect(p2.items[0].downloads).toBeLessThanOrEqual(r.items[4].downloads);
    const q = hub.requests.find((x) => x.path.startsWith('/api/models?'));
    expect(q?.path).toMatch(/sort=downloads/);
    expect(q?.path).toMatch(/direction=-1/);
  });

  it('searches ModelScope (OpenAPI list) with sizes', async () => {
    const r = await t.json('GET', '/api/v2/catalog/search?provider=modelscope&q=tiny&limit=20', {
      token: v(),
    });
    expect(r.items.map((i: { id: string }) => i.id)).toContain('nebula-test/tiny-llm');
    const tiny = r.items.find((i: { id: string }) => i.id === 'nebula-test/tiny-llm');
    expect(tiny).toMatchObject({ source: 'modelscope', task: 'text-generation', downloads: 123 });
    expect(tiny.size).toBeGreaterThan(2 * 1024 * 1024);
    expect(r.has_more).toBe(false);
  });

  it('limits and providers are validated (default 20, max 100; preset providers only)', async () => {
    const d = await t.json('GET', '/api/v2/catalog/search?provider=huggingface', { token: v() });
    expect(d.limit).toBe(20);
    expect(d.items).toHaveLength(20);
    for (const bad of [
      'provider=huggingface&limit=101',
      'provider=github',
      'provider=https://evil.example',
      'q=x',
      'provider=huggingface&page=0',
    ]) {
      const res = await t.call('GET', `/api/v2/catalog/search?${bad}`, { token: v() });
      expect(res.status, bad).toBe(400);
    }
  });

  it('details: files with sizes and the total, for both hubs and both path forms', async () => {
    const hf = await t.json('GET', '/api/v2/catalog/models/huggingface/nebula-test%2Ftiny-llm', {
      token: v(),
    });
    expect(hf).toMatchObject({ id: 'nebula-test/tiny-llm', revision: 'main', gated: false });
    expect(hf.files.find((f: { path: string }) => f.path === 'model.safetensors')?.size).toBe(
      2 * 1024 * 1024,
    );
    expect(hf.total_size).toBe(hf.files.reduce((n: number, f: { size: number }) => n + f.size, 0));
    const hf2 = await t.json('GET', '/api/v2/catalog/models/hf/nebula-test/tiny-llm', { token: v() });
    expect(hf2.total_size).toBe(hf.total_size);
    const ms = await t.json('GET', '/api/v2/catalog/models/modelscope/nebula-test%2Ftiny-llm', {
      token: v(),
    });
    expect(ms).toMatchObject({ revision: 'master', total_size: hf.total_size, task: 'text-generation' });
    const gated = await t.json('GET', '/api/v2/catalog/models/huggingface/nebula-test/gated-llm', {
      token: v(),
    });
    expect(gated.gated).toBe(true);
    const missing = await t.call('GET', '/api/v2/catalog/models/huggingface/nebula-test%2Fnope', {
      token: v(),
    });
    expect(missing.status).toBe(404);
    expect((await missing.json()).error.code).toBe('CATALOG_MODEL_NOT_FOUND');
  });

  it('imports: spec + deployment with the weights size; defaults vllm, 1 replica, auto_start', async () => {
    const r = await t.json('POST', '/api/v2/catalog/import', {
      token: t.tokens.operator,
      body: { provider: 'huggingface', model_id: 'nebula-test/tiny-llm' },
    });
    expect(r.warnings).toEqual([]);
    expect(r.model).toMatchObject({
      model_uid: 'tiny-llm',
      model_name: 'nebula-test/tiny-llm',
      model_source: 'huggingface',
      engine_type: 'vllm',
      desired_replicas: 1,
      desired_state: 'running',
    });
    expect(r.model.spec.resources.weights_bytes).toBe(2 * 1024 * 1024);
    const ms = await t.json('POST', '/api/v2/catalog/import', {
      token: t.tokens.operator,
      body: {
        provider: 'modelscope',
        model_id: 'nebula-test/tiny-llm',
        model_uid: 'tiny-ms',
        engine_type: 'sglang',
        replicas: 2,
        auto_start: false,
      },
    });
    expect(ms.model).toMatchObject({
      model_uid: 'tiny-ms',
      engine_type: 'sglang',
      desired_replicas: 2,
      desired_state: 'stopped',
    });
    expect(ms.model.spec.revision).toBe('master');
    const dup = await t.call('POST', '/api/v2/catalog/import', {
      token: t.tokens.operator,
      body: { provider: 'huggingface', model_id: 'x/y', model_uid: 'tiny-ms' },
    });
    expect([404, 409]).toContain(dup.status);
    const nope = await t.call('POST', '/api/v2/catalog/import', {
      token: t.tokens.operator,
      body: { provider: 'huggingface', model_id: 'nebula-test/does-not-exist' },
    });
    expect(nope.status).toBe(404);
    expect(await t.store.get(keys.modelSpec('does-not-exist'))).toBeUndefined();
    const gated = await t.json('POST', '/api/v2/catalog/import', {
      token: t.tokens.operator,
      body: { provider: 'huggingface', model_id: 'nebula-test/gated-llm', auto_start: false },
    });
    expect(gated.warnings.join(' ')).toMatch(/gated/);
  });

  it('refuses SSRF-shaped ids before any hub request', async () => {
    hub.clearRequests();
    const ids = [
      '..%2F..%2Fadmin',
      'a%2F..',
      'user%40evil.example%2Fx',
      'http%3A%2F%2Fevil.example%2Fx',
      'a%2Fb%2Fc',
      '%2Fetc%2Fpasswd',
      'a%3Fb=c',
      'a%23frag',
      '.hidden%2Fx',
    ];
    for (const id of ids) {
      const res = await t.call('GET', `/api/v2/catalog/models/huggingface/${id}`, { token: v() });
      expect(res.status, id).toBe(400);
    }
    for (const model_id of [
      '../x',
      'a/../b',
      'evil.example@x/y',
      'https://evil.example/x/y',
      'a/b/c',
      'a b/c',
    ]) {
      const res = await t.call('POST', '/api/v2/catalog/import', {
        token: t.tokens.operator,
        body: { provider: 'huggingface', model_id },
      });
      expect(res.status, model_id).toBe(422);
    }
    const url = await t.call('POST', '/api/v2/catalog/import', {
      token: t.tokens.operator,
      body: { provider: 'https://evil.example', model_id: 'a/b' },
    });
    expect(url.status).toBe(422);
    expect(hub.requests).toEqual([]);
  });

  it('a hub that fails: search 502/503 HUB_UNAVAILABLE, the rest keeps working, import proceeds with a warning', async () => {
    hub.setFailure({ kind: 'status', status: 500, match: '/api/models' });
    const s = await t.call('GET', '/api/v2/catalog/search?provider=huggingface&q=x', { token: v() });
    expect([502, 503]).toContain(s.status);
    expect((await s.json()).error.code).toBe('HUB_UNAVAILABLE');
    expect((await t.call('GET', '/api/v2/models', { token: v() })).status).toBe(200);
    const imp = await t.json('POST', '/api/v2/catalog/import', {
      token: t.tokens.operator,
      body: { provider: 'huggingface', model_id: 'org/offline-model', auto_start: false },
    });
    expect(imp.model.model_uid).toBe('offline-model');
    expect(imp.warnings[0]).toMatch(/could not read the file list/);
    hub.setFailure({ kind: 'unreachable', match: '/openapi/v1/models' });
    const ms = await t.call('GET', '/api/v2/catalog/search?provider=modelscope', { token: v() });
    expect(ms.status).toBe(503);
    hub.setFailure(null);
  });
});

describe('catalog redirects and dead hubs', () => {
  it('follows redirects only to allowlisted https hosts or the configured loopback base', async () => {
    const evil = await redirector(() => 'https://evil.example/steal');
    const plain = await redirector(() => 'http://huggingface.co/api/models');
    const otherPort = await redirector(() => 'http://127.0.0.1:1/api/models');
    const meta = await redirector(() => 'http://169.254.169.254/latest/meta-data');
    const hub = await startFakeHub();
    const same = await redirector((p) => `${hub.url}${p}`);
    try {
      for (const r of [evil, plain, otherPort, meta]) {
        const t = await makeApp({ hfEndpoint: r.url, modelscopeEndpoint: r.url, hubTimeoutMs: 2000 });
        const res = await t.call('GET', '/api/v2/catalog/search?provider=huggingface&q=x', {
          token: t.tokens.viewer,
        });
        const body = await res.json();
        expect(res.status).toBe(503);
        expect(body.error.code).toBe('HUB_UNAVAILABLE');
        expect(body.error.message).toMatch(/not an allowed hub host/);
        expect(r.hits).toHaveLength(1);
        await t.close();
      }
      // A redirect to another configured base is followed.
      const t = await makeApp({ hfEndpoint: same.url, modelscopeEndpoint: hub.url, hubTimeoutMs: 2000 });
      const ok = await t.json('GET', '/api/v2/catalog/search?provider=huggingface&q=tiny', {
        token: t.tokens.viewer,
      });
      expect(ok.items.map((i: { id: string }) => i.id)).toContain('nebula-test/tiny-llm');
      await t.close();
    } finally {
      await Promise.all([
        evil.close(),
        plain.close(),
        otherPort.close(),
        meta.close(),
        same.close(),
        hub.stop(),
      ]);
    }
  });

  it('a hub that does not listen answers 503 quickly', async () => {
    const t = await makeApp({ hfEndpoint: 'http://127.0.0.1:9', hubTimeoutMs: 2000 });
    const started = Date.now();
    const res = await t.call('GET', '/api/v2/catalog/search?provider=huggingface&q=x', {
      token: t.tokens.viewer,
    });
    expect(res.status).toBe(503);
    expect(Date.now() - started).toBeLessThan(2500);
    await t.close();
  });
});
