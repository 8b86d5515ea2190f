import { describe, expect, it } from 'vitest';
import { ModelSpec, type Assignment } from '../core/domain/index.js';
import { loadEngineAdapter } from './factory.js';

const now = '2026-01-01T00:00:00.000Z';
const cpu: Assignment = { replica_id: 0, node_id: 'n1', gpu_indices: [], gpu_memory_bytes: 0, port: 40003 };

function argvOf(over: Record<string, unknown>, modelPath?: string): Promise<string[]> {
  const spec = ModelSpec.parse({
    model_uid: 'tiny',
    model_name: 'org/tiny-GGUF',
    model_source: 'huggingface',
    engine_type: 'llamacpp',
    created_at: now,
    updated_at: now,
    ...over,
  });
  return loadEngineAdapter('llamacpp').then(
    (a) =>
      a.buildLaunch({
        spec,
        assignment: cpu,
        host: '127.0.0.1',
        cacheDir: '/c',
        nebulaBin: { command: 'node', args: [] },
        ...(modelPath === undefined ? {} : { modelPath }),
      }).argv,
  );
}

describe('llama.cpp model flags', () => {
  it('loads the resolved file with -m (the first part of a split model)', async () => {
    const first = '/c/huggingface/hub/models--org--tiny-GGUF/snapshots/abc/tiny-Q8_0-00001-of-00002.gguf';
    const argv = await argvOf({ gguf_quant: 'Q8_0' }, first);
    expect(argv.slice(0, 2)).toEqual(['-m', first]);
    expect(argv).not.toContain('--hf-repo');
  });

  it('refuses a snapshot directory, naming the way out', async () => {
    await expect(argvOf({}, '/c/huggingface/hub/models--org--tiny-GGUF/snapshots/abc')).rejects.toThrow(
      /needs a \.gguf file.*gguf_file or gguf_quant/,
    );
  });

  it('tells llama-server the same variant when it fetches the repository itself', async () => {
    expect((await argvOf({ gguf_file: 'tiny-F16.gguf' })).slice(0, 4)).toEqual([
      '--hf-repo',
      'org/tiny-GGUF',
      '--hf-file',
      'tiny-F16.gguf',
    ]);
    expect((await argvOf({ gguf_quant: 'Q4_K_M' })).slice(0, 2)).toEqual([
      '--hf-repo',
      'org/tiny-GGUF:Q4_K_M',
    ]);
  });
});
