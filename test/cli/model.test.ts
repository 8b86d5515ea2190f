import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { keys } from '../../src/core/keys.js';
import { tempDir } from '../helpers/tmp.js';
import { waitFor } from '../helpers/ports.js';
import { putDownload, putEndpoint, putPlan, normalize, TEN_DAYS_LATER } from './fixtures.js';
import { cliFor, type Cli } from './harness.js';
import { startTestServer, type TestServer } from './server-harness.js';

describe('nebula model against an in-process server', () => {
  let srv: TestServer;
  let home: { path: string; cleanup: () => void };
  let cli: Cli;

  beforeAll(async () => {
    srv = await startTestServer();
    home = tempDir('nebula-cli-model-');
    cli = cliFor(home.path, { NEBULA_SERVER: srv.url, NEBULA_TOKEN: srv.adminKey }, { now: TEN_DAYS_LATER });
  });
  afterAll(async () => {
    await srv?.stop();
    home?.cleanup();
  });

  const uids = async (): Promise<string[]> =>
    (JSON.parse((await cli(['model', 'list', '-o', 'json'])).stdout) as { model_uid: string }[]).map(
      (m) => m.model_uid,
    );

  it('creates, lists and shows models as tables, json and yaml', async () => {
    const created = await cli([
      'model',
      'create',
      '--name',
      'demo/tiny-chat',
      '--uid',
      'tiny',
      '--engine',
      'sim',
      '--replicas',
      '2',
      '--arg',
      '--ttft-ms=50',
      '--env',
      'TZ=UTC',
      '--env',
      'OMP_NUM_THREADS=x=y',
      '--env',
      'HF_TOKEN=hf_secret',
      '--label',
      'team=ml',
      '--revision',
      'v1',
    ]);
    expect(created).toEqual({ code: 0, stdout: 'Model tiny created.\n', stderr: '' });
    expect(
      (
        await cli([
          'model',
          'create',
          '--name',
          'Qwen/Qwen2.5-0.5B-Instruct',
          '--gpus',
          '1',
          '--gpu-memory',
          '12.5',
        ])
      ).stdout,
    ).toBe('Model qwen2-5-0-5b-instruct created.\n');

    const list = await cli(['model', 'list']);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatchInlineSnapshot(`
      "UID                    MODEL                       ENGINE  STATE    READY  DOWNLOAD  AGE
      qwen2-5-0-5b-instruct  Qwen/Qwen2.5-0.5B-Instruct  vllm    stopped  0/1    -         10d
      tiny                   demo/tiny-chat              sim     stopped  0/2    -         10d
      "
    `);

    const get = await cli(['model', 'get', 'tiny']);
    expect(normalize(get.stdout)).toMatchInlineSnapshot(`
      "UID:           tiny
      Model:         demo/tiny-chat
      Source:        huggingface @ v1
      Path:          -
      Engine:        sim
      Served name:   tiny
      State:         stopped
      Desired:       stopped, 2 replica(s)
      Ready:         0/2
      Revision:      1 (0/0 ready on it)
      GPUs/replica:  0
      Memory:        CPU only (gpu_count 0)
      Engine args:   --ttft-ms=50
      Engine env:    TZ=UTC OMP_NUM_THREADS=x=y HF_TOKEN=••••••
      Labels:        team=ml
      Plan version:  -
      Download:      -
      Created:       <time>                   (10d ago)

      Recent events:
      AGE  TYPE     MESSAGE
      10d  created  created by admin (huggingface:demo/tiny-chat, 2 replica(s), stopped)
      "
    `);

    const json = JSON.parse((await cli(['model', 'get', 'tiny', '-o', 'json'])).stdout);
    expect(json).toMatchObject({
      model_uid: 'tiny',
      state: 'stopped',
      desired_replicas: 2,
      spec: {
        engine_config: {
          extra_args: ['--ttft-ms=50'],
          env: { TZ: 'UTC', OMP_NUM_THREADS: 'x=y', HF_TOKEN: '••••••' },
        },
        labels: { team: 'ml' },
        revision: 'v1',
      },
      deployment: { desired_state: 'stopped', replicas: 2 },
    });
    const yaml: unknown = parse((await cli(['model', 'get', 'tiny', '-o', 'yaml'])).stdout);
    expect(yaml).toEqual(json);
    const other = JSON.parse((await cli(['model', 'get', 'qwen2-5-0-5b-instruct', '-o', 'json'])).stdout);
    expect(other.spec.resources).toEqual({ gpu_count: 1, gpu_memory_gib: 12.5 });

    expect(JSON.parse((await cli(['model', 'list', '--state', 'running', '-o', 'json'])).stdout)).toEqual([]);
    expect((await cli(['model', 'list', '-q', 'tiny', '-o', 'yaml'])).stdout).toMatch(/^- model_uid: tiny\n/);
  });

  it('rejects bad flags with exit 2 before sending anything', async () => {
    const before = await uids();
    const cases: Array<[string[], RegExp]> = [
      [
        ['model', 'create', '--name', 'a/b', '--uid', 'Bad_Uid'],
        /^error: invalid model uid "Bad_Uid": .* \(INVALID_MODEL_UID\)\n$/,
      ],
      [
        ['model', 'create', '--name', 'a/b', '--replicas', 'many'],
        /^error: --replicas must be a whole number \(got "many"\) \(USAGE\)\n$/,
      ],
      [
        ['model', 'create', '--name', 'a/b', '--env', '1X=2'],
        /^error: --env "1X" is not a valid variable name .* \(USAGE\)\n$/,
      ],
      [
        ['model', 'create', '--name', 'a/b', '--engine', 'tgi'],
        /^error: option '--engine <engine>' argument 'tgi' is invalid\. .* \(USAGE\)\n$/,
      ],
      [
        ['model', 'create', '--engine', 'sim'],
        /^error: required option '--name <model>' not specified \(USAGE\)\n$/,
      ],
      [['model', 'create', '--name', 'a/b', '--wait'], /^error: --wait needs --start .* \(USAGE\)\n$/],
      [
        ['model', 'create', '--name', 'a/b', '--start', '--wait', '--timeout', 'soon'],
        /^error: --timeout must be a duration .* \(USAGE\)\n$/,
      ],
      [
        ['model', 'create', '--name', 'a/b', '--source', 'local'],
        /^error: --source local needs --path DIR \(USAGE\)\n$/,
      ],
      [
        ['model', 'create', '--name', 'a/b', '--gpu-memory', '-3'],
        /^error: --gpu-memory must be a positive number .* \(USAGE\)\n$/,
      ],
      [['model', 'get', 'UPPER'], /^error: invalid model uid "UPPER".* \(INVALID_MODEL_UID\)\n$/],
      [['model', 'scale-model', 'tiny'], /^error: --replicas is required \(USAGE\)\n$/],
      [
        ['model', 'start', 'tiny', '--replicas', '0'],
        /^error: --replicas must be at least 1 to start .* \(USAGE\)\n$/,
      ],
      [
        ['model', 'list', '-o', 'xml'],
        /^error: option '-o, --output <format>' argument 'xml' is invalid.* \(USAGE\)\n$/,
      ],
      [['model', 'list', '--bogus'], /^error: unknown option '--bogus' \(USAGE\)\n$/],
      [['model', 'frobnicate'], /^error: unknown command 'frobnicate' \(USAGE\)\n$/],
    ];
    for (const [argv, stderr] of cases) {
      const r = await cli(argv);
      expect({ argv, code: r.code, stdout: r.stdout }).toEqual({ argv, code: 2, stdout: '' });
      expect(r.stderr).toMatch(stderr);
    }
    expect(await uids()).toEqual(before);
  });

  it('reports server errors in one line with exit 1', async () => {
    const dup = await cli([
      'model',
      'create',
      '--name',
      'demo/tiny-chat',
      '--uid',
      'tiny',
      '--engine',
      'sim',
    ]);
    expect(dup).toEqual({
      code: 1,
      stdout: '',
      stderr: 'error: model "tiny" already exists (MODEL_ALREADY_EXISTS)\n',
    });
    expect(await cli(['model', 'get', 'ghost'])).toEqual({
      code: 1,
      stdout: '',
      stderr: 'error: model "ghost" not found (MODEL_NOT_FOUND)\n',
    });
    const noAuth = await cli(['model', 'list'], { env: { NEBULA_TOKEN: 'nbk_not-a-real-key' } });
    expect(noAuth.code).toBe(1);
    expect(noAuth.stderr).toMatch(/^error: .+ \(UNAUTHORIZED\)\n$/);
    const viewerKey = JSON.parse(
      (await cli(['key', 'create', '--name', 'ro', '--role', 'viewer', '-o', 'json'])).stdout,
    ).key as string;
    expect((await cli(['model', 'list', '--token', viewerKey])).code).toBe(0);
    const denied = await cli(['model', 'stop', 'tiny', '--token', viewerKey]);
    expect(denied.code).toBe(1);
    expect(denied.stderr).toMatch(/^error: .+ \(FORBIDDEN\)\n$/);
    const down = await cli(['model', 'list', '--server', 'http://127.0.0.1:9']);
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/^error: cannot reach http:\/\/127\.0\.0\.1:9.* \(UNREACHABLE\)\n$/);
  });

  it('starts, scales and stops', async () => {
    expect(await cli(['model', 'start', 'tiny'])).toEqual({
      code: 0,
      stdout: 'Model tiny starting (2 replica(s)).\n',
      stderr: '',
    });
    expect((await cli(['model', 'scale-model', 'tiny', '--replicas', '3'])).stdout).toBe(
      'Model tiny scaled to 3 replica(s).\n',
    );
    const started = JSON.parse((await cli(['model', 'get', 'tiny', '-o', 'json'])).stdout);
    expect(started).toMatchObject({ desired_state: 'running', desired_replicas: 3, state: 'starting' });
    const stopped = await cli(['model', 'stop', 'tiny', '-o', 'json']);
    expect(JSON.parse(stopped.stdout)).toMatchObject({ model_uid: 'tiny', desired_state: 'stopped' });
    expect((await cli(['model', 'start', 'tiny', '--replicas', '2'])).stdout).toBe(
      'Model tiny starting (2 replica(s)).\n',
    );
    // v1 spelling of scale works on v2 models too.
    expect((await cli(['scale', '--id', 'tiny', '--replicas', '2'])).stdout).toBe(
      'Model tiny scaled to 2 replica(s).\n',
    );
  });

  it('--wait shows download and replica progress until the model runs', async () => {
    const run = cli.start(['model', 'start', 'tiny', '--wait', '--timeout', '30s']);
    // Play scheduler and node: a download first, then two ready replicas.
    await putDownload(srv.store, 'tiny', 0, 256 * 1024 ** 2, 1024 ** 3);
    await waitFor(() => run.stderr.text.includes('downloading'), { what: 'download progress' });
    await srv.store.delete(keys.downloadProgress('tiny', 0));
    await putPlan(srv.store, 'tiny', { replicas: 2 });
    await putEndpoint(srv.store, 'tiny', 0);
    await putEndpoint(srv.store, 'tiny', 1);
    const r = await run.done;
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('Model tiny starting (2 replica(s)).\n');
    const lines = r.stderr.trimEnd().split('\n');
    expect(lines).toContain(
      'tiny: downloading  [######------------------]  256 MiB / 1.0 GiB  25%  50 MiB/s  replicas ready 0/2',
    );
    expect(lines.at(-1)).toBe('tiny: running  replicas ready 2/2');
    // No terminal: plain lines, no carriage returns or escape codes.
    expect(r.stderr.includes('\r') || r.stderr.includes('\u001b')).toBe(false);

    const get = await cli(['model', 'get', 'tiny']);
    expect(get.stdout).toContain(
      [
        'Replicas:',
        'REPLICA  NODE    ADDRESS          GPUS  STATUS  RESTARTS  LAST ERROR',
        '0        node-a  127.0.0.1:40000  0     ready   0         -',
        '1        node-a  127.0.0.1:40001  1     ready   0         -',
      ].join('\n'),
    );
    expect((await cli(['model', 'list', '--state', 'running'])).stdout).toBe(
      'UID   MODEL           ENGINE  STATE    READY  DOWNLOAD  AGE\ntiny  demo/tiny-chat  sim     running  2/2    -         10d\n',
    );
  });

  it('colours and redraws only on a terminal without NO_COLOR', async () => {
    const tty = await cli(['model', 'list', '--state', 'running'], { tty: true });
    expect(tty.stdout).toContain('\u001b[32mrunning\u001b[39m');
    const noColor = await cli(['model', 'list', '--state', 'running'], { tty: true, env: { NO_COLOR: '1' } });
    expect(noColor.stdout).not.toContain('\u001b');

    const stopping = cli.start(['model', 'stop', 'tiny', '--wait'], { tty: true });
    await waitFor(() => stopping.stderr.text.includes('stopping'), { what: 'stopping progress' });
    await srv.store.delete(keys.endpoint('tiny', 0));
    await srv.store.delete(keys.endpoint('tiny', 1));
    await srv.store.delete(keys.placement('tiny'));
    const r = await stopping.done;
    expect(r.code).toBe(0);
    expect(r.stderr.startsWith('\r\u001b[Ktiny: stopping  replica')).toBe(true);
    expect(r.stderr.endsWith('\r\u001b[Ktiny: stopped\n')).toBe(true);

    await cli(['model', 'start', 'tiny']);
    const plain = cli.start(['model', 'stop', 'tiny', '--wait'], { tty: true, env: { NO_COLOR: '1' } });
    const done = await plain.done;
    expect(done.code).toBe(0);
    expect(done.stderr).toBe('tiny: stopped\n');
  });

  it('--wait fails with the reason when the model fails, or times out', async () => {
    await cli(['model', 'create', '--name', 'demo/huge', '--uid', 'huge', '--engine', 'sim']);
    await putPlan(srv.store, 'huge', { unplaced: 'needs 1 x 200 GiB; best node node-a has 80 GiB free' });
    const failed = await cli(['model', 'start', 'huge', '--wait', '-o', 'json']);
    expect(failed.code).toBe(1);
    expect(failed.stdout).toBe('');
    expect(failed.stderr.trimEnd().split('\n').at(-1)).toBe(
      'error: model huge failed: unplaceable: needs 1 x 200 GiB; best node node-a has 80 GiB free (MODEL_FAILED)',
    );
    await srv.store.delete(keys.placement('huge'));
    const slow = await cli(['model', 'start', 'huge', '--wait', '--timeout', '1s']);
    expect(slow.code).toBe(1);
    expect(slow.stderr.trimEnd().split('\n').at(-1)).toBe(
      'error: timed out after 1s waiting for huge to be running (state starting, replicas ready 0/1) (WAIT_TIMEOUT)',
    );
  });

  it('deletes after confirmation; refuses without a terminal unless --yes', async () => {
    const refused = await cli(['model', 'delete', 'huge']);
    expect(refused).toEqual({
      code: 2,
      stdout: '',
      stderr:
        'error: refusing to delete huge without --yes: stdin is not a terminal (CONFIRMATION_REQUIRED)\n',
    });
    expect(await uids()).toContain('huge');
    expect(await cli(['model', 'delete', 'huge', 'qwen2-5-0-5b-instruct', '--yes'])).toEqual({
      code: 0,
      stdout: 'Model huge deleted.\nModel qwen2-5-0-5b-instruct deleted.\n',
      stderr: '',
    });
    expect(await uids()).toEqual(['tiny']);
    expect((await cli(['model', 'delete', 'huge', '--yes'])).stderr).toBe(
      'error: model "huge" not found (MODEL_NOT_FOUND)\n',
    );
  });
});
