import { beforeAll, describe, expect, it } from 'vitest';
import { putNode } from './fixtures.js';
import { useApp } from './helpers.js';

describe('GET /api/v2/engines', () => {
  const t = useApp();
  beforeAll(async () => {
    await putNode(t.store, 'gpu-1', {
      engines: {
        engines: [
          { type: 'sim', version: '0.1.0', path: '/opt/nebula/bin/nebula.js' },
          { type: 'llamacpp', version: '4589 (1d1e6a90)', path: '/opt/llama/bin/llama-server' },
        ],
        engine_errors: [
          { type: 'vllm', path: '/opt/venv/bin/vllm', error: '/opt/venv/bin/vllm is not executable' },
        ],
      },
    });
    await putNode(t.store, 'gpu-2', {
      engines: { engines: [{ type: 'sim', version: '0.1.0', path: '/opt/nebula/bin/nebula.js' }] },
    });
    await putNode(t.store, 'old-agent');
  });

  it("lists each online node's engines, unusable ones with why, and nodes that do not report", async () => {
    const res = await t.json('GET', '/api/v2/engines', { token: t.tokens.viewer });
    expect(res).toEqual({
      items: [
        {
          node_id: 'gpu-1',
          type: 'sim',
          status: 'available',
          version: '0.1.0',
          path: '/opt/nebula/bin/nebula.js',
          error: null,
        },
        {
          node_id: 'gpu-1',
          type: 'llamacpp',
          status: 'available',
          version: '4589 (1d1e6a90)',
          path: '/opt/llama/bin/llama-server',
          error: null,
        },
        {
          node_id: 'gpu-1',
          type: 'vllm',
          status: 'unusable',
          version: null,
          path: '/opt/venv/bin/vllm',
          error: '/opt/venv/bin/vllm is not executable',
        },
        {
          node_id: 'gpu-2',
          type: 'sim',
          status: 'available',
          version: '0.1.0',
          path: '/opt/nebula/bin/nebula.js',
          error: null,
        },
      ],
      unreported_nodes: ['old-agent'],
    });
  });

  it('filters by node and type, and validates them', async () => {
    const one = await t.json('GET', '/api/v2/engines?node_id=gpu-1&type=llamacpp', {
      token: t.tokens.viewer,
    });
    expect(one.items.map((r: { node_id: string; type: string }) => `${r.node_id}/${r.type}`)).toEqual([
      'gpu-1/llamacpp',
    ]);
    const bad = await t.call('GET', '/api/v2/engines?type=tgi', { token: t.tokens.viewer });
    expect(bad.status).toBe(400);
    expect((await t.call('GET', '/api/v2/engines')).status).toBe(401);
  });

  it('shows engines in the node views (null for an agent that does not report them)', async () => {
    const { items } = await t.json('GET', '/api/v2/nodes', { token: t.tokens.viewer });
    const byId = new Map(items.map((n: { node_id: string }) => [n.node_id, n]));
    expect(byId.get('gpu-1')).toMatchObject({
      engines: [{ type: 'sim' }, { type: 'llamacpp', version: '4589 (1d1e6a90)' }],
      engine_errors: [{ type: 'vllm' }],
    });
    expect(byId.get('old-agent')).toMatchObject({ engines: null, engine_errors: [] });
  });

  it('is in the OpenAPI document', async () => {
    const doc = await t.json('GET', '/api/openapi.json');
    expect(doc.paths['/api/v2/engines'].get.summary).toMatch(/Engines per node/);
  });
});
