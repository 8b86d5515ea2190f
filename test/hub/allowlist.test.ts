/**
 * One redirect allowlist for catalog and downloads (issue 15): the server's catalog (a real app, its hub
 * calls answered by an undici MockAgent standing in for the hubs) and the node's downloads (the policy the
 * cache manager builds) accept and refuse the same redirect targets. Before they shared `src/hub`, the
 * catalog refused ModelScope's OSS CDN and `.modelscope.ai` while downloads followed them, and downloads
 * refused `huggingface.co` itself and `hf-mirror.com` while the catalog followed them.
 */
import { MockAgent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  checkRedirect,
  DEFAULT_HF_ENDPOINT,
  DEFAULT_MODELSCOPE_ENDPOINT,
  hubPolicies,
} from '../../src/hub/index.js';
import { makeApp, type TestApp } from '../server/helpers.js';

const TARGETS: [string, boolean][] = [
  ['https://huggingface.co/api/models-renamed', true],
  ['https://cdn-lfs.huggingface.co/repos/x', true],
  ['https://cdn-lfs-us-1.hf.co/repos/x', true],
  ['https://cas-bridge.xethub.hf.co/xet-bridge-us/x', true],
  ['https://hf-mirror.com/api/models', true],
  ['https://www.modelscope.cn/api/v1/models', true],
  ['https://modelscope.ai/api/v1/models', true],
  ['https://modelscope-public.oss-cn-hangzhou.aliyuncs.com/x', true],
  ['https://evil.example/steal', false],
  ['https://huggingface.co.evil.example/x', false],
  ['https://hf.co.evil.example/x', false],
  ['http://cdn-lfs.huggingface.co/x', false],
  ['http://169.254.169.254/latest/meta-data', false],
  ['https://user:pw@cdn-lfs.hf.co/x', false],
];

describe('catalog and downloads share one redirect allowlist', () => {
  const mock = new MockAgent();
  let t: TestApp;
  beforeAll(async () => {
    mock.disableNetConnect();
    // The real hubs' addresses, answered by the mock agent (no connection leaves this process).
    t = await makeApp(
      { hfEndpoint: DEFAULT_HF_ENDPOINT, modelscopeEndpoint: DEFAULT_MODELSCOPE_ENDPOINT },
      { hubDispatcher: mock },
    );
  });
  afterAll(async () => {
    await t.close();
    await mock.close();
  });

  // The node's policy for Hugging Face, built from the same endpoints and no operator extras.
  const node = hubPolicies({
    hfEndpoint: DEFAULT_HF_ENDPOINT,
    modelscopeEndpoint: DEFAULT_MODELSCOPE_ENDPOINT,
  });
  const from = new URL(`${DEFAULT_HF_ENDPOINT}/api/models?search=x`);

  for (const [target, ok] of TARGETS) {
    it(`${target} -> ${ok ? 'followed' : 'refused'} by both`, async () => {
      const hub = mock.get(DEFAULT_HF_ENDPOINT);
      hub
        .intercept({ path: (p) => p.startsWith('/api/models?') })
        .reply(302, '', { headers: { location: target } });
      const to = new URL(target);
      let reached = false;
      mock
        .get(to.origin)
        .intercept({ path: () => true })
        .reply(() => {
          reached = true;
          return {
            statusCode: 200,
            data: '[]',
            responseOptions: { headers: { 'content-type': 'application/json' } },
          };
        });
      const res = await t.call('GET', '/api/v2/catalog/search?provider=huggingface&q=x', {
        token: t.tokens.viewer,
      });
      const body = await res.json();
      const nodeFollows = (() => {
        try {
          checkRedirect(node.huggingface, from, target);
          return true;
        } catch {
          return false;
        }
      })();
      if (ok) expect(res.status, JSON.stringify(body)).toBe(200);
      else {
        expect(res.status).toBe(503);
        expect(body.error.message).toMatch(/not an allowed hub host/);
      }
      expect(reached).toBe(ok);
      expect(nodeFollows).toBe(ok);
    });
  }
});
