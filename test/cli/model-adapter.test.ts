import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/tmp.js';
import { TEN_DAYS_LATER } from './fixtures.js';
import { cliFor, type Cli } from './harness.js';
import { startTestServer, type TestServer } from './server-harness.js';

/** `nebula model adapter add|remove|list` against an in-process server (issue 18). */
describe('nebula model adapter', () => {
  let srv: TestServer;
  let home: { path: string; cleanup: () => void };
  let cli: Cli;

  beforeAll(async () => {
    srv = await startTestServer();
    home = tempDir('nebula-cli-adapter-');
    cli = cliFor(home.path, { NEBULA_SERVER: srv.url, NEBULA_TOKEN: srv.adminKey }, { now: TEN_DAYS_LATER });
    const created = await cli(['model', 'create', '--name', 'org/base', '--uid', 'base', '--engine', 'vllm']);
    expect(created.code, created.stderr).toBe(0);
  });
  afterAll(async () => {
    await srv?.stop();
    home?.cleanup();
  });

  const list = async () =>
    JSON.parse((await cli(['model', 'adapter', 'list', 'base', '-o', 'json'])).stdout) as {
      name: string;
      source: string;
      model_id?: string;
      path?: string;
      loaded: string;
    }[];

  it('adds hub and local adapters, lists them, removes one', async () => {
    const a = await cli([
      'model',
      'adapter',
      'add',
      'base',
      'sql',
      '--hf',
      'org/sql-lora',
      '--revision',
      'v1',
    ]);
    expect(a.code, a.stderr).toBe(0);
    const b = await cli(['model', 'adapter', 'add', 'base', 'fr', '--path', '/models/fr']);
    expect(b.code, b.stderr).toBe(0);
    expect(await list()).toEqual([
      { name: 'sql', source: 'huggingface', model_id: 'org/sql-lora', revision: 'v1', loaded: '0/0' },
      { name: 'fr', source: 'local', path: '/models/fr', loaded: '0/0' },
    ]);
    const table = await cli(['model', 'adapter', 'list', 'base']);
    expect(table.stdout).toMatch(/NAME\s+SOURCE\s+MODEL\s+REVISION\s+LOADED/);
    expect(table.stdout).toMatch(/sql\s+huggingface\s+org\/sql-lora\s+v1\s+0\/0/);

    const rm = await cli(['model', 'adapter', 'remove', 'base', 'sql']);
    expect(rm.code, rm.stderr).toBe(0);
    expect((await list()).map((x) => x.name)).toEqual(['fr']);
  });

  it('refuses bad input with a one-line reason and changes nothing', async () => {
    const before = await list();
    const cases: [string[], RegExp][] = [
      [['add', 'base', 'Bad_Name', '--hf', 'org/x'], /adapter name/],
      [['add', 'base', 'x', '--hf', 'org/x', '--path', '/p'], /exactly one of/],
      [['add', 'base', 'x', '--path', 'relative/p'], /absolute path/],
      [['add', 'base', 'fr', '--hf', 'org/x'], /already has an adapter named fr/],
      [['add', 'base', 'base', '--hf', 'org/x'], /base model's own name/],
      [['remove', 'base', 'nope'], /no adapter named nope/],
    ];
    for (const [args, re] of cases) {
      const r = await cli(['model', 'adapter', ...args]);
      expect([args.join(' '), r.code === 0]).toEqual([args.join(' '), false]);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(re);
    }
    expect(await list()).toEqual(before);
  });
});
