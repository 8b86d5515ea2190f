import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ModelSpec } from '../../core/domain/index.js';
import { deploymentFor, specFor } from '../../scheduler/fixtures.js';
import { adapterFilesSpec, readAdapterRank } from './adapter-files.js';
import { modelRef, referencedModels } from './lru.js';

const base = specFor('base', {
  model_name: 'org/base-GGUF',
  model_source: 'huggingface',
  revision: 'v1',
  gguf_quant: 'Q8_0',
  engine_type: 'llamacpp',
  adapters: [
    { name: 'sql', source: 'huggingface', model_id: 'org/sql-lora', gguf_file: 'sql-F16.gguf' },
    { name: 'fr', source: 'local', path: '/models/fr.gguf' },
  ],
});

describe('adapters as model files', () => {
  it('an adapter downloads as its own repository, with the base engine and its own revision and file', () => {
    const [sql, fr] = base.adapters!;
    const s = adapterFilesSpec(base, sql!);
    expect(s).toMatchObject({ model_name: 'org/sql-lora', model_source: 'huggingface', revision: 'main' });
    expect(s.engine_type).toBe('llamacpp');
    expect(s.gguf_file).toBe('sql-F16.gguf');
    expect(s.gguf_quant).toBeUndefined();
    expect(s.adapters).toBeUndefined();
    const l = adapterFilesSpec(base, fr!);
    expect(l).toMatchObject({ model_source: 'local', model_path: '/models/fr.gguf' });
    expect(ModelSpec.safeParse(s).success).toBe(true);
  });

  it("a deployed model's adapters are not evicted", () => {
    const dep = deploymentFor('base');
    const refs = referencedModels([base], [dep]);
    expect(refs.has(modelRef('huggingface', 'org/sql-lora'))).toBe(true);
    expect(refs.has(modelRef('local', '/models/fr.gguf'))).toBe(true);
    expect(referencedModels([base], []).has(modelRef('huggingface', 'org/sql-lora'))).toBe(false);
  });

  it("reads the rank from a PEFT adapter's config, nothing from anything else", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lora-'));
    try {
      expect(await readAdapterRank(dir)).toBeUndefined();
      await writeFile(join(dir, 'adapter_config.json'), JSON.stringify({ r: 32, lora_alpha: 16 }));
      expect(await readAdapterRank(dir)).toBe(32);
      await writeFile(join(dir, 'adapter_config.json'), JSON.stringify({ r: '8; rm -rf /' }));
      expect(await readAdapterRank(dir)).toBeUndefined();
      expect(await readAdapterRank(join(dir, 'adapter_config.json'))).toBeUndefined();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
