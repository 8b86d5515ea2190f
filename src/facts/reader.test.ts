import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HubClient, hubPolicies } from '../hub/index.js';
import { readModelFacts } from './reader.js';

const p = hubPolicies({
  hfEndpoint: 'https://huggingface.co',
  modelscopeEndpoint: 'https://www.modelscope.cn',
});
const hub = new HubClient({ policy: p.huggingface });
const deps = {
  hubs: { huggingface: hub, modelscope: hub },
  listFiles: async () => {
    throw new Error('local models are never listed on a hub');
  },
  now: () => Date.parse('2026-01-01T00:00:00Z'),
};

describe('facts of local models', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'nebula-facts-'));
    await writeFile(
      join(dir, 'config.json'),
      JSON.stringify({
        model_type: 'qwen2',
        num_hidden_layers: 28,
        num_attention_heads: 28,
        num_key_value_heads: 4,
        hidden_size: 3584,
      }),
    );
    await writeFile(join(dir, 'model-00001-of-00002.safetensors'), Buffer.alloc(1000));
    await writeFile(join(dir, 'model-00002-of-00002.safetensors'), Buffer.alloc(500));
    await writeFile(join(dir, 'README.md'), 'x');
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const target = (model_path: string) => ({
    model_name: 'local-qwen',
    model_source: 'local' as const,
    revision: 'main',
    model_path,
    engine_type: 'vllm' as const,
  });

  it('stats the weight files and reads config.json of a directory', async () => {
    const r = await readModelFacts(target(dir), deps);
    expect(r.facts).toMatchObject({
      read_for: { model_source: 'local', model_path: dir },
      format: 'safetensors',
      weights_bytes: 1500,
      weights_from: 'local-files',
      geometry_from: 'config.json',
      num_layers: 28,
      num_kv_heads: 4,
      computed_at: '2026-01-01T00:00:00.000Z',
    });
  });

  it('a path the server cannot see, or a relative one, gives no facts and says why', async () => {
    expect((await readModelFacts(target(join(dir, 'nope')), deps)).reason).toMatch(
      /not visible to the server/,
    );
    expect((await readModelFacts(target('relative/dir'), deps)).reason).toMatch(/no absolute model_path/);
    expect((await readModelFacts(target(`${dir}/../x`), deps)).reason).toMatch(/no absolute model_path/);
  });
});
