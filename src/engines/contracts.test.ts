import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { registerEngineSimCommand } from '../cli/role-engine-sim.js';
import { EngineType, GIB, ModelSpec, type Assignment } from '../core/domain/index.js';
import {
  acceptsFlag,
  checkEngineConfig,
  maskEnv,
  MASKED_ENV_VALUE,
  unmaskEnv,
  type EngineContract,
} from './contract.js';
import { ENGINE_CONTRACTS } from './contracts/index.js';
import { LLAMA_SERVER_FLAGS } from './contracts/llama-server-flags.js';
import { parseLlamaServerHelp } from './contracts/llama-server-help.js';
import { assertEngineConfig, engineConfigIssues } from './engine-config-check.js';
import { parseEngineLoad } from '../router/table/prom-text.js';
import { EngineLaunchError } from './errors.js';
import { loadEngineAdapter } from './factory.js';
import type { EngineMetricNames, LaunchInput } from './types.js';

const now = '2026-01-01T00:00:00.000Z';

/**
 * Checks an argv the adapter built against the release's flag list: every flag must be one the release
 * accepts, followed by as many values as it takes. `skip` leading tokens are the program's own prefix
 * (`serve <model>`, `-m sglang.launch_server`).
 */
function unacceptedFlags(contract: EngineContract, argv: readonly string[], skip: number): string[] {
  const bad: string[] = [];
  for (let i = skip; i < argv.length; i++) {
    const tok = argv[i] ?? '';
    const spec = acceptsFlag(contract, tok);
    if (!spec) {
      bad.push(tok);
      continue;
    }
    const n = spec.values === 2 ? 2 : spec.values === 0 || spec.values === '?' ? 0 : 1;
    for (let k = 0; k < n; k++) {
      const v = argv[i + 1];
      if (v === undefined || (v.startsWith('-') && !/^-\d/.test(v))) bad.push(`${tok} (missing value)`);
      else i++;
    }
  }
  return bad;
}

const assignments: Assignment[] = [
  { replica_id: 0, node_id: 'n1', gpu_indices: [], gpu_memory_bytes: 0, port: 40000 },
  { replica_id: 0, node_id: 'n1', gpu_indices: [2], gpu_memory_bytes: 30 * GIB, port: 40001 },
  { replica_id: 1, node_id: 'n1', gpu_indices: [0, 1, 2, 3], gpu_memory_bytes: 70 * GIB, port: 40002 },
];

/** Every combination of the spec options an adapter turns into flags. */
function* specVariants(engine: EngineType): Generator<{ spec: ModelSpec; input: Partial<LaunchInput> }> {
  const sources = [
    { model_source: 'huggingface', revision: 'main' },
    { model_source: 'huggingface', revision: 'v2' },
    { model_source: 'modelscope', revision: 'main' },
  ] as const;
  const paths: (string | undefined)[] =
    engine === 'llamacpp' ? ['/cache/m/model-Q4_K_M.gguf', undefined] : ['/cache/m/snap', undefined];
  for (const src of sources)
    for (const modelPath of paths)
      for (const dtype of [undefined, 'auto', 'bfloat16', 'float16', 'float32', 'fp8', 'int4'] as const)
        for (const quantization of [undefined, 'awq'])
          for (const enable_lora of [undefined, true, false])
            for (const max_model_len of [undefined, 8192])
              for (const served of [undefined, 'chat']) {
                // llama.cpp loads ModelScope models only from a local file.
                if (engine === 'llamacpp' && src.model_source === 'modelscope' && modelPath === undefined)
                  continue;
                const spec = ModelSpec.parse({
                  model_uid: 'm1',
                  model_name: 'Org/Model-7B',
                  ...src,
                  engine_type: engine,
                  engine_config: {
                    ...(dtype ? { dtype } : {}),
                    ...(quantization ? { quantization } : {}),
                    ...(enable_lora === undefined ? {} : { enable_lora }),
                    ...(max_model_len ? { max_model_len } : {}),
                  },
                  ...(served ? { served_model_name: served } : {}),
                  created_at: now,
                  updated_at: now,
                });
                yield { spec, input: modelPath ? { modelPath } : {} };
              }
}

const prefixLength: Record<EngineType, number> = { vllm: 2, sglang: 2, llamacpp: 0, sim: 1 };

describe('engine contracts: what each adapter emits is what its pinned release accepts', () => {
  for (const engine of EngineType.options) {
    it(`${engine}: every flag of every launch is accepted by ${ENGINE_CONTRACTS[engine].release}`, async () => {
      const adapter = await loadEngineAdapter(engine);
      expect(adapter.contract).toBe(ENGINE_CONTRACTS[engine]);
      let launches = 0;
      for (const { spec, input } of specVariants(engine)) {
        for (const assignment of assignments) {
          for (const gpuMemoryTotalBytes of [undefined, 80 * GIB]) {
            const launch = adapter.buildLaunch({
              spec,
              assignment,
              host: '10.0.0.5',
              cacheDir: '/var/lib/nebula/cache',
              nebulaBin: { command: '/usr/bin/node', args: ['/opt/nebula/bin/nebula.js'] },
              ...(gpuMemoryTotalBytes ? { gpuMemoryTotalBytes } : {}),
              ...input,
            });
            const argv = engine === 'sim' ? launch.argv.slice(1) : launch.argv;
            expect(unacceptedFlags(adapter.contract, argv, prefixLength[engine]), argv.join(' ')).toEqual([]);
            // What the adapter sets itself passes its own env policy's managed list untouched.
            launches++;
          }
        }
      }
      expect(launches).toBeGreaterThan(100);
    });
  }

  it('the program prefixes are the pinned ones', async () => {
    const s = (engine: EngineType) =>
      ModelSpec.parse({
        model_uid: 'm1',
        model_name: 'Org/Model-7B',
        model_source: 'huggingface',
        engine_type: engine,
        created_at: now,
        updated_at: now,
      });
    const base = {
      assignment: assignments[1]!,
      host: 'h',
      cacheDir: '/c',
      nebulaBin: { command: '/usr/bin/node', args: ['/n.js'] },
    };
    expect(
      (await loadEngineAdapter('vllm')).buildLaunch({ ...base, spec: s('vllm') }).argv.slice(0, 2),
    ).toEqual(['serve', 'Org/Model-7B']);
    expect(
      (await loadEngineAdapter('sglang')).buildLaunch({ ...base, spec: s('sglang') }).argv.slice(0, 2),
    ).toEqual(['-m', 'sglang.launch_server']);
  });

  it('pins readiness paths and metric names per engine', () => {
    for (const c of Object.values(ENGINE_CONTRACTS))
      expect(c.readiness).toEqual({ path: '/health', expectStatus: 200 });
    // One row per series: vLLM, SGLang, llama.cpp. The pinned llama-server (tools/server/server-task.cpp,
    // to_metrics) has no KV-cache usage gauge, no TTFT histogram and no prefix-cache series.
    const pinned: [keyof EngineMetricNames, string | null, string | null, string | null][] = [
      ['running', 'vllm:num_requests_running', 'sglang:num_running_reqs', 'llamacpp:requests_processing'],
      ['waiting', 'vllm:num_requests_waiting', 'sglang:num_queue_reqs', 'llamacpp:requests_deferred'],
      ['kvCacheUsage', 'vllm:kv_cache_usage_perc', 'sglang:token_usage', null],
      [
        'promptTokens',
        'vllm:prompt_tokens_total',
        'sglang:prompt_tokens_total',
        'llamacpp:prompt_tokens_total',
      ],
      [
        'generationTokens',
        'vllm:generation_tokens_total',
        'sglang:generation_tokens_total',
        'llamacpp:tokens_predicted_total',
      ],
      ['timeToFirstToken', 'vllm:time_to_first_token_seconds', 'sglang:time_to_first_token_seconds', null],
      ['prefixCacheQueries', 'vllm:prefix_cache_queries_total', null, null],
      ['prefixCacheHits', 'vllm:prefix_cache_hits_total', null, null],
      ['prefixCacheHitRate', null, 'sglang:cache_hit_rate', null],
    ];
    (['vllm', 'sglang', 'llamacpp'] as const).forEach((engine, column) => {
      expect(ENGINE_CONTRACTS[engine].metricNames).toEqual(
        Object.fromEntries(pinned.map((row) => [row[0], row[column + 1]])),
      );
    });
    expect(ENGINE_CONTRACTS.sim.metricNames).toEqual(ENGINE_CONTRACTS.vllm.metricNames);
  });

  it('every refused flag is a flag of the release (a typo would refuse nothing)', () => {
    for (const c of Object.values(ENGINE_CONTRACTS)) {
      const unknown = Object.keys(c.refused).filter((f) => !acceptsFlag(c, f));
      expect(unknown, c.engine).toEqual([]);
    }
  });

  it("the simulator's flag list is exactly `nebula engine-sim`'s options", () => {
    const program = new Command();
    registerEngineSimCommand(program);
    const cmd = program.commands.find((c) => c.name() === 'engine-sim')!;
    const options = cmd.options.map((o) => `${o.long} ${o.required || o.optional ? 1 : 0}`).sort();
    const contract = ENGINE_CONTRACTS.sim.flags
      .filter((f) => !f.names.includes('--help'))
      .map((f) => `${f.names[0]} ${String(f.values)}`)
      .sort();
    expect(contract).toEqual(options);
  });
});

describe('engine_config checks', () => {
  const refusedArgs: [EngineType, string[], RegExp][] = [
    ['vllm', ['--host', '0.0.0.0'], /^--host is managed by Nebula/],
    ['vllm', ['--port=1'], /^--port is managed by Nebula/],
    ['vllm', ['--ho', '0.0.0.0'], /^--ho abbreviates --host, which is managed by Nebula/],
    ['vllm', ['--served_model_name', 'x'], /^--served-model-name is managed/],
    ['vllm', ['-tp', '8'], /^-tp is managed by Nebula \(GPUs per replica/],
    ['vllm', ['-qawq'], /^-q is managed by Nebula \(set engine_config.quantization\)/],
    ['vllm', ['--api-key', 'k1', 'k2'], /^--api-key is managed/],
    ['vllm', ['--no-enable-lora'], /^--no-enable-lora is managed/],
    ['vllm', ['--middleware', 'evil.mod'], /^--middleware is refused: it loads Python code/],
    ['vllm', ['--trust-remote-code'], /refused: it runs Python code from the model repository/],
    ['vllm', ['--config', '/tmp/x.yaml'], /reads more arguments from a file/],
    ['vllm', ['/etc/passwd'], /is not a flag: positional arguments are managed/],
    ['vllm', ['--', '--host'], /"--" is refused/],
    ['vllm', ['--max-num-seqs'], /--max-num-seqs needs a value/],
    ['vllm', ['--max-num-seqs', '--host', 'x'], /--max-num-seqs needs a value/],
    ['vllm', ['--enforce-eager=1'], /--enforce-eager takes no value/],
    ['vllm', ['--not-a-flag'], /--not-a-flag is not a flag vLLM v0.11.0 accepts/],
    ['vllm', ['--max-num'], /--max-num is an abbreviation \(of --max-num-batched-tokens/],
    ['sglang', ['--host', '0.0.0.0'], /^--host is managed/],
    ['sglang', ['--tp', '8'], /^--tp abbreviates --tp-size, which is managed/],
    ['sglang', ['--model', '/etc/passwd'], /^--model is managed/],
    ['sglang', ['--enable-custom-logit-processor'], /serialized Python code/],
    ['llamacpp', ['-m', '/etc/passwd'], /^-m is managed by Nebula \(the model file/],
    ['llamacpp', ['--host', '0.0.0.0'], /^--host is managed/],
    [
      'llamacpp',
      ['-hff', 'm-Q8_0.gguf'],
      /^-hff is managed by Nebula \(choose the GGUF variant with gguf_file/,
    ],
    ['llamacpp', ['--port=1'], /^--port=1 is not a flag/],
    ['llamacpp', ['-c', '999999'], /^-c is managed by Nebula \(set engine_config.max_model_len\)/],
    ['llamacpp', ['--api_key', 'x'], /^--api-key is managed/],
    ['llamacpp', ['--tools', 'all'], /run tools \(shell, files, MCP servers\)/],
    ['llamacpp', ['-ag'], /^-ag is refused/],
    ['llamacpp', ['--log-file', '/etc/cron.d/x'], /writes files/],
    ['llamacpp', ['--ho', 'x'], /^--ho is not a flag/],
    ['llamacpp', ['-ngl', '0'], /^-ngl is managed/],
    ['sim', ['--host', '0.0.0.0'], /^--host is managed/],
    ['sim', ['--port=1'], /^--port is managed/],
    ['sim', ['--max-model-len=2048'], /set engine_config.max_model_len/],
  ];
  for (const [engine, args, re] of refusedArgs) {
    it(`${engine}: refuses ${args.join(' ')}`, () => {
      const issues = engineConfigIssues(engine, { extra_args: args });
      expect(issues.length).toBeGreaterThan(0);
      expect(issues[0]!.path).toMatch(/^engine_config\.extra_args\[\d+\]$/);
      expect(issues[0]!.message).toMatch(re);
    });
  }

  const acceptedArgs: [EngineType, string[]][] = [
    ['vllm', ['--max-num-seqs', '64', '--enable-prefix-caching', '--task', 'embed']],
    [
      'vllm',
      [
        '--max_num_seqs=64',
        '-O3',
        '--no-enable-prefix-caching',
        '--allowed-media-domains',
        'a.example',
        'b.example',
      ],
    ],
    ['vllm', ['--seed', '-1', '--limit-mm-per-prompt', '{"image":2}']],
    ['sglang', ['--chunked-prefill-size', '4096', '--disable-radix-cache', '--cuda-graph-bs', '1', '2', '4']],
    ['llamacpp', ['-np', '4', '--no-cont-batching', '--control-vector-layer-range', '1', '10', '-fa', 'on']],
    ['sim', ['--ttft-ms', '50', '--itl-ms=10', '--max-num-seqs', '8']],
  ];
  for (const [engine, args] of acceptedArgs) {
    it(`${engine}: accepts ${args.join(' ')}`, () => {
      expect(engineConfigIssues(engine, { extra_args: args })).toEqual([]);
    });
  }

  it('names the index of the refused argument', () => {
    expect(engineConfigIssues('vllm', { extra_args: ['--max-num-seqs', '8', '--host', '0.0.0.0'] })).toEqual([
      {
        path: 'engine_config.extra_args[2]',
        message:
          '--host is managed by Nebula (the engine listens only where the node tells it, behind the router)',
      },
    ]);
  });

  const refusedEnv: [EngineType, string, RegExp][] = [
    ['vllm', 'NODE_OPTIONS', /Node.js interpreter variable/],
    ['vllm', 'LD_PRELOAD', /dynamic loader variable/],
    ['vllm', 'PYTHONPATH', /Python interpreter variable/],
    ['vllm', 'PATH', /process\/shell environment/],
    ['vllm', 'BASH_ENV', /process\/shell environment/],
    ['vllm', 'CUDA_VISIBLE_DEVICES', /managed by Nebula \(the GPUs placement assigned\)/],
    ['vllm', 'HF_HOME', /managed by Nebula/],
    ['vllm', 'VLLM_API_KEY', /managed by Nebula/],
    ['vllm', 'VLLM_PLUGINS', /loads Python code/],
    ['vllm', 'CUDA_INJECTION64_PATH', /loads a library/],
    ['vllm', 'NCCL_NET_PLUGIN', /loads a library/],
    ['vllm', 'VLLM_NCCL_SO_PATH', /points the engine at files, folders or code/],
    ['vllm', 'NCCL_DEBUG_FILE', /points the engine at files/],
    ['sglang', 'SGLANG_EXTERNAL_MODEL_PACKAGE', /points the engine at files, folders or code/],
    ['vllm', 'SOMETHING_ELSE', /not an environment variable Nebula passes to vllm/],
    ['sglang', 'PYTHONSTARTUP', /Python interpreter/],
    ['llamacpp', 'LLAMA_ARG_HOST', /^LLAMA_ARG_HOST sets --host, which is managed by Nebula/],
    ['llamacpp', 'LLAMA_ARG_MODEL', /^LLAMA_ARG_MODEL sets --model, which is managed/],
    ['llamacpp', 'LLAMA_API_KEY', /sets --api-key, which is managed/],
    ['llamacpp', 'LLAMA_ARG_TOOLS', /sets --tools, which is refused/],
    ['llamacpp', 'LLAMA_ARG_NO_ENDPOINT_METRICS', /not an option of this llama-server build|sets --metrics/],
    ['llamacpp', 'GGML_BACKEND_PATH', /loads a library/],
    ['llamacpp', 'AIP_HTTP_PORT', /changes where and how llama-server listens/],
    ['sim', 'LD_LIBRARY_PATH', /dynamic loader/],
    ['sim', 'A', /not an environment variable/],
  ];
  for (const [engine, name, re] of refusedEnv) {
    it(`${engine}: refuses env ${name}`, () => {
      const issues = engineConfigIssues(engine, { env: { [name]: 'x' } });
      expect(issues).toHaveLength(1);
      expect(issues[0]!.path).toBe(`engine_config.env.${name}`);
      expect(issues[0]!.message).toMatch(re);
    });
  }

  it('accepts the safe variables of each engine', () => {
    expect(
      engineConfigIssues('vllm', { env: { HF_TOKEN: 't', VLLM_LOGGING_LEVEL: 'DEBUG', NCCL_DEBUG: 'INFO' } }),
    ).toEqual([]);
    expect(
      engineConfigIssues('sglang', { env: { SGLANG_ENABLE_TORCH_COMPILE: '1', OMP_NUM_THREADS: '4' } }),
    ).toEqual([]);
    expect(
      engineConfigIssues('llamacpp', {
        env: { LLAMA_ARG_N_PARALLEL: '4', LLAMA_ARG_NO_CONT_BATCHING: '1', GGML_CUDA_NO_PINNED: '1' },
      }),
    ).toEqual([]);
    expect(engineConfigIssues('sim', { env: { NEBULA_LOG_LEVEL: 'debug', TZ: 'UTC' } })).toEqual([]);
  });

  it('assertEngineConfig throws ENGINE_CONFIG_REFUSED with every issue on one line', () => {
    const cfg = { extra_args: ['--host', '0.0.0.0'], env: { LD_PRELOAD: '/tmp/x.so' } };
    expect(() => assertEngineConfig('vllm', cfg)).toThrow(EngineLaunchError);
    try {
      assertEngineConfig('vllm', cfg);
    } catch (err) {
      expect((err as EngineLaunchError).code).toBe('ENGINE_CONFIG_REFUSED');
      expect((err as Error).message).toMatch(
        /^engine_config refused by the vllm contract: engine_config\.extra_args\[0\]: --host is managed .*; engine_config\.env\.LD_PRELOAD: LD_PRELOAD is refused/,
      );
    }
    expect(checkEngineConfig(ENGINE_CONTRACTS.vllm, {})).toEqual([]);
  });

  it('masks env values and puts stored ones back for the placeholder', () => {
    expect(maskEnv({ HF_TOKEN: 'hf_secret', A: '' })).toEqual({
      HF_TOKEN: MASKED_ENV_VALUE,
      A: MASKED_ENV_VALUE,
    });
    expect(maskEnv({ HF_TOKEN: 'hf_secret', WANDB_API_KEY: 'w', OMP_NUM_THREADS: '4' }, false)).toEqual({
      HF_TOKEN: MASKED_ENV_VALUE,
      WANDB_API_KEY: MASKED_ENV_VALUE,
      OMP_NUM_THREADS: '4',
    });
    expect(
      unmaskEnv({ HF_TOKEN: MASKED_ENV_VALUE, B: 'new', C: MASKED_ENV_VALUE }, { HF_TOKEN: 'hf_secret' }),
    ).toEqual({
      env: { HF_TOKEN: 'hf_secret', B: 'new' },
      missing: ['C'],
    });
  });
});

describe('llama-server metrics from the real binary', () => {
  // GET /metrics of the pinned llama-server (CPU build, --metrics) after one completion on a tiny
  // random-weight llama GGUF: captured once, kept as a fixture.
  const text = readFileSync(
    new URL('./contracts/fixtures/llama-server-metrics.prom', import.meta.url),
    'utf8',
  );
  const exported = new Set(
    text
      .split('\n')
      .filter((l) => l !== '' && !l.startsWith('#'))
      .map((l) => l.split(/[ {]/)[0]),
  );

  it('every series the contract names is exported, and what it leaves null is not', () => {
    const names = ENGINE_CONTRACTS.llamacpp.metricNames;
    for (const n of Object.values(names)) if (n !== null) expect(exported, n).toContain(n);
    expect([...exported].some((n) => /kv_cache|ttft|time_to_first|cache_hit/.test(n ?? ''))).toBe(false);
  });

  it('the router reads running and waiting from it', () => {
    expect(parseEngineLoad(text)).toEqual({ running: 0, waiting: 0 });
    expect(
      parseEngineLoad(text.replace('llamacpp:requests_processing 0', 'llamacpp:requests_processing 3')),
    ).toEqual({
      running: 3,
      waiting: 0,
    });
  });
});

describe('llama-server flags from the real binary', () => {
  it('parses llama-server --help output (spellings, values, env)', () => {
    const help = [
      '----- common params -----',
      '',
      '-h,    --help, --usage                  print usage and exit',
      '-c,    --ctx-size N                     size of the prompt context (default: 0, 0 = loaded from model)',
      '                                        (env: LLAMA_ARG_CTX_SIZE)',
      '--perf, --no-perf                       whether to enable internal libllama performance timings (default:',
      '                                        false)',
      '                                        (env: LLAMA_ARG_PERF)',
      '-ot,   --override-tensor <tensor name pattern>=<buffer type>,...',
      '                                        override tensor buffer type',
      '--control-vector-layer-range START END',
      '                                        layer range to apply the control vector(s) to, start and end inclusive',
    ].join('\n');
    expect(parseLlamaServerHelp(help)).toEqual([
      { names: ['-h', '--help', '--usage'], values: 0 },
      { names: ['-c', '--ctx-size'], values: 1, env: 'LLAMA_ARG_CTX_SIZE' },
      { names: ['--perf', '--no-perf'], values: 0, env: 'LLAMA_ARG_PERF' },
      { names: ['-ot', '--override-tensor'], values: 1 },
      { names: ['--control-vector-layer-range'], values: 2 },
    ]);
  });

  // NEBULA_TEST_LLAMA_SERVER: path to a llama-server binary (scripts/test.sh builds one). The fixture must
  // be what that binary accepts; regenerate with scripts/llama-server-flags.ts when the pin moves.
  const bin = process.env['NEBULA_TEST_LLAMA_SERVER'];
  it.runIf(bin !== undefined && bin !== '')(
    'the generated fixture matches `llama-server --help` of the binary',
    () => {
      expect(existsSync(bin!), `NEBULA_TEST_LLAMA_SERVER=${bin} does not exist`).toBe(true);
      const res = spawnSync(bin!, ['--help'], { encoding: 'utf8', timeout: 30_000 });
      expect(res.status).toBe(0);
      expect(parseLlamaServerHelp(res.stdout)).toEqual(LLAMA_SERVER_FLAGS);
    },
  );

  // The real parser reads every argv the adapter builds (model file missing on purpose: parsing passes,
  // then loading fails; an unknown flag would end with "invalid argument" first).
  it.runIf(bin !== undefined && bin !== '')('the binary parses every launch the adapter builds', async () => {
    const adapter = await loadEngineAdapter('llamacpp');
    const seen = new Set<string>();
    for (const { spec } of specVariants('llamacpp')) {
      for (const assignment of assignments) {
        const launch = adapter.buildLaunch({
          spec,
          assignment: { ...assignment, port: 0 },
          host: '127.0.0.1',
          cacheDir: '/nonexistent/cache',
          nebulaBin: { command: 'x', args: [] },
          modelPath: '/nonexistent/model-Q4_K_M.gguf',
          executable: bin!,
        });
        const key = launch.argv.join(' ');
        if (seen.has(key)) continue;
        seen.add(key);
        const res = spawnSync(launch.command, launch.argv, { encoding: 'utf8', timeout: 30_000 });
        const out = `${res.stdout}${res.stderr}`;
        expect(out, key).not.toMatch(/invalid argument|error while handling argument/);
        expect(out, key).toMatch(/failed to load model/);
      }
    }
    expect(seen.size).toBeGreaterThan(3);
  });
});
