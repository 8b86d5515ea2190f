import { readFileSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { loadConfig, upsertContext } from '../../src/core/cli-config.js';
import { resolveConnection } from '../../src/cli/connection.js';
import { contextNameFor } from '../../src/cli/commands/auth.js';
import { tempDir } from '../helpers/tmp.js';
import { cliFor } from './harness.js';

describe('contexts', () => {
  let dir: { path: string; cleanup: () => void };
  let cli: ReturnType<typeof cliFor>;
  let configPath: string;
  beforeEach(() => {
    dir = tempDir('nebula-cli-ctx-');
    cli = cliFor(dir.path);
    configPath = join(dir.path, '.nebula', 'config.yaml');
  });
  afterEach(() => dir.cleanup());

  it('upsertContext writes a 0600 file in the documented format and makes the first context current', () => {
    upsertContext(
      {
        name: 'local',
        server: 'http://127.0.0.1:8080',
        router: 'http://127.0.0.1:8000',
        token: 'nbk_secret',
      },
      { configPath },
    );
    const mode = statSync(configPath).mode & 0o777;
    expect(mode).toBe(0o600);
    expect(statSync(join(dir.path, '.nebula')).mode & 0o777).toBe(0o700);
    expect(parse(readFileSync(configPath, 'utf8'))).toEqual({
      'current-context': 'local',
      contexts: [
        {
          name: 'local',
          server: 'http://127.0.0.1:8080',
          router: 'http://127.0.0.1:8000',
          token: 'nbk_secret',
        },
      ],
    });
    // A second context does not steal "current" unless asked; updating keeps fields not given.
    upsertContext({ name: 'prod', server: 'https://nebula.example.com' }, { configPath });
    expect(loadConfig(configPath)['current-context']).toBe('local');
    upsertContext({ name: 'local', server: 'http://127.0.0.1:9090' }, { configPath, makeCurrent: true });
    const cfg = loadConfig(configPath);
    expect(cfg.contexts.find((c) => c.name === 'local')).toEqual({
      name: 'local',
      server: 'http://127.0.0.1:9090',
      router: 'http://127.0.0.1:8000',
      token: 'nbk_secret',
    });
    upsertContext({ name: 'prod', server: 'https://nebula.example.com' }, { configPath, makeCurrent: true });
    expect(loadConfig(configPath)['current-context']).toBe('prod');
  });

  it('rewrites a world-readable file as 0600 and rejects invalid input', () => {
    mkdirSync(join(dir.path, '.nebula'), { recursive: true });
    writeFileSync(configPath, 'contexts: []\n', { mode: 0o644 });
    upsertContext({ name: 'a', server: 'http://h:1' }, { configPath });
    expect(statSync(configPath).mode & 0o777).toBe(0o600);
    expect(() => upsertContext({ name: 'bad name', server: 'http://h:1' }, { configPath })).toThrow(
      /context/,
    );
    expect(() => upsertContext({ name: 'b', server: 'ftp://h' }, { configPath })).toThrow(/http/);
  });

  it('resolves flag > env > context > default', () => {
    upsertContext(
      { name: 'c1', server: 'http://ctx:1', router: 'http://ctxr:2', token: 't-ctx' },
      { configPath },
    );
    upsertContext({ name: 'c2', server: 'http://ctx2:1' }, { configPath });
    const env = { HOME: dir.path, NEBULA_CONFIG: configPath };
    expect(resolveConnection({}, env)).toMatchObject({
      server: 'http://ctx:1',
      router: 'http://ctxr:2',
      token: 't-ctx',
      contextName: 'c1',
    });
    expect(
      resolveConnection({}, { ...env, NEBULA_SERVER: 'http://env:1', NEBULA_TOKEN: 't-env' }),
    ).toMatchObject({
      server: 'http://env:1',
      token: 't-env',
    });
    expect(
      resolveConnection(
        { server: 'http://flag:1/', token: 't-flag' },
        { ...env, NEBULA_SERVER: 'http://env:1' },
      ),
    ).toMatchObject({
      server: 'http://flag:1',
      token: 't-flag',
    });
    expect(resolveConnection({}, { ...env, NEBULA_CONTEXT: 'c2' })).toMatchObject({
      server: 'http://ctx2:1',
      router: 'http://127.0.0.1:8000',
      token: undefined,
    });
    expect(() => resolveConnection({ context: 'nope' }, env)).toThrow(/does not exist/);
    expect(() => resolveConnection({ server: 'not a url' }, env)).toThrow(/not an http/);
    expect(resolveConnection({}, { NEBULA_CONFIG: join(dir.path, 'missing.yaml') })).toMatchObject({
      server: 'http://127.0.0.1:8080',
      router: 'http://127.0.0.1:8000',
      token: undefined,
    });
  });

  it('context add / list / use / current / remove through the CLI', async () => {
    let r = await cli(['context', 'list']);
    expect(r).toEqual({
      code: 0,
      stdout: '',
      stderr: 'No contexts. Add one with: nebula context add NAME --server URL\n',
    });
    r = await cli([
      'context',
      'add',
      'lab',
      '--server',
      'http://10.0.0.5:8080',
      '--token',
      'nbk_x',
      '--user',
      'ops',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('Context "lab" added (current).\n');
    r = await cli([
      'context',
      'add',
      'prod',
      '--server',
      'https://nebula.example.com',
      '--router',
      'https://llm.example.com',
    ]);
    expect(r.stdout).toBe('Context "prod" added.\n');
    r = await cli(['context', 'add', 'prod', '--server', 'https://nebula.example.com']);
    expect(r).toEqual({
      code: 1,
      stdout: '',
      stderr: 'error: context "prod" already exists (use --force to replace it) (CONTEXT_EXISTS)\n',
    });
    r = await cli(['context', 'list']);
    expect(r.stdout).toMatchInlineSnapshot(`
      "CURRENT  NAME  SERVER                      ROUTER                   USER  TOKEN
      *        lab   http://10.0.0.5:8080        -                        ops   (set)
               prod  https://nebula.example.com  https://llm.example.com  -     -
      "
    `);
    r = await cli(['context', 'list', '-o', 'json']);
    expect(JSON.parse(r.stdout)).toEqual([
      { name: 'lab', server: 'http://10.0.0.5:8080', user: 'ops', token: '(set)', current: true },
      {
        name: 'prod',
        server: 'https://nebula.example.com',
        router: 'https://llm.example.com',
        token: null,
        current: false,
      },
    ]);
    expect(r.stdout).not.toContain('nbk_x');
    expect((await cli(['context', 'current'])).stdout).toBe('lab\n');
    expect((await cli(['context', 'use', 'prod'])).stdout).toBe('Switched to context "prod".\n');
    expect((await cli(['context', 'current'])).stdout).toBe('prod\n');
    r = await cli(['context', 'use', 'ghost']);
    expect(r).toEqual({
      code: 2,
      stdout: '',
      stderr: 'error: context "ghost" does not exist (CONTEXT_NOT_FOUND)\n',
    });
    expect((await cli(['context', 'remove', 'prod'])).code).toBe(0);
    r = await cli(['context', 'current']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('error: no current context (see: nebula context use NAME) (NO_CONTEXT)\n');
    r = await cli(['context', 'add', 'x', '--server', 'gopher://h']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^error: --server: must be an http:\/\/ or https:\/\/ URL \(INVALID_CONTEXT\)\n$/,
    );
    expect(statSync(configPath).mode & 0o777).toBe(0o600);
  });

  it('names contexts after their server for logins', () => {
    expect(contextNameFor('http://lab.example.com:8080')).toBe('lab.example.com-8080');
    expect(contextNameFor('https://nebula.example.com/')).toBe('nebula.example.com');
    expect(contextNameFor('http://[::1]:8080')).toBe('1-8080');
  });

  it('reports a broken config file in one line', async () => {
    mkdirSync(join(dir.path, '.nebula'), { recursive: true });
    writeFileSync(configPath, 'contexts: [ {name: 1\n');
    const r = await cli(['context', 'list']);
    expect(r.code).toBe(1);
    expect(r.stderr.split('\n')).toHaveLength(2);
    expect(r.stderr).toMatch(/^error: .*config\.yaml is not valid YAML: .* \(CONFIG_INVALID\)\n$/);
  });
});
