import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/tmp.js';
import { cliFor, type Cli } from './harness.js';
import { startTestServer, type TestServer } from './server-harness.js';

describe('nebula admin settings', () => {
  let srv: TestServer;
  let home: { path: string; cleanup: () => void };
  let cli: Cli;

  beforeAll(async () => {
    srv = await startTestServer();
    home = tempDir('nebula-cli-settings-');
    cli = cliFor(home.path, { NEBULA_SERVER: srv.url, NEBULA_TOKEN: srv.adminKey });
  });
  afterAll(async () => {
    await srv?.stop();
    home?.cleanup();
  });

  it('shows and changes engine_overrides; bad keys and values exit 2 before sending', async () => {
    expect((await cli(['admin', 'settings', 'get'])).stdout).toBe(
      'engine_overrides:  operators\nUpdated:           -\n',
    );
    expect(await cli(['admin', 'settings', 'set', 'engine_overrides', 'admins'])).toEqual({
      code: 0,
      stdout: 'Setting engine_overrides is now admins.\n',
      stderr: '',
    });
    expect(JSON.parse((await cli(['admin', 'settings', 'get', '-o', 'json'])).stdout)).toMatchObject({
      engine_overrides: 'admins',
      updated_by: 'admin',
    });
    const bad = await cli(['admin', 'settings', 'set', 'engine_overrides', 'root']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/^error: engine_overrides must be one of: operators, admins \(got "root"\)/);
    const unknown = await cli(['admin', 'settings', 'set', 'nope', 'x']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown setting "nope"/);
    // Still what was set: the refused commands sent nothing.
    expect(JSON.parse((await cli(['admin', 'settings', 'get', '-o', 'json'])).stdout).engine_overrides).toBe(
      'admins',
    );
  });
});
