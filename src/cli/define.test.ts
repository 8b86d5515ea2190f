import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { CliInput, CliOutput } from './io.js';
import { runCli } from './run-cli.js';

/** Runs the CLI in-process with no server: a removal asks (or refuses) before anything is sent. */
async function run(argv: string[], answer?: string) {
  const text = { out: '', err: '' };
  const sink = (k: 'out' | 'err'): CliOutput => ({
    isTTY: false,
    columns: 120,
    write: (c: string) => ((text[k] += c), true),
  });
  const stdin = new PassThrough() as PassThrough & CliInput;
  stdin.isTTY = answer !== undefined;
  stdin.end(answer ?? '');
  const code = await runCli(argv, {
    stdout: sink('out'),
    stderr: sink('err'),
    stdin,
    env: {
      HOME: '/nonexistent',
      NEBULA_CONFIG: '/nonexistent/config.yaml',
      NEBULA_SERVER: 'http://127.0.0.1:9',
    },
  });
  return { code, ...text };
}

describe('removals (template delete, key revoke, user delete)', () => {
  it.each([
    [
      ['template', 'delete', 'tiny'],
      'Delete template tiny? [y/N] ',
      'delete template tiny',
      'Nothing deleted.',
    ],
    [
      ['key', 'revoke', 'abcdef12'],
      'Revoke API key abcdef12? [y/N] ',
      'revoke key abcdef12',
      'Nothing revoked.',
    ],
    [['user', 'rm', 'alice'], 'Delete user alice? [y/N] ', 'delete user alice', 'Nothing deleted.'],
  ])('%j asks first, and refuses without a terminal', async (argv, question, what, nothing) => {
    const no = await run(argv, 'n\n');
    expect(no).toMatchObject({ code: 0, out: '' });
    expect(no.err).toContain(question);
    expect(no.err.endsWith(`${nothing}\n`)).toBe(true);
    const refused = await run(argv);
    expect(refused.code).toBe(2);
    expect(refused.err).toContain(`refusing to ${what} without --yes: stdin is not a terminal`);
  });
});

describe('checked positional arguments', () => {
  it.each([
    [['template', 'delete', 'Bad!', '--yes'], 'invalid template id "Bad!"', 'INVALID_ID'],
    [['template', 'get', 'Bad!'], 'invalid template id "Bad!"', 'INVALID_ID'],
    [['key', 'revoke', 'x', '--yes'], 'invalid key id "x"', 'INVALID_ID'],
    [['key', 'update', 'x', '--name', 'n'], 'invalid key id "x"', 'INVALID_ID'],
    [['user', 'delete', 'a b', '--yes'], 'invalid user name "a b"', 'INVALID_USERNAME'],
    [['model', 'get', 'Bad'], 'invalid model uid "Bad"', 'INVALID_MODEL_UID'],
    [['model', 'scale', 'Bad', '--replicas', 'x'], 'invalid model uid "Bad"', 'INVALID_MODEL_UID'],
    [['model', 'history', 'Bad'], 'invalid model uid "Bad"', 'INVALID_MODEL_UID'],
    [['model', 'adapter', 'remove', 'Bad', 'a'], 'invalid model uid "Bad"', 'INVALID_MODEL_UID'],
    [['model', 'autoscale', 'Bad', '--off'], 'invalid model uid "Bad"', 'INVALID_MODEL_UID'],
    [['node', 'drain', 'a b', '--wait'], 'invalid node id "a b"', 'INVALID_NODE_ID'],
  ])('%j fails with exit 2 and one line before anything is sent', async (argv, message, code) => {
    const r = await run(argv);
    expect(r).toMatchObject({ code: 2, out: '' });
    expect(r.err.split('\n').filter(Boolean)).toHaveLength(1);
    expect(r.err).toContain(message);
    expect(r.err).toContain(code);
  });
});
