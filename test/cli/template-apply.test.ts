import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/tmp.js';
import { TEN_DAYS_LATER } from './fixtures.js';
import { cliFor, type Cli } from './harness.js';
import { startTestServer, type TestServer } from './server-harness.js';

describe('nebula template and nebula apply', () => {
  let srv: TestServer;
  let home: { path: string; cleanup: () => void };
  let cli: Cli;

  beforeAll(async () => {
    srv = await startTestServer();
    home = tempDir('nebula-cli-tpl-');
    cli = cliFor(home.path, { NEBULA_SERVER: srv.url, NEBULA_TOKEN: srv.adminKey }, { now: TEN_DAYS_LATER });
  });
  afterAll(async () => {
    await srv?.stop();
    home?.cleanup();
  });

  it('creates, shows, deploys, saves and deletes templates', async () => {
    const created = await cli([
      'template',
      'create',
      '--name',
      'Tiny sim',
      '--model-name',
      'demo/tiny',
      '--engine',
      'sim',
      '--id',
      'tiny-sim',
      '--replicas',
      '2',
      '--category',
      'chat',
      '--env',
      'TZ=UTC',
      '--description',
      'for tests',
    ]);
    expect(created).toEqual({ code: 0, stdout: 'Template tiny-sim created.\n', stderr: '' });
    const list = await cli(['template', 'list']);
    expect(list.stdout.split('\n').find((l) => l.startsWith('tiny-sim'))).toMatch(
      /^tiny-sim +Tiny sim +chat +user +demo\/tiny +sim +2$/,
    );
    expect(list.stdout.split('\n')[0]).toBe(list.stdout.split('\n')[0]?.trimEnd());
    expect(list.stdout).toMatch(/^ID +NAME +CATEGORY +SOURCE +MODEL +ENGINE +REPLICAS\n/);

    const get = await cli(['template', 'get', 'tiny-sim']);
    expect(get.stdout.replace(/Updated: .*\n/, 'Updated: <time>\n')).toMatchInlineSnapshot(`
      "ID:            tiny-sim
      Name:          Tiny sim
      Description:   for tests
      Category:      chat
      Source:        user
      Model:         demo/tiny (huggingface @ main)
      Path:          -
      Engine:        sim
      GPUs/replica:  0
      Engine args:   -
      Engine env:    TZ=UTC
      Replicas:      2
      Updated: <time>
      "
    `);
    expect(get.stdout).toMatch(/Updated: {7}\S+ \(10d ago\)\n$/);

    const deployed = await cli([
      'template',
      'deploy',
      'tiny-sim',
      '--uid',
      'from-tpl',
      '--replicas',
      '3',
      '--no-start',
    ]);
    expect(deployed).toEqual({
      code: 0,
      stdout: 'Model from-tpl created from template tiny-sim.\n',
      stderr: '',
    });
    const model = JSON.parse((await cli(['model', 'get', 'from-tpl', '-o', 'json'])).stdout);
    expect(model).toMatchObject({
      desired_state: 'stopped',
      desired_replicas: 3,
      spec: { engine_config: { env: { TZ: 'UTC' } } },
    });
    const started = await cli(['template', 'deploy', 'tiny-sim', '--uid', 'from-tpl-2', '-o', 'json']);
    expect(JSON.parse(started.stdout)).toMatchObject({
      model_uid: 'from-tpl-2',
      desired_state: 'running',
      desired_replicas: 2,
    });

    expect(
      (await cli(['template', 'save', 'from-tpl', '--name', 'Saved copy', '--id', 'saved-copy'])).stdout,
    ).toBe('Template saved-copy saved from model from-tpl.\n');
    expect(JSON.parse((await cli(['template', 'get', 'saved-copy', '-o', 'json'])).stdout)).toMatchObject({
      template_id: 'saved-copy',
      source: 'user',
      spec: { model_name: 'demo/tiny', engine_type: 'sim' },
      deployment: { replicas: 3 },
    });

    expect((await cli(['template', 'deploy', 'Not_Valid'])).code).toBe(2);
    expect((await cli(['template', 'deploy', 'nope'])).stderr).toMatch(
      /^error: .* \(TEMPLATE_NOT_FOUND\)\n$/,
    );
    expect((await cli(['template', 'delete', 'saved-copy'])).code).toBe(2);
    expect(await cli(['template', 'delete', 'saved-copy', '--yes'])).toEqual({
      code: 0,
      stdout: 'Template saved-copy deleted.\n',
      stderr: '',
    });
    expect((await cli(['template', 'get', 'saved-copy'])).code).toBe(1);
  });

  it('apply --dry-run prints create / update with field diffs / unchanged, and apply makes it so', async () => {
    const file = join(home.path, 'stack.yaml');
    writeFileSync(
      file,
      [
        'kind: Model',
        'model_uid: web-a',
        'model_name: demo/web-a',
        'engine_type: sim',
        'replicas: 1',
        'engine_config:',
        '  env: { OMP_NUM_THREADS: "1" }',
        '---',
        'kind: Model',
        'model_uid: web-b',
        'model_name: demo/web-b',
        'engine_type: sim',
        'desired_state: running',
        '---',
        'kind: Template',
        'template_id: web',
        'name: Web preset',
        'spec: { model_name: demo/web, engine_type: sim }',
        '',
      ].join('\n'),
    );
    const dry = await cli(['apply', '-f', file, '--dry-run']);
    expect(dry).toEqual({
      code: 0,
      stdout:
        'model/web-a: create\nmodel/web-b: create\ntemplate/web: create\n3 objects: 3 to create, 0 to update, 0 unchanged (dry run: nothing changed)\n',
      stderr: '',
    });
    expect((await cli(['model', 'get', 'web-a'])).code).toBe(1);

    expect(await cli(['apply', '-f', file])).toEqual({
      code: 0,
      stdout: 'model/web-a created\nmodel/web-b created and started\ntemplate/web created\n',
      stderr: '',
    });
    expect(JSON.parse((await cli(['model', 'get', 'web-b', '-o', 'json'])).stdout)).toMatchObject({
      desired_state: 'running',
    });
    expect((await cli(['apply', '-f', file, '--dry-run'])).stdout).toBe(
      'model/web-a: unchanged\nmodel/web-b: unchanged\ntemplate/web: unchanged\n3 objects: 0 to create, 0 to update, 3 unchanged (dry run: nothing changed)\n',
    );

    // Change fields: replicas, an env var, the desired state, the template's engine (JSON this time).
    const json = join(home.path, 'stack.json');
    writeFileSync(
      json,
      JSON.stringify({
        items: [
          {
            kind: 'Model',
            model_uid: 'web-a',
            model_name: 'demo/web-a',
            engine_type: 'sim',
            replicas: 3,
            engine_config: { env: { OMP_NUM_THREADS: '2', TZ: 'UTC' } },
          },
          {
            kind: 'Model',
            model_uid: 'web-b',
            model_name: 'demo/web-b',
            engine_type: 'sim',
            desired_state: 'stopped',
          },
          {
            kind: 'Template',
            template_id: 'web',
            name: 'Web preset',
            spec: { model_name: 'demo/web', engine_type: 'vllm' },
          },
        ],
      }),
    );
    const diff = await cli(['apply', '-f', json, '--dry-run']);
    expect(diff.stdout).toMatchInlineSnapshot(`
      "model/web-a: update
        engine_config.env.OMP_NUM_THREADS: "1" -> "2"
        engine_config.env.TZ: (none) -> "UTC"
        replicas: 1 -> 3
      model/web-b: update
        desired_state: "running" -> "stopped"
      template/web: update
        spec.engine_type: "sim" -> "vllm"
      3 objects: 0 to create, 3 to update, 0 unchanged (dry run: nothing changed)
      "
    `);
    const asJson = JSON.parse((await cli(['apply', '-f', json, '--dry-run', '-o', 'json'])).stdout);
    expect(asJson[0]).toEqual({
      kind: 'Model',
      name: 'model/web-a',
      action: 'update',
      changes: [
        { path: 'engine_config.env.OMP_NUM_THREADS', from: '1', to: '2' },
        { path: 'engine_config.env.TZ', to: 'UTC' },
        { path: 'replicas', from: 1, to: 3 },
      ],
    });
    expect(JSON.parse((await cli(['model', 'get', 'web-a', '-o', 'json'])).stdout).desired_replicas).toBe(1);

    expect((await cli(['apply', '-f', json])).stdout).toBe(
      'model/web-a configured\nmodel/web-b configured and stopped\ntemplate/web configured\n',
    );
    const a = JSON.parse((await cli(['model', 'get', 'web-a', '-o', 'json'])).stdout);
    expect(a).toMatchObject({
      desired_replicas: 3,
      spec: { engine_config: { env: { OMP_NUM_THREADS: '2', TZ: 'UTC' } } },
    });
    expect(JSON.parse((await cli(['model', 'get', 'web-b', '-o', 'json'])).stdout).desired_state).toBe(
      'stopped',
    );
    expect(JSON.parse((await cli(['template', 'get', 'web', '-o', 'json'])).stdout).spec.engine_type).toBe(
      'vllm',
    );
    expect((await cli(['apply', '-f', json, '--dry-run'])).stdout).toMatch(
      /0 to create, 0 to update, 3 unchanged/,
    );

    // stdin works too.
    const viaStdin = await cli(['apply', '-f', '-', '--dry-run'], {
      stdin: 'kind: Model\nmodel_uid: web-a\nmodel_name: demo/web-a\nengine_type: sim\nreplicas: 3\n',
    });
    expect(viaStdin.stdout).toBe(
      'model/web-a: unchanged\n1 object: 0 to create, 0 to update, 1 unchanged (dry run: nothing changed)\n',
    );
  });

  it('refuses bad files with exit 2 and changes nothing', async () => {
    const bad = join(home.path, 'bad.yaml');
    writeFileSync(
      bad,
      'kind: Model\nmodel_uid: fine\nmodel_name: demo/fine\nengine_type: sim\n---\nkind: Model\nmodel_uid: Nope!\nmodel_name: a/b\nengine_type: sim\n',
    );
    const r = await cli(['apply', '-f', bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: .*bad\.yaml: document 2 \(Model\): model_uid: .* \(INVALID_FILE\)\n$/);
    expect((await cli(['model', 'get', 'fine'])).code).toBe(1);
    expect((await cli(['apply', '-f', join(home.path, 'missing.yaml')])).stderr).toMatch(
      /^error: cannot read .*missing\.yaml: ENOENT \(FILE_UNREADABLE\)\n$/,
    );
    expect((await cli(['apply'])).stderr).toBe('error: -f FILE is required (use - for stdin) (USAGE)\n');
  });

  it('delete -f removes what the file names', async () => {
    const file = join(home.path, 'stack.yaml');
    expect((await cli(['delete', '-f', file])).code).toBe(2);
    const r = await cli(['delete', '-f', file, '--yes']);
    expect(r).toEqual({
      code: 0,
      stdout: 'model/web-a deleted\nmodel/web-b deleted\ntemplate/web deleted\n',
      stderr: '',
    });
    expect((await cli(['delete', '-f', file, '--yes'])).stdout).toBe(
      'model/web-a not found (skipped)\nmodel/web-b not found (skipped)\ntemplate/web not found (skipped)\n',
    );
  });
});
