import { describe, expect, it } from 'vitest';
import { GIB, ModelSpec, type Assignment, type EngineType } from '../core/domain/index.js';
import { EngineLaunchError } from './errors.js';
import { loadEngineAdapter } from './factory.js';
import type { LaunchInput } from './types.js';

const now = '2026-01-01T00:00:00.000Z';

function spec(over: Record<string, unknown> = {}): ModelSpec {
  return ModelSpec.parse({
    model_uid: 'qwen-7b',
    model_name: 'Qwen/Qwen2.5-7B-Instruct',
    model_source: 'huggingface',
    engine_type: 'vllm',
    created_at: now,
    updated_at: now,
    ...over,
  });
}

const oneGpu: Assignment = {
  replica_id: 0,
  node_id: 'n1',
  gpu_indices: [3],
  gpu_memory_bytes: 40 * GIB,
  port: 40001,
};
const twoGpus: Assignment = {
  replica_id: 1,
  node_id: 'n1',
  gpu_indices: [0, 1],
  gpu_memory_bytes: 70 * GIB,
  port: 40002,
};
const cpuOnly: Assignment = {
  replica_id: 0,
  node_id: 'n1',
  gpu_indices: [],
  gpu_memory_bytes: 0,
  port: 40003,
};

function input(s: ModelSpec, assignment: Assignment, over: Partial<LaunchInput> = {}): LaunchInput {
  return {
    spec: s,
    assignment,
    host: '10.0.0.5',
    cacheDir: '/var/lib/nebula/cache',
    gpuMemoryTotalBytes: 80 * GIB,
    nebulaBin: { command: '/usr/bin/node', args: ['/opt/nebula/bin/nebula.js'] },
    ...over,
  };
}

const HF_ENV = { HF_HOME: '/var/lib/nebula/cache', MODELSCOPE_CACHE: '/var/lib/nebula/cache/modelscope' };
const LLAMA_ENV = { LLAMA_CACHE: '/var/lib/nebula/cache/llama.cpp', HF_HOME: '/var/lib/nebula/cache' };
const GGUF = '/models/qwen2.5-7b-instruct-q4_k_m.gguf';

/** One exact launch: what an adapter must build for a spec on an assignment, to the last argument. */
interface LaunchCase {
  title: string;
  /** Overrides of the test spec; its engine_type is the adapter's. */
  spec?: Record<string, unknown>;
  on: Assignment;
  input?: Partial<LaunchInput>;
  /** The command line as a shell shows it, program first (no argument holds a space). */
  commandLine: string;
  env: Record<string, string>;
}

/** Each case as its own test: the adapter's launch equals the case's command, argv and env exactly. */
function itBuildsExactLaunches(engine: EngineType, cases: readonly LaunchCase[]): void {
  it.each(cases.map((c) => [c.title, c] as const))('%s', async (_title, c) => {
    const a = await loadEngineAdapter(engine);
    const [command, ...argv] = c.commandLine.split(' ');
    const launch = a.buildLaunch(input(spec({ engine_type: engine, ...c.spec }), c.on, c.input));
    expect(launch).toEqual({ command, argv, env: c.env });
  });
}

describe('vllm adapter', () => {
  itBuildsExactLaunches('vllm', [
    {
      title: 'builds the exact launch for one GPU',
      spec: {
        engine_config: { max_model_len: 8192, dtype: 'bfloat16', env: { VLLM_LOGGING_LEVEL: 'DEBUG' } },
      },
      on: oneGpu,
      commandLine:
        'vllm serve Qwen/Qwen2.5-7B-Instruct --host 10.0.0.5 --port 40001 --served-model-name qwen-7b ' +
        '--tensor-parallel-size 1 --gpu-memory-utilization 0.50 --download-dir /var/lib/nebula/cache/hub ' +
        '--max-model-len 8192 --dtype bfloat16',
      env: { ...HF_ENV, VLLM_LOGGING_LEVEL: 'DEBUG', CUDA_VISIBLE_DEVICES: '3' },
    },
    {
      title:
        'builds the exact launch for two GPUs from ModelScope with LoRA, quantization and extra args last',
      spec: {
        model_source: 'modelscope',
        revision: 'v1.1',
        served_model_name: 'chat',
        engine_config: {
          quantization: 'awq',
          enable_lora: true,
          extra_args: ['--max-num-seqs', '64'],
          env: { CUDA_VISIBLE_DEVICES: '7' },
        },
      },
      on: twoGpus,
      input: { executable: '/opt/vllm/bin/vllm' },
      commandLine:
        '/opt/vllm/bin/vllm serve Qwen/Qwen2.5-7B-Instruct --host 10.0.0.5 --port 40002 --served-model-name chat ' +
        '--tensor-parallel-size 2 --gpu-memory-utilization 0.87 --download-dir /var/lib/nebula/cache/hub ' +
        '--revision v1.1 --quantization awq --enable-lora --max-num-seqs 64',
      // The spec cannot move the replica off the GPUs it was placed on.
      env: { ...HF_ENV, VLLM_USE_MODELSCOPE: 'True', CUDA_VISIBLE_DEVICES: '0,1' },
    },
  ]);

  it('loads a resolved local path, takes the cache manager env, and maps fp8 to a quantization', async () => {
    const a = await loadEngineAdapter('vllm');
    const s = spec({ revision: 'abc123', engine_config: { dtype: 'fp8' } });
    const launch = a.buildLaunch(
      input(s, oneGpu, {
        modelPath: '/cache/hub/models--Qwen/snapshots/abc123',
        env: { HF_HOME: '/elsewhere' },
        gpuMemoryTotalBytes: undefined,
      }),
    );
    expect(launch.argv.slice(0, 2)).toEqual(['serve', '/cache/hub/models--Qwen/snapshots/abc123']);
    expect(launch.argv).not.toContain('--revision');
    expect(launch.argv).not.toContain('--gpu-memory-utilization');
    expect(launch.argv.slice(-2)).toEqual(['--quantization', 'fp8']);
    expect(launch.env['HF_HOME']).toBe('/elsewhere');
  });
});

describe('sglang adapter', () => {
  itBuildsExactLaunches('sglang', [
    {
      title: 'builds the exact launch for one GPU',
      spec: { engine_config: { max_model_len: 4096 } },
      on: oneGpu,
      commandLine:
        'python3 -m sglang.launch_server --model-path Qwen/Qwen2.5-7B-Instruct --host 10.0.0.5 --port 40001 ' +
        '--served-model-name qwen-7b --tp-size 1 --mem-fraction-static 0.50 ' +
        '--download-dir /var/lib/nebula/cache/hub --context-length 4096 --enable-metrics',
      env: { ...HF_ENV, CUDA_VISIBLE_DEVICES: '3' },
    },
    {
      title: 'builds the exact launch for two GPUs',
      spec: {
        model_source: 'modelscope',
        engine_config: {
          dtype: 'float16',
          enable_lora: true,
          extra_args: ['--chunked-prefill-size', '4096'],
        },
      },
      on: twoGpus,
      commandLine:
        'python3 -m sglang.launch_server --model-path Qwen/Qwen2.5-7B-Instruct --host 10.0.0.5 --port 40002 ' +
        '--served-model-name qwen-7b --tp-size 2 --mem-fraction-static 0.87 ' +
        '--download-dir /var/lib/nebula/cache/hub --dtype float16 --enable-lora --enable-metrics ' +
        '--chunked-prefill-size 4096',
      env: { ...HF_ENV, SGLANG_USE_MODELSCOPE: 'true', CUDA_VISIBLE_DEVICES: '0,1' },
    },
  ]);
});

describe('llamacpp adapter', () => {
  itBuildsExactLaunches('llamacpp', [
    {
      title: 'builds the exact launch for one GPU',
      spec: { model_source: 'local', model_path: GGUF, engine_config: { max_model_len: 8192 } },
      on: oneGpu,
      commandLine: `llama-server -m ${GGUF} --host 10.0.0.5 --port 40001 --alias qwen-7b -ngl 999 -c 8192 --metrics`,
      env: { ...LLAMA_ENV, CUDA_VISIBLE_DEVICES: '3' },
    },
    {
      title: 'builds the exact launch for two GPUs (layer split)',
      spec: { engine_config: { extra_args: ['-np', '4'] } },
      on: twoGpus,
      input: { modelPath: GGUF },
      commandLine:
        `llama-server -m ${GGUF} --host 10.0.0.5 --port 40002 --alias qwen-7b -ngl 999 ` +
        '--split-mode layer --tensor-split 1,1 --metrics -np 4',
      env: { ...LLAMA_ENV, CUDA_VISIBLE_DEVICES: '0,1' },
    },
  ]);

  it('runs on the CPU with no GPUs, fetches from Hugging Face without a path, and refuses non-GGUF paths', async () => {
    const a = await loadEngineAdapter('llamacpp');
    const cpu = a.buildLaunch(
      input(spec({ engine_type: 'llamacpp', model_name: 'org/model-GGUF' }), cpuOnly),
    );
    expect(cpu.argv).toEqual(
      '--hf-repo org/model-GGUF --host 10.0.0.5 --port 40003 --alias qwen-7b -ngl 0 --metrics'.split(' '),
    );
    expect(cpu.env['CUDA_VISIBLE_DEVICES']).toBe('');
    expect(() =>
      a.buildLaunch(input(spec({ engine_type: 'llamacpp' }), oneGpu, { modelPath: '/models/dir' })),
    ).toThrow(EngineLaunchError);
    expect(() =>
      a.buildLaunch(input(spec({ engine_type: 'llamacpp', model_source: 'modelscope' }), oneGpu)),
    ).toThrow(/local \.gguf/);
  });
});

describe('sim adapter', () => {
  itBuildsExactLaunches('sim', [
    {
      title: 'launches nebula engine-sim with tuning from extra_args (one GPU)',
      spec: { engine_config: { max_model_len: 2048, extra_args: ['--ttft-ms', '50', '--itl-ms', '10'] } },
      on: oneGpu,
      commandLine:
        '/usr/bin/node /opt/nebula/bin/nebula.js engine-sim --model Qwen/Qwen2.5-7B-Instruct ' +
        '--served-model-name qwen-7b --host 10.0.0.5 --port 40001 --max-model-len 2048 --ttft-ms 50 --itl-ms 10',
      env: { CUDA_VISIBLE_DEVICES: '3' },
    },
    {
      title: 'launches the simulator on two GPUs',
      spec: { engine_config: { env: { NEBULA_LOG_LEVEL: 'debug' } } },
      on: twoGpus,
      commandLine:
        '/usr/bin/node /opt/nebula/bin/nebula.js engine-sim --model Qwen/Qwen2.5-7B-Instruct ' +
        '--served-model-name qwen-7b --host 10.0.0.5 --port 40002',
      env: { NEBULA_LOG_LEVEL: 'debug', CUDA_VISIBLE_DEVICES: '0,1' },
    },
  ]);

  it('launches the simulator on no GPUs', async () => {
    const a = await loadEngineAdapter('sim');
    const s = spec({ engine_type: 'sim', engine_config: { env: { NEBULA_LOG_LEVEL: 'debug' } } });
    expect(a.buildLaunch(input(s, cpuOnly)).env['CUDA_VISIBLE_DEVICES']).toBe('');
  });
});

describe('adapter metadata', () => {
  it('gives readiness probes, metric names and served names', async () => {
    const expected = {
      vllm: 'vllm:num_requests_running',
      sglang: 'sglang:num_running_reqs',
      llamacpp: 'llamacpp:requests_processing',
      sim: 'vllm:num_requests_running',
    };
    for (const [type, running] of Object.entries(expected)) {
      const a = await loadEngineAdapter(type);
      expect(a.type).toBe(type);
      expect(a.readiness).toEqual({ path: '/health', expectStatus: 200 });
      expect(a.metricNames.running).toBe(running);
      expect(a.servedModelName(spec())).toBe('qwen-7b');
      expect(a.servedModelName(spec({ served_model_name: 'x' }))).toBe('x');
    }
    expect((await loadEngineAdapter('sglang')).metricNames.waiting).toBe('sglang:num_queue_reqs');
    expect((await loadEngineAdapter('vllm')).metricNames.kvCacheUsage).toBe('vllm:kv_cache_usage_perc');
  });
});
