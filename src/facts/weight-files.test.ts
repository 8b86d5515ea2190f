import { describe, expect, it } from 'vitest';
import { factsFromConfig, totalSizeFromIndex } from './config-json.js';
import { selectWeightFiles } from './weight-files.js';

const f = (path: string, size: number | null = 100) => ({ path, size });

describe('selectWeightFiles', () => {
  it('safetensors shards at the root; consolidated duplicates and subfolders left out', () => {
    const s = selectWeightFiles(
      [
        f('config.json'),
        f('model-00001-of-00002.safetensors', 10),
        f('model-00002-of-00002.safetensors', 20),
        f('consolidated.safetensors', 30),
        f('original/consolidated.00.pth', 30),
      ],
      { engine: 'vllm' },
    );
    expect(s.format).toBe('safetensors');
    expect(s.files.map((x) => x.path)).toEqual([
      'model-00001-of-00002.safetensors',
      'model-00002-of-00002.safetensors',
    ]);
  });

  it('pytorch .bin only without safetensors, never training_args.bin', () => {
    const s = selectWeightFiles([f('pytorch_model.bin'), f('training_args.bin')], { engine: 'sglang' });
    expect(s).toMatchObject({ format: 'pytorch', files: [{ path: 'pytorch_model.bin' }] });
  });

  it('GGUF: a tag picks every part of a split variant; mmproj files are not weights', () => {
    const files = [
      f('Q4_K_M/m-Q4_K_M-00001-of-00002.gguf', 5),
      f('Q4_K_M/m-Q4_K_M-00002-of-00002.gguf', 4),
      f('m-Q8_0.gguf', 9),
      f('mmproj-m-f16.gguf', 1),
    ];
    const s = selectWeightFiles(files, { engine: 'llamacpp', file: 'Q4_K_M' });
    expect(s.ggufFile).toBe('Q4_K_M/m-Q4_K_M-00001-of-00002.gguf');
    expect(s.files.map((x) => x.size)).toEqual([5, 4]);
    expect(selectWeightFiles(files, { engine: 'llamacpp', file: 'm-Q8_0.gguf' }).files).toEqual([
      f('m-Q8_0.gguf', 9),
    ]);
    // No choice: the product's default rule (Q4_K_M first), as the node downloads and llama-server loads.
    expect(selectWeightFiles(files, { engine: 'llamacpp' }).ggufFile).toBe(
      'Q4_K_M/m-Q4_K_M-00001-of-00002.gguf',
    );
    const missing = selectWeightFiles(files, { engine: 'llamacpp', file: 'Q2_K' });
    expect(missing.files).toEqual([]);
    expect(missing.note).toMatch(/Q2_K/);
    expect(selectWeightFiles([f('only-Q4_0.gguf', 7)], { engine: 'llamacpp' }).ggufFile).toBe(
      'only-Q4_0.gguf',
    );
  });
});

describe('config.json', () => {
  it('prefers text_config of multimodal configs and ignores junk', () => {
    const g = factsFromConfig({
      model_type: 'gemma3',
      text_config: { num_hidden_layers: 34, num_attention_heads: 8, num_key_value_heads: 4, head_dim: 256 },
      num_hidden_layers: 'x',
      max_position_embeddings: -1,
      torch_dtype: '$(rm -rf /)',
    });
    expect(g).toEqual({
      architecture: 'gemma3',
      num_layers: 34,
      num_attention_heads: 8,
      num_kv_heads: 4,
      head_dim: 256,
    });
    expect(factsFromConfig('nope')).toEqual({});
  });

  it('reads total_size of a safetensors index', () => {
    expect(totalSizeFromIndex({ metadata: { total_size: 15231233024 }, weight_map: {} })).toBe(15231233024);
    expect(totalSizeFromIndex({ metadata: { total_size: '12' } })).toBe(12);
    expect(totalSizeFromIndex({ metadata: {} })).toBeUndefined();
  });
});
