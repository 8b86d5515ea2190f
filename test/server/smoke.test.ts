import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeApp, type TestApp } from './helpers.js';

describe('smoke', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await makeApp();
  });
  afterAll(async () => {
    await t.close();
  });
  it('creates and lists models', async () => {
    const created = await t.json('POST', '/api/v2/models', { token: t.tokens.operator, body: { model_name: 'Qwen/Qwen2.5-7B-Instruct', model_source: 'huggingface', engine_type: 'vllm' } });
    expect(created.model_uid).toBe('qwen2-5-7b-instruct');
    const list = await t.json('GET', '/api/v2/models', { token: t.tokens.viewer });
    expect(list.total).toBe(1);
    const doc = await t.json('GET', '/api/openapi.json');
    expect(Object.keys(doc.paths).length).toBeGreaterThan(40);
  });
});
