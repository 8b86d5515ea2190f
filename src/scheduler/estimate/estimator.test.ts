import { describe, expect, it } from 'vitest';
import { GIB, MIB } from '../../core/domain/common.js';
import { estimateReplicaMemory, perGpuBytesFromWeights } from './estimator.js';
import { specFor } from '../fixtures.js';
import { bytesPerParamOfDtype, bytesPerParamOfQuantization, parseParamCountB } from './model-size.js';

describe('parseParamCountB', () => {
  it.each([
    ['Qwen/Qwen2.5-7B-Instruct', 7],
    ['Qwen/Qwen2.5-0.5B', 0.5],
    ['meta-llama/Llama-3.1-70b-instruct', 70],
    ['mistralai/Mixtral-8x7B-v0.1', 56],
    ['meta-llama/Llama-3.1-8B-Instruct', 8],
    ['Qwen/Qwen3-30B-A3B', 30],
    ['HuggingFaceTB/SmolLM2-135M-Instruct', 0.135],
    ['deepseek_llm_67b_base', 67],
    ['Qwen/Qwen2.5-7B-Instruct-1M', 7],
  ])('%s -> %sB', (name, expected) => {
    expect(parseParamCountB(name)).toBeCloseTo(expected, 6);
  });

  it.each(['gpt2', 'org/model', 'Qwen/Qwen2.5', 'phi-3-mini-4k', 'org/0B'])('%s says nothing', (name) => {
    expect(parseParamCountB(name)).toBeUndefined();
  });
});

describe('bytes per parameter', () => {
  it('follows the dtype, 16-bit by default', () => {
    expect(bytesPerParamOfDtype(undefined)).toBe(2);
    expect(bytesPerParamOfDtype('auto')).toBe(2);
    expect(bytesPerParamOfDtype('bfloat16')).toBe(2);
    expect(bytesPerParamOfDtype('float32')).toBe(4);
    expect(bytesPerParamOfDtype('fp8')).toBe(1);
    expect(bytesPerParamOfDtype('int4')).toBe(0.5);
  });

  it('reads quantization from the config or the name', () => {
    expect(bytesPerParamOfQuantization('awq', 'org/m')).toBe(0.5);
    expect(bytesPerParamOfQuantization(undefined, 'Qwen/Qwen2.5-7B-Instruct-GPTQ-Int4')).toBe(0.5);
    expect(bytesPerParamOfQuantization(undefined, 'neuralmagic/Llama-3-8B-FP8')).toBe(1);
    expect(bytesPerParamOfQuantization(undefined, 'Qwen/Qwen2.5-7B-Instruct')).toBeUndefined();
  });
});

describe('estimateReplicaMemory', () => {
  it('uses an explicit gpu_memory_gib as it is', () => {
    const e = estimateReplicaMemory(
      specFor('m', { engine_type: 'vllm', resources: { gpu_count: 2, gpu_memory_gib: 40 } }),
    );
    expect(e).toMatchObject({ gpuCount: 2, perGpuBytes: 40 * GIB, basis: 'explicit' });
  });

  it('explicit wins over weights and the name', () => {
    const e = estimateReplicaMemory(
      specFor('m', {
        model_name: 'org/X-70B',
        resources: { gpu_count: 1, gpu_memory_gib: 3, weights_bytes: 1e12 },
      }),
    );
    expect(e.perGpuBytes).toBe(3 * GIB);
  });

  it('follows the formula from weights_bytes: (1.2 W + KV) / gpus + 1 GiB', () => {
    const w = 10 * GIB;
    const e = estimateReplicaMemory(
      specFor('m', { engine_type: 'vllm', resources: { gpu_count: 1, weights_bytes: w } }),
    );
    expect(e.basis).toBe('weights');
    expect(e.perGpuBytes).toBe(Math.ceil((1.2 * w + 0.1 * w + GIB) / MIB) * MIB);
  });

  it('estimates a 7B model in bf16 from its name at about 18 GiB', () => {
    const e = estimateReplicaMemory(
      specFor('m', { engine_type: 'vllm', model_name: 'Qwen/Qwen2.5-7B-Instruct' }),
    );
    expect(e.basis).toBe('name-guess');
    expect(e.weightsBytes).toBe(14e9);
    expect(e.perGpuBytes! / GIB).toBeGreaterThan(17);
    expect(e.perGpuBytes! / GIB).toBeLessThan(19);
  });

  it('divides across gpu_count (tensor parallel) and keeps 1 GiB per GPU of overhead', () => {
    const one = estimateReplicaMemory(
      specFor('m', { engine_type: 'vllm', resources: { gpu_count: 1, param_count_b: 70 } }),
    );
    const four = estimateReplicaMemory(
      specFor('m', { engine_type: 'vllm', resources: { gpu_count: 4, param_count_b: 70 } }),
    );
    expect(four.gpuCount).toBe(4);
    expect(four.perGpuBytes!).toBeLessThan(one.perGpuBytes! / 3.5);
    expect(four.perGpuBytes!).toBeGreaterThan(one.perGpuBytes! / 4);
  });

  it('uses dtype and quantization for bytes per param', () => {
    const bf16 = estimateReplicaMemory(specFor('m', { resources: { gpu_count: 1, param_count_b: 8 } }));
    const int4 = estimateReplicaMemory(
      specFor('m', { engine_config: { quantization: 'awq' }, resources: { gpu_count: 1, param_count_b: 8 } }),
    );
    const fp32 = estimateReplicaMemory(
      specFor('m', { engine_config: { dtype: 'float32' }, resources: { gpu_count: 1, param_count_b: 8 } }),
    );
    expect(int4.weightsBytes).toBe(4e9);
    expect(bf16.weightsBytes).toBe(16e9);
    expect(fp32.weightsBytes).toBe(32e9);
  });

  it('grows the KV budget with max_model_len', () => {
    const w = 20 * GIB;
    expect(perGpuBytesFromWeights(w, 1, 32768)).toBeGreaterThan(perGpuBytesFromWeights(w, 1));
    expect(perGpuBytesFromWeights(w, 1, 1024)).toBeLessThan(perGpuBytesFromWeights(w, 1));
  });

  it('gives the simulator a small default when nothing is known', () => {
    const e = estimateReplicaMemory(specFor('m', { model_name: 'org/tiny' }));
    expect(e).toMatchObject({ gpuCount: 1, perGpuBytes: GIB, basis: 'sim-default' });
  });

  it('asks for whole GPUs when a real engine has nothing to go on', () => {
    const e = estimateReplicaMemory(specFor('m', { engine_type: 'vllm', model_name: 'org/mystery' }));
    expect(e.basis).toBe('unknown');
    expect(e.perGpuBytes).toBeUndefined();
    expect(e.summary).toContain('gpu_memory_gib');
  });

  it('reserves no GPU for gpu_count 0', () => {
    const e = estimateReplicaMemory(
      specFor('m', { engine_type: 'llamacpp', resources: { gpu_count: 0, param_count_b: 7 } }),
    );
    expect(e).toMatchObject({ gpuCount: 0, perGpuBytes: 0, basis: 'cpu' });
  });
});
