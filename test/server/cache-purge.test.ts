/**
 * DELETE /api/v2/nodes/{id}/cache/{hash} and model delete with purge, end to end through the store:
 * the server writes purge requests, a real cache manager (the node's) deletes the files or refuses.
 */
import { existsSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { modelNameHash } from '../../src/core/ids.js';
import { setup, spec, ensureReq, type Env } from '../cache/helpers.js';
import { makeApp, type TestApp } from './helpers.js';

describe('cache purge through the control API', () => {
  let env: Env;
  let t: TestApp;
  let inUse = false;
  beforeEach(async () => {
    env = await setup();
    t = await makeApp({}, { store: env.store });
    inUse = false;
  });
  afterEach(async () => {
    await t.close();
    await env.close();
  });

  async function downloaded(): Promise<{ path: string; hash: string }> {
    const m = env.manager({ isInUse: () => inUse });
    await m.start();
    const res = await m.ensure(ensureReq(spec('nebula-test/tiny-llm')));
    await m.rescan();
    return { path: res.modelPath ?? '', hash: modelNameHash('huggingface', 'nebula-test/tiny-llm') };
  }

  it('deletes a node cache entry, and refuses (409) while a replica uses it', async () => {
    const { path, hash } = await downloaded();
    expect(existsSync(path)).toBe(true);

    // Viewers and operators may not delete files (seed 004: admin deletes).
    const asOperator = await t.call('DELETE', `/api/v2/nodes/node-1/cache/${hash}`, { token: t.tokens.operator });
    expect(asOperator.status).toBe(403);

    inUse = true;
    const refused = await t.call('DELETE', `/api/v2/nodes/node-1/cache/${hash}`, { token: t.tokens.admin });
    expect(refused.status).toBe(409);
    expect((await refused.json()).error.code).toBe('CACHE_IN_USE');
    expect(existsSync(path)).toBe(true);

    inUse = false;
    const done = await t.json('DELETE', `/api/v2/nodes/node-1/cache/${hash}`, { token: t.tokens.admin });
    expect(done).toMatchObject({ node_id: 'node-1', status: 'done', model_name: 'nebula-test/tiny-llm' });
    expect(existsSync(path)).toBe(false);
    const cache = await t.json('GET', '/api/v2/nodes/node-1/cache', { token: t.tokens.viewer });
    expect(cache.items).toEqual([]);

    const missing = await t.call('DELETE', `/api/v2/nodes/node-1/cache/${hash}`, { token: t.tokens.admin });
    expect(missing.status).toBe(404);
    expect((await missing.json()).error.code).toBe('CACHE_ENTRY_NOT_FOUND');
  });

  it('model delete with purge removes the files from the nodes holding them', async () => {
    const { path } = await downloaded();
    await t.json('POST', '/api/v2/models', {
      token: t.tokens.operator,
      body: { model_uid: 'tiny', model_name: 'nebula-test/tiny-llm', model_source: 'huggingface', engine_type: 'vllm', auto_start: false },
      status: 201,
    });
    const res = await t.json('DELETE', '/api/v2/models/tiny?purge=true', { token: t.tokens.admin });
    expect(JSON.stringify(res)).toContain('requested');
    await expect.poll(() => existsSync(path), { timeout: 10_000 }).toBe(false);
  });
});
