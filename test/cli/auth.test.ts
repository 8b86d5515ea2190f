import { statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/core/cli-config.js';
import { tempDir } from '../helpers/tmp.js';
import { TEN_DAYS_LATER } from './fixtures.js';
import { cliFor, type Cli } from './harness.js';
import { spawnCliInPty } from './pty.js';
import { ADMIN_PASSWORD, startTestServer, type TestServer } from './server-harness.js';

describe('nebula auth, whoami, user, key', () => {
  let srv: TestServer;
  let home: { path: string; cleanup: () => void };
  /** No server or token in the environment: everything comes from flags and the context file. */
  let cli: Cli;
  let configPath: string;

  beforeAll(async () => {
    srv = await startTestServer();
    home = tempDir('nebula-cli-auth-');
    configPath = join(home.path, '.nebula', 'config.yaml');
    cli = cliFor(home.path, {}, { now: TEN_DAYS_LATER });
  });
  afterAll(async () => {
    await srv?.stop();
    home?.cleanup();
  });

  it('logs in with --password-stdin, keeps the token in the context, and logs out', async () => {
    const r = await cli(['auth', 'login', '--server', srv.url, '-u', 'admin', '--password-stdin'], {
      stdin: `${ADMIN_PASSWORD}\n`,
    });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(
      new RegExp(
        `^Logged in to ${srv.url} as admin \\(admin\\); token saved in context "default" \\(now current\\) \\(expires \\S+\\)\\.\\n$`,
      ),
    );
    expect(statSync(configPath).mode & 0o777).toBe(0o600);
    const cfg = loadConfig(configPath);
    expect(cfg['current-context']).toBe('default');
    expect(cfg.contexts[0]).toMatchObject({ name: 'default', server: srv.url, user: 'admin' });
    expect(cfg.contexts[0]?.token).toMatch(/^ey/);

    const me = await cli(['whoami']);
    expect(me.code).toBe(0);
    expect(me.stdout).toContain('User:     admin\nRole:     admin\nAuth:     jwt\n');
    expect(me.stdout).toContain('Context:  default\n');
    expect(JSON.parse((await cli(['auth', 'whoami', '-o', 'json'])).stdout)).toMatchObject({
      username: 'admin',
      role: 'admin',
      auth_method: 'jwt',
    });

    expect(await cli(['auth', 'logout'])).toEqual({
      code: 0,
      stdout: 'Logged out: token removed from context "default".\n',
      stderr: '',
    });
    expect(loadConfig(configPath).contexts[0]).toEqual({ name: 'default', server: srv.url, user: 'admin' });
    const after = await cli(['whoami']);
    expect(after.code).toBe(1);
    expect(after.stderr).toMatch(/^error: .+ \(UNAUTHORIZED\)\n$/);
  });

  it('refuses bad credentials and missing input without touching the context', async () => {
    const before = loadConfig(configPath);
    const wrong = await cli(['auth', 'login', '--server', srv.url, '-u', 'admin', '--password-stdin'], {
      stdin: 'not-the-password\n',
    });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/^error: .+ \(UNAUTHORIZED\)\n$/);
    expect(await cli(['auth', 'login', '--server', srv.url, '--password-stdin'], { stdin: 'x' })).toEqual({
      code: 2,
      stdout: '',
      stderr: 'error: --username is required when stdin is not a terminal (USAGE)\n',
    });
    expect(await cli(['auth', 'login', '--server', srv.url, '-u', 'admin'])).toEqual({
      code: 2,
      stdout: '',
      stderr: 'error: stdin is not a terminal: pipe the password with --password-stdin (PASSWORD_REQUIRED)\n',
    });
    expect(loadConfig(configPath)).toEqual(before);
  });

  it('logs into a new named context', async () => {
    const r = await cli(
      ['auth', 'login', '--context', 'prod', '--server', srv.url, '-u', 'admin', '--password-stdin'],
      { stdin: ADMIN_PASSWORD },
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('token saved in context "prod"');
    expect((await cli(['--context', 'prod', 'whoami', '-o', 'json'])).code).toBe(0);
    expect((await cli(['whoami', '--context', 'prod', '-o', 'json'])).code).toBe(0);
    // The current context is still "default" (logged out), so a bare whoami fails.
    expect(loadConfig(configPath)['current-context']).toBe('default');
    expect((await cli(['whoami'])).code).toBe(1);
    expect((await cli(['context', 'use', 'prod'])).code).toBe(0);
    expect((await cli(['whoami'])).code).toBe(0);
  });

  it('never overwrites the current context with another server', async () => {
    const other = srv.url.replace('127.0.0.1', 'localhost');
    const port = new URL(srv.url).port;
    const r = await cli(['auth', 'login', '--server', other, '-u', 'admin', '--password-stdin'], {
      stdin: ADMIN_PASSWORD,
    });
    expect(r.stdout).toContain(`token saved in context "localhost-${port}" (now current)`);
    const cfg = loadConfig(configPath);
    expect(cfg['current-context']).toBe(`localhost-${port}`);
    expect(cfg.contexts.find((c) => c.name === 'prod')?.server).toBe(srv.url);
    // Logging in again to the same server reuses its context.
    const again = await cli(['auth', 'login', '--server', other, '-u', 'admin', '--password-stdin'], {
      stdin: ADMIN_PASSWORD,
    });
    expect(again.stdout).toContain(`token saved in context "localhost-${port}" (expires`);
    expect((await cli(['context', 'use', 'prod'])).code).toBe(0);
  });

  it('manages users', async () => {
    expect(
      await cli(['user', 'create', 'alice', '--role', 'operator', '--password-stdin'], {
        stdin: 'alice-password\n',
      }),
    ).toEqual({
      code: 0,
      stdout: 'User alice created (operator).\n',
      stderr: '',
    });
    expect((await cli(['user', 'create', 'bob', '--password-stdin'], { stdin: 'short' })).stderr).toBe(
      'error: passwords have at least 8 characters (USAGE)\n',
    );
    expect(
      (await cli(['user', 'create', 'Bad Name', '--password-stdin'], { stdin: 'long-enough' })).code,
    ).toBe(2);
    const list = await cli(['user', 'list']);
    expect(list.stdout).toMatchInlineSnapshot(`
      "USER   ROLE      DISABLED  CREATED BY  AGE
      admin  admin     no        bootstrap   10d
      alice  operator  no        admin       10d
      "
    `);
    const alice = await cli(
      ['auth', 'login', '--context', 'alice', '--server', srv.url, '-u', 'alice', '--password-stdin'],
      { stdin: 'alice-password' },
    );
    expect(alice.stdout).toContain('as alice (operator)');
    const denied = await cli(['user', 'list', '--context', 'alice']);
    expect(denied.code).toBe(1);
    expect(denied.stderr).toMatch(/\(FORBIDDEN\)\n$/);
    expect((await cli(['user', 'delete', 'alice'])).code).toBe(2);
    expect(await cli(['user', 'delete', 'alice', '--yes'])).toEqual({
      code: 0,
      stdout: 'User alice deleted.\n',
      stderr: '',
    });
    expect((await cli(['user', 'delete', 'alice', '--yes'])).stderr).toMatch(/\(USER_NOT_FOUND\)\n$/);
  });

  it('creates, lists, uses and revokes API keys', async () => {
    const created = await cli(['key', 'create', '--name', 'ci', '--role', 'operator', '--expires', '30d']);
    expect(created.code).toBe(0);
    const key = /Key: +(nbk_\S+)/.exec(created.stdout)?.[1];
    expect(key).toBeDefined();
    expect(created.stdout).toContain('The key is shown only now');
    const id = /ID: +(\S+)/.exec(created.stdout)?.[1] ?? '';
    const me = JSON.parse(
      (await cli(['whoami', '-o', 'json', '--token', key ?? '', '--server', srv.url])).stdout,
    );
    expect(me).toMatchObject({ username: 'admin', role: 'operator', auth_method: 'api_key', key_id: id });

    const list = await cli(['key', 'list']);
    expect(list.stdout).toMatch(new RegExp(`^${id} +ci +nbk_\\S+ +operator +admin +active +\\S+ +`, 'm'));
    expect(
      JSON.parse((await cli(['key', 'list', '--all', '-o', 'json'])).stdout).map(
        (k: { name: string }) => k.name,
      ),
    ).toContain('ci');
    expect((await cli(['key', 'create', '--name', 'x', '--expires', 'forever'])).stderr).toBe(
      'error: --expires must look like 90m, 12h or 30d (got "forever") (USAGE)\n',
    );
    expect((await cli(['key', 'revoke', id])).code).toBe(2);
    expect(await cli(['key', 'revoke', id, '--yes'])).toEqual({
      code: 0,
      stdout: `API key ${id} revoked.\n`,
      stderr: '',
    });
    expect(list.stdout).not.toContain('revoked');
    expect((await cli(['key', 'list'])).stdout).toMatch(new RegExp(`^${id} .* revoked `, 'm'));
    const gone = await cli(['whoami', '--token', key ?? '', '--server', srv.url]);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/\(UNAUTHORIZED\)\n$/);
  });

  it('sets and changes a key’s rate limit (create and update), also as nebula auth key', async () => {
    const created = await cli([
      'key',
      'create',
      '--name',
      'limited',
      '--rate-limit',
      '60/min:burst=5',
      '-o',
      'json',
    ]);
    expect(created.code).toBe(0);
    const k = JSON.parse(created.stdout) as { id: string; rate_limit: unknown };
    expect(k.rate_limit).toEqual({ rps: 1, burst: 5 });
    expect((await cli(['key', 'list'])).stdout).toMatch(new RegExp(`^${k.id} .* 1/s:burst=5 `, 'm'));
    const upd = await cli(['auth', 'key', 'update', k.id, '--rate-limit', '10/s']);
    expect(upd.code).toBe(0);
    expect(upd.stdout).toMatch(/^Rate limit: +10\/s$/m);
    const back = await cli(['key', 'update', k.id, '--rate-limit', 'default', '-o', 'json']);
    expect(JSON.parse(back.stdout).rate_limit).toBeNull();
    expect((await cli(['key', 'update', k.id, '--rate-limit', 'fast'])).stderr).toMatch(
      /^error: --rate-limit: rate limits look like 60\/min/,
    );
    expect((await cli(['key', 'update', k.id])).stderr).toMatch(/give --name and\/or --rate-limit/);
  });

  it('asks for the password without echo in a terminal', async () => {
    const pty = spawnCliInPty(['auth', 'login', '--server', srv.url, '--context', 'tty'], {
      HOME: home.path,
      NEBULA_CONFIG: configPath,
    });
    try {
      await pty.waitFor('Username: ');
      pty.write('admin\r');
      await pty.waitFor('Password: ');
      pty.write(`${ADMIN_PASSWORD}\r`);
      expect(await pty.exited()).toBe(0);
      expect(pty.text()).toContain('token saved in context "tty"');
      expect(pty.text()).not.toContain(ADMIN_PASSWORD);
      expect(loadConfig(configPath).contexts.find((c) => c.name === 'tty')?.token).toMatch(/^ey/);
    } finally {
      pty.kill();
    }
  });
});
