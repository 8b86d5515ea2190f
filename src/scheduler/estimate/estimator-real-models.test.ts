/**
 * The estimator on the published files of real models, against the memory their engines are documented
 * to use: vLLM's "Loading model weights took N GB" (GiB) and KV per token 2 x layers x kv_heads x
 * head_dim x 2 bytes (bf16); llama.cpp's "llama_kv_cache: size = 1024.00 MiB (8192 cells, 32 layers)"
 * and "CPU buffer size = 4685.30 MiB" for Llama-3.1-8B-Instruct Q4_K_M.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GIB, MIB } from '../../core/domain/common.js';
import type { ModelFacts } from '../../core/domain/model-facts.js';
import type { ModelSpec } from '../../core/domain/model.js';
import { factsFromConfig, factsFromGgufMetadata, selectWeightFiles } from '../../facts/index.js';
import { estimateReplicaMemory, formatParts } from './estimator.js';
import { specFor } from '../fixtures.js';
import { ggufMetadata, LLAMA31_8B_Q4KM } from '../../../test/fixtures/gguf/llama31-8b.js';

const KIB = 1024;

function config(name: string): unknown {
  return JSON.parse(
    readFileSync(new URL(`../../../test/fixtures/model-configs/${name}.json`, import.meta.url), 'utf8'),
  );
}

/** A spec of `model_name` whose facts were read from `cfg` and `weightsBytes` (as the server stores them). */
function withFacts(
  model_name: string,
  engine: ModelSpec['engine_type'],
  facts: Partial<ModelFacts>,
  o: { gpu_count?: number; max_model_len?: number; extra_args?: string[] } = {},
): ModelSpec {
  return specFor('m', {
    model_name,
    engine_type: engine,
    engine_config: {
      extra_args: o.extra_args ?? [],
      env: {},
      ...(o.max_model_len !== undefined ? { max_model_len: o.max_model_len } : {}),
    },
    resources: { gpu_count: o.gpu_count ?? 1 },
    facts: {
      read_for: { model_name, model_source: 'huggingface', revision: 'main' },
      computed_at: '2026-01-01T00:00:00.000Z',
      format: 'safetensors',
      notes: [],
      ...facts,
    },
  });
}

describe('the geometry read from the published config.json', () => {
  it.each([
    [
      'qwen2.5-7b-instruct',
      {
        architecture: 'qwen2',
        num_layers: 28,
        num_attention_heads: 28,
        num_kv_heads: 4,
        hidden_size: 3584,
        max_context: 32768,
        dtype: 'bfloat16',
        vocab_size: 152064,
      },
    ],
    // The MoE fields.
    [
      'mixtral-8x7b-instruct-v0.1',
      { architecture: 'mixtral', num_experts: 8, experts_per_token: 2, num_kv_heads: 8 },
    ],
  ])('%s', (name, geometry) => {
    expect(factsFromConfig(config(name))).toMatchObject(geometry);
  });
});

describe('Qwen2.5-7B-Instruct on vLLM (bf16)', () => {
  const cfg = factsFromConfig(config('qwen2.5-7b-instruct'));
  // model.safetensors.index.json: "total_size": 15231233024; vLLM logs "Loading model weights took 14.19 GB".
  const weights = 15_231_233_024;
  const spec = withFacts(
    'Qwen/Qwen2.5-7B-Instruct',
    'vllm',
    { ...cfg, geometry_from: 'config.json', weights_bytes: weights, weights_from: 'safetensors-index' },
    { max_model_len: 32768 },
  );
  const e = estimateReplicaMemory(spec);

  it('weights as vLLM loads them, KV 56 KiB/token (2 x 28 x 4 x 128 x 2), 1.75 GiB at 32k', () => {
    expect(e.basis).toBe('facts');
    expect(e.parts!.weightsBytes / GIB).toBeCloseTo(14.19, 1);
    expect(e.parts!.kvBytesPerToken).toBe(56 * KIB);
    expect(e.parts!.kvTokens).toBe(32768);
    expect(e.parts!.kvBytes).toBe(1.75 * GIB);
    expect(e.parts!.runtimeBytes / GIB).toBeGreaterThan(1);
    expect(e.parts!.runtimeBytes / GIB).toBeLessThan(3);
    // Fits a 24 GiB GPU at 32k, as Qwen documents for vLLM on one consumer card.
    expect(e.perGpuBytes! / GIB).toBeLessThan(22);
    expect(e.summary).toMatch(/^\d+\.\d GiB\/GPU = 14\.2 weights \+ 1\.8 KV at 32k \+ \d\.\d runtime$/);
  });
});

describe('Llama-3.1-8B-Instruct on vLLM (bf16)', () => {
  const cfg = factsFromConfig(config('llama-3.1-8b-instruct'));
  // "total_size": 16060522496; vLLM: "Loading model weights took 14.9888 GB".
  const weights = 16_060_522_496;
  const facts = { ...cfg, geometry_from: 'config.json' as const, weights_bytes: weights };

  it('KV is 128 KiB per token; its full 128k context needs 16 GiB of KV', () => {
    const e = estimateReplicaMemory(withFacts('meta-llama/Llama-3.1-8B-Instruct', 'vllm', facts));
    expect(e.parts!.kvBytesPerToken).toBe(2 * 32 * 8 * 128 * 2);
    expect(e.parts!.kvBytesPerToken).toBe(128 * KIB);
    expect(e.parts!.kvTokens).toBe(131072);
    expect(e.parts!.kvBytes).toBe(16 * GIB);
    expect(Math.abs(e.parts!.weightsBytes / GIB - 14.9888) / 14.9888).toBeLessThan(0.01);
    // Does not fit a 24 GiB GPU at 128k (vLLM refuses there too), fits an 80 GiB one.
    expect(e.perGpuBytes! / GIB).toBeGreaterThan(24);
    expect(e.perGpuBytes! / GIB).toBeLessThan(40);
  });

  it('max_model_len 8192 -> 1 GiB of KV; fp8 KV halves it; tensor parallel 2 halves weights and KV', () => {
    const at8k = estimateReplicaMemory(
      withFacts('meta-llama/Llama-3.1-8B-Instruct', 'vllm', facts, { max_model_len: 8192 }),
    );
    expect(at8k.parts!.kvBytes).toBe(GIB);
    const fp8 = estimateReplicaMemory(
      withFacts('meta-llama/Llama-3.1-8B-Instruct', 'vllm', facts, {
        max_model_len: 8192,
        extra_args: ['--kv-cache-dtype', 'fp8'],
      }),
    );
    expect(fp8.parts!.kvBytes).toBe(0.5 * GIB);
    const tp2 = estimateReplicaMemory(
      withFacts('meta-llama/Llama-3.1-8B-Instruct', 'vllm', facts, { max_model_len: 8192, gpu_count: 2 }),
    );
    expect(tp2.parts!.weightsBytes).toBe(weights / 2);
    expect(tp2.parts!.kvBytes).toBe(0.5 * GIB);
    expect(tp2.perGpuBytes!).toBeLessThan(at8k.perGpuBytes!);
  });
});

describe('Mixtral-8x7B-Instruct-v0.1 on vLLM, tensor parallel 2', () => {
  const cfg = factsFromConfig(config('mixtral-8x7b-instruct-v0.1'));
  // "total_size": 93405585408; vLLM with TP 2 logs about 43.5 GB of weights per GPU.
  const weights = 93_405_585_408;
  const e = estimateReplicaMemory(
    withFacts(
      'mistralai/Mixtral-8x7B-Instruct-v0.1',
      'vllm',
      { ...cfg, geometry_from: 'config.json', weights_bytes: weights },
      { gpu_count: 2 },
    ),
  );

  it('every expert is loaded: 43.5 GiB of weights per GPU, KV 128 KiB/token split over 2 GPUs', () => {
    expect(e.parts!.weightsBytes / GIB).toBeCloseTo(43.5, 1);
    expect(e.parts!.kvBytesPerToken).toBe(128 * KIB);
    expect(e.parts!.kvBytes).toBe((128 * KIB * 32768) / 2);
    // Two 80 GB GPUs hold it at its full 32k context; two 48 GB ones (about 45 GiB each) do not.
    expect(e.perGpuBytes! / GIB).toBeLessThan(80);
    expect(e.perGpuBytes! / GIB).toBeGreaterThan(45);
  });

  it('the name alone would have said 56B params x 2 bytes: a guess, labelled so', () => {
    const guess = estimateReplicaMemory(
      specFor('m', {
        model_name: 'mistralai/Mixtral-8x7B-Instruct-v0.1',
        engine_type: 'vllm',
        resources: { gpu_count: 2 },
      }),
    );
    expect(guess.basis).toBe('name-guess');
    expect(guess.parts?.weightsFrom).toBe('name-guess');
    expect(guess.summary).toContain('name-guess');
  });
});

describe('Llama-3.1-8B-Instruct Q4_K_M on llama.cpp', () => {
  const files = [
    { path: 'Meta-Llama-3.1-8B-Instruct-Q4_K_M.gguf', size: 4_920_734_336 },
    { path: 'Meta-Llama-3.1-8B-Instruct-Q8_0.gguf', size: 8_540_770_880 },
    { path: 'Meta-Llama-3.1-8B-Instruct-f16.gguf', size: 16_068_890_912 },
  ];
  const sel = selectWeightFiles(files, { engine: 'llamacpp', file: 'Q4_K_M' });
  const header = factsFromGgufMetadata(ggufMetadata(LLAMA31_8B_Q4KM));
  const facts = {
    ...header,
    format: 'gguf' as const,
    geometry_from: 'gguf-header' as const,
    weights_bytes: sel.files.reduce((n, f) => n + (f.size ?? 0), 0),
    weights_from: 'hub-file-list' as const,
  };

  it('loads only the chosen variant: 4.58 GiB, as llama.cpp reports (CPU buffer size = 4685.30 MiB)', () => {
    expect(sel.files.map((f) => f.path)).toEqual(['Meta-Llama-3.1-8B-Instruct-Q4_K_M.gguf']);
    const e = estimateReplicaMemory(
      withFacts('bartowski/Meta-Llama-3.1-8B-Instruct-GGUF', 'llamacpp', facts, { max_model_len: 8192 }),
    );
    expect(Math.abs(e.parts!.weightsBytes / MIB - 4685.3) / 4685.3).toBeLessThan(0.005);
  });

  it('-c 8192 -> KV 1024 MiB in f16 (llama_kv_cache: 8192 cells, 32 layers, K 512 + V 512 MiB)', () => {
    const e = estimateReplicaMemory(
      withFacts('bartowski/Meta-Llama-3.1-8B-Instruct-GGUF', 'llamacpp', facts, { max_model_len: 8192 }),
    );
    expect(e.parts!.kvBytes).toBe(1024 * MIB);
    // Logits of 4 slots, the compute buffer of a 512-token micro-batch, the CUDA context (0.3 GiB).
    expect(e.parts!.runtimeBytes / MIB).toBeGreaterThan(300);
    expect(e.parts!.runtimeBytes / MIB).toBeLessThan(1024);
    expect(e.summary).toMatch(/GiB\/GPU = 4\.6 weights \+ 1\.0 KV at 8k \+ 0\.\d runtime$/);
  });

  it('without -c llama-server allocates the trained context (131072 -> 16 GiB); -ctk q8_0 shrinks K', () => {
    const full = estimateReplicaMemory(
      withFacts('bartowski/Meta-Llama-3.1-8B-Instruct-GGUF', 'llamacpp', facts),
    );
    expect(full.parts!.kvBytes).toBe(16 * GIB);
    const q8 = estimateReplicaMemory(
      withFacts('bartowski/Meta-Llama-3.1-8B-Instruct-GGUF', 'llamacpp', facts, {
        max_model_len: 8192,
        extra_args: ['-ctk', 'q8_0'],
      }),
    );
    expect(q8.parts!.kvBytes).toBeLessThan(1024 * MIB);
  });

  it('on CPU (gpu_count 0) reserves no GPU, and still says what the host will hold', () => {
    const e = estimateReplicaMemory(
      withFacts('bartowski/Meta-Llama-3.1-8B-Instruct-GGUF', 'llamacpp', facts, {
        max_model_len: 8192,
        gpu_count: 0,
      }),
    );
    expect(e).toMatchObject({ gpuCount: 0, perGpuBytes: 0, basis: 'cpu' });
    expect(e.summary).toMatch(/^CPU only \(gpu_count 0\): \d\.\d GiB = 4\.6 weights \+ 1\.0 KV at 8k/);
  });
});

describe('stale facts are ignored', () => {
  it('facts read for another revision do not count: the name guess does, labelled', () => {
    const cfg = factsFromConfig(config('qwen2.5-7b-instruct'));
    const spec = withFacts('Qwen/Qwen2.5-7B-Instruct', 'vllm', { ...cfg, weights_bytes: 15_231_233_024 });
    const moved = { ...spec, revision: 'v2' };
    expect(estimateReplicaMemory(spec).basis).toBe('facts');
    expect(estimateReplicaMemory(moved).basis).toBe('name-guess');
  });

  it('formats parts in MiB below 1 GiB', () => {
    expect(
      formatParts(
        600 * MIB,
        {
          weightsBytes: 300 * MIB,
          kvBytes: 200 * MIB,
          runtimeBytes: 100 * MIB,
          weightsFrom: 'files',
          kvFrom: 'gguf-header',
          kvTokens: 4096,
          weightsWhat: '',
          kvWhat: '',
          runtimeWhat: '',
        },
        'host',
      ),
    ).toBe('600.0 MiB = 300.0 weights + 200.0 KV at 4k + 100.0 runtime');
  });
});

describe('the tiny test GGUF (2 layers, embedding 64, 4 heads, 2 KV heads, 32k vocab) on the pinned llama-server, CPU', () => {
  // Facts as the server reads them from tiny-llama-Q8_0.gguf (2980992 bytes).
  const facts = {
    format: 'gguf' as const,
    weights_bytes: 2_980_992,
    weights_from: 'local-files' as const,
    geometry_from: 'gguf-header' as const,
    architecture: 'llama',
    num_layers: 2,
    hidden_size: 64,
    num_attention_heads: 4,
    num_kv_heads: 2,
    max_context: 256,
    vocab_size: 32000,
  };
  const at = (c: number) =>
    estimateReplicaMemory(withFacts('tiny', 'llamacpp', facts, { max_model_len: c, gpu_count: 0 }));

  it('KV as llama-server logs it: 0.06 MiB at -c 256, 1.00 MiB at -c 4096 (f16, 256 B/token)', () => {
    expect(at(256).parts!.kvBytesPerToken).toBe(256);
    expect(at(256).parts!.kvBytes).toBe(64 * KIB);
    expect(at(4096).parts!.kvBytes).toBe(MIB);
  });

  it('covers the measured resident memory (23.3 MiB at 256, 24.8 MiB at 4096) within 30 %', () => {
    for (const [c, rssMib] of [
      [256, 23.3],
      [4096, 24.8],
    ] as const) {
      const e = at(c);
      const total = (e.parts!.weightsBytes + e.parts!.kvBytes + e.parts!.runtimeBytes) / MIB;
      expect(total).toBeGreaterThanOrEqual(rssMib);
      expect(total).toBeLessThan(rssMib * 1.3);
    }
  });
});

describe('checkpoint dtype vs the dtype vLLM runs in', () => {
  const cfg = factsFromConfig(config('qwen2.5-7b-instruct'));
  const base = { ...cfg, geometry_from: 'config.json' as const, weights_bytes: 15_231_233_024 };
  it('a float32 checkpoint runs in float16 under dtype auto (half the bytes); online fp8 halves bf16', () => {
    const fp32 = estimateReplicaMemory(
      withFacts('Qwen/Qwen2.5-7B-Instruct', 'vllm', {
        ...base,
        dtype: 'float32',
        weights_bytes: 30_462_466_048,
      }),
    );
    expect(fp32.parts!.weightsBytes).toBe(15_231_233_024);
    expect(fp32.parts!.weightsWhat).toContain('float32 checkpoint loaded as 2 bytes/param');
    const fp8 = estimateReplicaMemory({
      ...withFacts('Qwen/Qwen2.5-7B-Instruct', 'vllm', base),
      engine_config: { extra_args: [], env: {}, quantization: 'fp8' },
    });
    expect(fp8.parts!.weightsBytes).toBe(15_231_233_024 / 2);
    const gguf = estimateReplicaMemory(
      withFacts('x', 'llamacpp', { ...base, format: 'gguf', dtype: 'float32' }),
    );
    expect(gguf.parts!.weightsBytes).toBe(15_231_233_024);
  });
});
