import { describe, expect, it } from 'vitest';
import { ModelSpec, type Assignment } from '../core/domain/index.js';
import { acceptsFlag, checkExtraArgs } from './contract.js';
import { EngineLaunchError } from './errors.js';
import { loadEngineAdapter } from './factory.js';
import type { LaunchInput } from './types.js';

const now = '2026-01-01T00:00:00.000Z';
const cpu: Assignment = { replica_id: 0, node_id: 'n1', gpu_indices: [], gpu_memory_bytes: 0, port: 40003 };

function input(engine: 'vllm' | 'sglang' | 'llamacpp', adapters: LaunchInput['adapters']): LaunchInput {
  const spec = ModelSpec.parse({
    model_uid: 'base',
    model_name: 'Org/Base',
    model_source: 'huggingface',
    engine_type: engine,
    created_at: now,
    updated_at: now,
  });
  return {
    spec,
    assignment: cpu,
    host: '127.0.0.1',
    cacheDir: '/c',
    nebulaBin: { command: 'node', args: ['n.js'] },
    modelPath: engine === 'llamacpp' ? '/c/base/model-Q4_K_M.gguf' : '/c/base/snap',
    ...(adapters ? { adapters } : {}),
  };
}

/** The argv from `from` on; every token that looks like a flag is one the pinned release accepts. */
async function launch(engine: 'vllm' | 'sglang' | 'llamacpp', adapters: LaunchInput['adapters']) {
  const a = await loadEngineAdapter(engine);
  const argv = a.buildLaunch(input(engine, adapters)).argv;
  for (const t of argv) if (t.startsWith('--')) expect(acceptsFlag(a.contract, t), t).toBeDefined();
  return { argv, contract: a.contract };
}

const after = (argv: string[], flag: string) => argv.slice(argv.indexOf(flag));

describe('LoRA adapters at launch', () => {
  const two = [
    { name: 'sql', path: '/c/hub/models--org--sql/snapshots/abc', rank: 12 },
    { name: 'fr', path: '/c/hub/models--org--fr/snapshots/def', rank: 64 },
  ];

  it('vLLM: --enable-lora --lora-modules name=path... --max-loras N --max-lora-rank (rounded to a vLLM rank)', async () => {
    const { argv } = await launch('vllm', two);
    expect(after(argv, '--enable-lora')).toEqual([
      '--enable-lora',
      '--lora-modules',
      'sql=/c/hub/models--org--sql/snapshots/abc',
      'fr=/c/hub/models--org--fr/snapshots/def',
      '--max-loras',
      '2',
      '--max-lora-rank',
      '64',
    ]);
    const odd = await launch('vllm', [{ name: 'a', path: '/p', rank: 12 }]);
    expect(after(odd.argv, '--max-lora-rank')).toEqual(['--max-lora-rank', '16']);
    // No rank known: vLLM's default.
    const none = await launch('vllm', [{ name: 'a', path: '/p' }]);
    expect(none.argv).not.toContain('--max-lora-rank');
    expect((await launch('vllm', undefined)).argv).not.toContain('--enable-lora');
  });

  it('SGLang: --enable-lora --lora-paths name=path... --max-loras-per-batch N --max-lora-rank R', async () => {
    const { argv } = await launch('sglang', two);
    expect(argv.slice(argv.indexOf('--enable-lora'), argv.indexOf('--enable-metrics'))).toEqual([
      '--enable-lora',
      '--lora-paths',
      'sql=/c/hub/models--org--sql/snapshots/abc',
      'fr=/c/hub/models--org--fr/snapshots/def',
      '--max-loras-per-batch',
      '2',
      '--max-lora-rank',
      '64',
    ]);
  });

  it('llama.cpp: --lora per adapter, in the spec order (their ids), loaded without applying', async () => {
    const { argv } = await launch('llamacpp', [
      { name: 'sql', path: '/c/a/sql-F16.gguf' },
      { name: 'fr', path: '/c/b/fr.gguf' },
    ]);
    expect(argv.slice(argv.indexOf('--lora'), argv.indexOf('--metrics'))).toEqual([
      '--lora',
      '/c/a/sql-F16.gguf',
      '--lora',
      '/c/b/fr.gguf',
      '--lora-init-without-apply',
    ]);
    expect((await launch('llamacpp', undefined)).argv).not.toContain('--lora-init-without-apply');
  });

  it('llama.cpp refuses an adapter path it would split or cannot load', async () => {
    const a = await loadEngineAdapter('llamacpp');
    for (const path of ['/c/a,b.gguf', '/c/dir'])
      expect(() => a.buildLaunch(input('llamacpp', [{ name: 'x', path }]))).toThrow(EngineLaunchError);
  });

  it('users cannot set the LoRA flags Nebula manages', async () => {
    const cases: ['vllm' | 'sglang' | 'llamacpp', string[]][] = [
      ['vllm', ['--lora-modules', 'x=/etc']],
      ['vllm', ['--max-loras', '4']],
      ['vllm', ['--max-lora-rank', '8']],
      ['sglang', ['--lora-paths', 'x=/etc']],
      ['sglang', ['--max-loras-per-batch', '4']],
      ['llamacpp', ['--lora', '/etc/x.gguf']],
      ['llamacpp', ['--lora-scaled', '/etc/x.gguf:1']],
      ['llamacpp', ['--lora-init-without-apply']],
    ];
    for (const [engine, args] of cases) {
      const { contract } = await launch(engine, undefined);
      const issues = checkExtraArgs(contract, args);
      expect([engine, args[0], issues[0]?.message]).toEqual([
        engine,
        args[0],
        expect.stringMatching(/managed by Nebula/),
      ]);
    }
  });
});
