import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelCacheEntry } from '../../src/core/domain/index.js';
import { modelNameHash } from '../../src/core/ids.js';
import { keys } from '../../src/core/keys.js';
import { encode } from '../../src/store/json.js';
import { startFakeHub, type FakeHub } from '../fake-hub/index.js';
import { tempDir } from '../helpers/tmp.js';
import { waitFor } from '../helpers/wait-for.js';
import { TEN_DAYS_LATER } from './fixtures.js';
import { cliFor, type Cli } from './harness.js';
import { startTestServer, type TestServer } from './server-harness.js';

const REPO = 'demo/tiny-GGUF';
const KIB = 1024;

describe('nebula GGUF flags (--gguf-file / --quant)', () => {
  let hub: FakeHub;
  let srv: TestServer;
  let home: { path: string; cleanup: () => void };
  let cli: Cli;

  beforeAll(async () => {
    hub = await startFakeHub({
      models: [
        {
          id: REPO,
          task: 'text-generation',
          files: [
            { path: 'README.md', content: '# tiny\n' },
            { path: 'tiny-F16.gguf', size: 64 * KIB },
            { path: 'tiny-Q4_K_M.gguf', size: 24 * KIB },
            { path: 'Q8_0/tiny-Q8_0-00001-of-00002.gguf', size: 20 * KIB },
            { path: 'Q8_0/tiny-Q8_0-00002-of-00002.gguf', size: 12 * KIB },
          ],
        },
      ],
    });
    srv = await startTestServer({ hfEndpoint: hub.url });
    home = tempDir('nebula-cli-gguf-');
    cli = cliFor(home.path, { NEBULA_SERVER: srv.url, NEBULA_TOKEN: srv.adminKey }, { now: TEN_DAYS_LATER });
  });
  afterAll(async () => {
    await srv?.stop();
    await hub?.stop();
    home?.cleanup();
  });

  const spec = async (uid: string) =>
    JSON.parse((await cli(['model', 'get', uid, '-o', 'json'])).stdout).spec;

  it('catalog show lists the variants, their sizes and the default', async () => {
    const r = await cli(['catalog', 'show', REPO]);
    expect(r.code).toBe(0);
    const table = r.stdout.slice(r.stdout.indexOf('GGUF variants'));
    expect(table).toMatch(/choose with --quant or --gguf-file; .*Q4_K_M.*smallest/);
    const rows = table.split('\n').slice(1, 5);
    expect(rows[0]).toMatch(/^QUANT\s+FILE\s+PARTS\s+SIZE\s+DEFAULT$/);
    expect(rows.slice(1).map((l) => l.trim().split(/\s{2,}/))).toEqual([
      ['Q8_0', 'Q8_0/tiny-Q8_0-00001-of-00002.gguf', '2', '32 KiB', '-'],
      ['F16', 'tiny-F16.gguf', '1', '64 KiB', '-'],
      ['Q4_K_M', 'tiny-Q4_K_M.gguf', '1', '24 KiB', 'yes'],
    ]);
  });

  it('catalog import --quant / --gguf-file; the engine defaults to llamacpp with them', async () => {
    const q = await cli(['catalog', 'import', REPO, '--uid', 'tiny-q8', '--quant', 'q8_0', '--no-start', '--no-pull']);
    expect(q.stderr).toBe('');
    expect(q.code).toBe(0);
    expect(await spec('tiny-q8')).toMatchObject({
      engine_type: 'llamacpp',
      gguf_quant: 'q8_0',
      resources: { weights_bytes: 32 * KIB },
    });
    const f = await cli([
      'catalog',
      'import',
      REPO,
      '--uid',
      'tiny-f16',
      '--engine',
      'llamacpp',
      '--gguf-file',
      'tiny-F16.gguf',
      '--no-start',
    ]);
    expect(f.code).toBe(0);
    expect(await spec('tiny-f16')).toMatchObject({ engine_type: 'llamacpp', gguf_file: 'tiny-F16.gguf' });
  });

  it('an unknown variant fails in one line naming the variants, and creates nothing', async () => {
    const r = await cli(['catalog', 'import', REPO, '--uid', 'tiny-bad', '--quant', 'Q2_K', '--no-start']);
    expect(r.code).not.toBe(0);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('no GGUF variant with quantisation "Q2_K"');
    expect(r.stderr).toContain('Q4_K_M (tiny-Q4_K_M.gguf)');
    expect((await cli(['model', 'get', 'tiny-bad'])).code).not.toBe(0);
    const c = await cli(['model', 'create', '--name', REPO, '--uid', 'tiny-bad', '--gguf-file', 'nope.gguf']);
    expect(c.code).not.toBe(0);
    expect(c.stderr).toContain('gguf_file "nope.gguf" is not a GGUF variant');
    expect((await cli(['model', 'get', 'tiny-bad'])).code).not.toBe(0);
  });

  it('model create takes the flags; bad values and bad combinations are usage errors', async () => {
    const ok = await cli([
      'model',
      'create',
      '--name',
      REPO,
      '--uid',
      'tiny-c',
      '--quant',
      'Q4_K_M',
      '--gpus',
      '0',
    ]);
    expect(ok.code).toBe(0);
    expect(await spec('tiny-c')).toMatchObject({ engine_type: 'llamacpp', gguf_quant: 'Q4_K_M' });
    expect((await cli(['model', 'get', 'tiny-c'])).stdout).toMatch(/^GGUF:\s+quant Q4_K_M$/m);
    const local = await cli([
      'model',
      'create',
      '--name',
      'tiny-local',
      '--source',
      'local',
      '--path',
      '/models/tiny-Q8_0.gguf',
      '--engine',
      'llamacpp',
    ]);
    expect(local.code).toBe(0);
    expect(await spec('tiny-local')).toMatchObject({
      model_path: '/models/tiny-Q8_0.gguf',
      engine_type: 'llamacpp',
    });

    for (const [args, msg] of [
      [
        ['--gguf-file', '../x.gguf'],
        '--gguf-file must be a relative path inside the repository ending in .gguf',
      ],
      [['--gguf-file', '/abs/x.gguf'], '--gguf-file must be a relative path'],
      [['--gguf-file', 'x.bin'], '--gguf-file must be a relative path'],
      [['--quant', 'Q4 K'], '--quant must be a quantisation tag'],
      [['--quant', 'Q4_K_M', '--engine', 'vllm'], '--gguf-file and --quant apply to --engine llamacpp only'],
      [['--quant', 'Q4_K_M', '--gguf-file', 'tiny-F16.gguf'], 'cannot be used with'],
    ] as const) {
      const r = await cli(['model', 'create', '--name', REPO, '--uid', 'tiny-x', ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toContain(msg);
    }
    expect((await cli(['model', 'get', 'tiny-x'])).code).not.toBe(0);
  });

  it('cache list shows which GGUF files of a repository are cached', async () => {
    const entry = (node: string, files: string[]) =>
      ModelCacheEntry.parse({
        node_id: node,
        model_name: REPO,
        source: 'huggingface',
        layout: 'huggingface',
        revision: 'main',
        path: `/cache/huggingface/hub/models--demo--tiny-GGUF/snapshots/${'a'.repeat(40)}`,
        size_bytes: 24 * KIB,
        file_count: files.length,
        complete: true,
        scanned_at: new Date().toISOString(),
        gguf_files: files,
      });
    const hash = modelNameHash('huggingface', REPO);
    await srv.store.put(
      keys.modelCache('node-1', hash),
      encode(ModelCacheEntry, entry('node-1', ['tiny-Q4_K_M.gguf'])),
    );
    await srv.store.put(
      keys.modelCache('node-2', hash),
      encode(
        ModelCacheEntry,
        entry('node-2', ['Q8_0/tiny-Q8_0-00001-of-00002.gguf', 'Q8_0/tiny-Q8_0-00002-of-00002.gguf']),
      ),
    );
    const list = async () => (await cli(['cache', 'list'])).stdout;
    // The server's cache view follows the store: wait until it lists the files (then the exact text).
    const out = await waitFor(
      async () => {
        const o = await list();
        return o.includes('GGUF files cached') ? o : undefined;
      },
      { timeoutMs: 5000, what: 'the cache listing' },
    ).catch(list);
    expect(out).toContain(
      'GGUF files cached:\n  demo/tiny-GGUF: Q8_0/tiny-Q8_0-00001-of-00002.gguf, Q8_0/tiny-Q8_0-00002-of-00002.gguf, tiny-Q4_K_M.gguf\n',
    );
    const json = JSON.parse((await cli(['cache', 'list', '-o', 'json'])).stdout);
    expect(json.items[0].nodes.map((n: { gguf_files: string[] }) => n.gguf_files)).toEqual([
      ['tiny-Q4_K_M.gguf'],
      ['Q8_0/tiny-Q8_0-00001-of-00002.gguf', 'Q8_0/tiny-Q8_0-00002-of-00002.gguf'],
    ]);
  });

  it('--help states the flags and the default rule', async () => {
    for (const cmd of [
      ['model', 'create'],
      ['catalog', 'import'],
    ]) {
      const h = (await cli([...cmd, '--help'])).stdout;
      expect(h).toContain('--gguf-file <file>');
      expect(h).toContain('--quant <tag>');
      expect(h).toMatch(
        /GGUF \(engine llamacpp\): without a file or quantisation the first present of Q4_K_M, .* else the smallest variant/,
      );
    }
  });
});
