import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/tmp.js';
import { fakeHub, type FakeService } from './fake-services.js';
import { TEN_DAYS_LATER } from './fixtures.js';
import { cliFor, type Cli } from './harness.js';
import { startTestServer, type TestServer } from './server-harness.js';

describe('nebula catalog against a fake Hugging Face hub', () => {
  let hub: FakeService;
  let srv: TestServer;
  let home: { path: string; cleanup: () => void };
  let cli: Cli;

  beforeAll(async () => {
    hub = await fakeHub();
    srv = await startTestServer({ hfEndpoint: hub.url });
    home = tempDir('nebula-cli-catalog-');
    cli = cliFor(home.path, { NEBULA_SERVER: srv.url, NEBULA_TOKEN: srv.adminKey }, { now: TEN_DAYS_LATER });
  });
  afterAll(async () => {
    await srv?.stop();
    await hub?.close();
    home?.cleanup();
  });

  it('searches and shows hub models', async () => {
    const r = await cli(['catalog', 'search', 'tiny']);
    expect(r.stdout).toMatchInlineSnapshot(`
      "ID               TASK                SIZE     DOWNLOADS  LIKES  UPDATED
      demo/tiny-chat   text-generation     2.0 GiB       1.2M   4.2k  2025-03-01
      demo/tiny-embed  feature-extraction  512 MiB        999      7  2025-02-01
      "
    `);
    expect(
      JSON.parse((await cli(['catalog', 'search', 'embed', '-o', 'json'])).stdout).items.map(
        (i: { id: string }) => i.id,
      ),
    ).toEqual(['demo/tiny-embed']);
    expect((await cli(['catalog', 'search', 'zzz'])).stderr).toBe('No models found.\n');
    expect((await cli(['catalog', 'show', 'demo/tiny-chat'])).stdout).toMatchInlineSnapshot(`
      "ID:         demo/tiny-chat
      Source:     huggingface
      Revision:   main (abc123def456)
      Task:       text-generation
      Library:    transformers
      Size:       2.0 GiB
      Files:      2
      Gated:      no
      Downloads:  1.2M
      Likes:      4.2k
      "
    `);
    expect((await cli(['catalog', 'show', '../etc/passwd'])).code).toBe(2);
    expect((await cli(['catalog', 'search', 'x', '--provider', 'civitai'])).code).toBe(2);
    expect((await cli(['catalog', 'search', 'x', '--limit', '500'])).stderr).toBe(
      'error: --limit must be between 1 and 100 (got 500) (USAGE)\n',
    );
  });

  it('imports a hub model as a model', async () => {
    const r = await cli([
      'catalog',
      'import',
      'demo/tiny-chat',
      '--uid',
      'chatty',
      '--engine',
      'sim',
      '--no-start',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('Model chatty imported from demo/tiny-chat.\n');
    expect(JSON.parse((await cli(['model', 'get', 'chatty', '-o', 'json'])).stdout)).toMatchObject({
      model_name: 'demo/tiny-chat',
      model_source: 'huggingface',
      desired_state: 'stopped',
    });
    const missing = await cli(['catalog', 'import', 'demo/absent', '--engine', 'sim']);
    expect(missing.code).toBe(1);
    expect(missing.stderr.split('\n')).toHaveLength(2);
    expect((await cli(['catalog', 'import', 'demo/tiny-chat', '--no-start', '--wait'])).stderr).toBe(
      'error: --wait cannot be used with --no-start (USAGE)\n',
    );
  });
});
