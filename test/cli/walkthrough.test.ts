/**
 * The quick start as a new user follows it: add a context, log in, look around, create a model, start it,
 * chat with it, stop it, delete it, log out. One CLI with an empty home directory and no NEBULA_* variables;
 * the scheduler and node are played by the test (their store writes), the "router" is an engine simulator.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngineSim, type EngineSimHandle } from '../../src/sim/index.js';
import { tempDir } from '../helpers/tmp.js';
import { waitFor } from '../helpers/ports.js';
import { putEndpoint, putNode, putPlan, TEN_DAYS_LATER } from './fixtures.js';
import { cliFor, type Cli } from './harness.js';
import { ADMIN_PASSWORD, startTestServer, type TestServer } from './server-harness.js';

describe('walk-through of the quick start', () => {
  let srv: TestServer;
  let sim: EngineSimHandle;
  let home: { path: string; cleanup: () => void };
  let nebula: Cli;

  beforeAll(async () => {
    srv = await startTestServer();
    sim = await startEngineSim({
      model: 'nebula/sim-demo',
      servedModelName: 'demo',
      port: 0,
      ttftMs: 1,
      itlMs: 1,
    });
    home = tempDir('nebula-cli-walk-');
    nebula = cliFor(home.path, {}, { now: TEN_DAYS_LATER });
    await putNode(srv.store, 'node-a');
  });
  afterAll(async () => {
    await srv?.stop();
    await sim?.stop();
    home?.cleanup();
  });

  it('goes from nothing to a running, answering model and back', async () => {
    expect(
      (await nebula(['context', 'add', 'lab', '--server', srv.url, '--router', sim.url, '--use'])).stdout,
    ).toBe('Context "lab" added (current).\n');
    const login = await nebula(['auth', 'login', '--username', 'admin', '--password-stdin'], {
      stdin: `${ADMIN_PASSWORD}\n`,
    });
    expect(login.stdout).toContain(`Logged in to ${srv.url} as admin (admin); token saved in context "lab"`);
    expect((await nebula(['whoami'])).stdout).toMatch(/^User: +admin\nRole: +admin\nAuth: +jwt\n/);

    expect((await nebula(['template', 'list'])).stdout).toMatch(
      /^sim-demo +Simulator demo +chat +system +nebula\/sim-demo +sim +1$/m,
    );
    expect(
      (await nebula(['model', 'create', '--name', 'nebula/sim-demo', '--uid', 'demo', '--engine', 'sim']))
        .stdout,
    ).toBe('Model demo created.\n');
    expect((await nebula(['model', 'list'])).stdout).toBe(
      'UID   MODEL            ENGINE  STATE    READY  DOWNLOAD  AGE\ndemo  nebula/sim-demo  sim     stopped  0/1    -         10d\n',
    );
    expect((await nebula(['model', 'get', 'demo'])).stdout).toMatch(
      /^UID: +demo\nModel: +nebula\/sim-demo\n/,
    );

    const start = nebula.start(['model', 'start', 'demo', '--wait', '--timeout', '30s']);
    await waitFor(() => start.stderr.text.includes('demo: starting'), { what: 'the wait to begin' });
    await putPlan(srv.store, 'demo', { nodeId: 'node-a', replicas: 1 });
    await putEndpoint(srv.store, 'demo', 0, { nodeId: 'node-a' });
    const started = await start.done;
    expect(started.code).toBe(0);
    expect(started.stdout).toBe('Model demo starting (1 replica(s)).\n');
    expect(started.stderr.trimEnd().split('\n').at(-1)).toBe('demo: running  replicas ready 1/1');

    expect(await nebula(['chat', 'demo', 'hello from the quick start'])).toEqual({
      code: 0,
      stdout: 'hello from the quick start\n',
      stderr: '',
    });

    expect((await nebula(['model', 'stop', 'demo'])).stdout).toBe('Model demo stopping.\n');
    expect((await nebula(['model', 'delete', 'demo', '--yes'])).stdout).toBe('Model demo deleted.\n');
    expect(await nebula(['model', 'list'])).toEqual({ code: 0, stdout: '', stderr: 'No models found.\n' });

    expect((await nebula(['auth', 'logout'])).stdout).toBe('Logged out: token removed from context "lab".\n');
    expect((await nebula(['model', 'list'])).stderr).toMatch(/\(UNAUTHORIZED\)\n$/);
  });
});
