import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngineSim, type EngineSimHandle } from '../../src/sim/index.js';
import { tempDir } from '../helpers/tmp.js';
import { freePort } from '../helpers/ports.js';
import { cliFor, Capture } from './harness.js';
import { spawnCliInPty } from './pty.js';
import { runCli } from '../../src/cli/run-cli.js';
import { PassThrough } from 'node:stream';
import { join } from 'node:path';

describe('nebula chat against the engine simulator', () => {
  let sim: EngineSimHandle;
  let slow: EngineSimHandle;
  let home: { path: string; cleanup: () => void };
  let cli: ReturnType<typeof cliFor>;

  beforeAll(async () => {
    sim = await startEngineSim({ model: 'tiny', port: 0, ttftMs: 1, itlMs: 1 });
    // Slow enough that an answer is visibly in progress when the test presses Ctrl-C.
    slow = await startEngineSim({
      model: 'slow',
      port: 0,
      ttftMs: 5,
      itlMs: 150,
      maxTokensDefault: 200,
      mode: 'random',
    });
    home = tempDir('nebula-cli-chat-');
    cli = cliFor(home.path, { NEBULA_ROUTER: sim.url });
  });
  afterAll(async () => {
    await sim?.stop();
    await slow?.stop();
    home?.cleanup();
  });

  it('answers a one-shot prompt (argument or -m), streaming or not', async () => {
    expect(await cli(['chat', 'tiny', 'hello', 'there'])).toEqual({
      code: 0,
      stdout: 'hello there\n',
      stderr: '',
    });
    expect(await cli(['chat', 'tiny', '-m', 'hi', '--no-stream', '--system', 'be brief'])).toEqual({
      code: 0,
      stdout: 'hi\n',
      stderr: '',
    });
    // The router URL may come from the flag, with or without /v1.
    expect(
      (
        await cli(['chat', 'tiny', 'x', '--router', `${sim.url}/v1`], {
          env: { NEBULA_ROUTER: 'http://127.0.0.1:1' },
        })
      ).stdout,
    ).toBe('x\n');
    // No model named: the router's only model is used.
    expect((await cli(['chat', '-m', 'auto'])).stdout).toBe('auto\n');
  });

  it('streams tokens as they arrive', async () => {
    const stdout = new Capture();
    const writes: number[] = [];
    const orig = stdout.write.bind(stdout);
    stdout.write = (s: string) => {
      writes.push(Date.now());
      return orig(s);
    };
    const stdin = new PassThrough();
    stdin.end();
    const code = await runCli(['chat', 'slow', '-m', 'go', '--max-tokens', '8'], {
      stdout,
      stderr: new Capture(),
      stdin,
      env: { NEBULA_ROUTER: slow.url, NEBULA_CONFIG: join(home.path, 'none.yaml') },
    });
    expect(code).toBe(0);
    expect(writes.length).toBeGreaterThanOrEqual(8);
    // Eight tokens 150 ms apart: the first arrived long before the last.
    expect((writes.at(-1) ?? 0) - (writes[0] ?? 0)).toBeGreaterThan(600);
  });

  it('fails in one line with exit 1 for an unknown model, exit 2 for bad flags', async () => {
    const r = await cli(['chat', 'nope', 'x']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^error: router answered 404: .*nope.* \([A-Z0-9_]+\)\n$/);
    const bad = await cli(['chat', 'tiny', 'x', '--temperature', 'hot']);
    expect(bad).toEqual({
      code: 2,
      stdout: '',
      stderr: 'error: --temperature must be a number from 0 to 2 (got "hot") (USAGE)\n',
    });
    const down = await cli(['chat', 'tiny', 'x', '--router', `http://127.0.0.1:${await freePort()}`]);
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/^error: cannot reach the server: .* \(UNREACHABLE\)\n$/);
  });

  it('keeps history across questions read from a pipe', async () => {
    const r = await cli(['chat', 'tiny', '--system', 'sys'], {
      stdin: 'first question\n/history\nsecond\n/exit\nnever asked\n',
    });
    expect(r).toEqual({
      code: 0,
      stdout: 'first question\nsystem: sys\nuser: first question\nassistant: first question\nsecond\n',
      stderr: '',
    });
  });

  it('runs interactively in a terminal: answers, Ctrl-C cancels an answer, /exit quits', async () => {
    const pty = spawnCliInPty(['chat', 'slow'], {
      NEBULA_ROUTER: slow.url,
      NEBULA_CONFIG: join(home.path, 'none.yaml'),
    });
    try {
      await pty.waitFor('>>> ');
      expect(pty.text()).toContain('Chatting with slow at');
      let mark = pty.text().length;
      pty.write('tell me a long story\r');
      // Wait for a few streamed tokens, then cancel the answer with Ctrl-C.
      await pty.waitFor(/tell me a long story\n(\s*\S+){3}/, { from: mark });
      pty.write('\u0003');
      await pty.waitFor('[cancelled]', { from: mark });
      await pty.waitFor('>>> ', { from: pty.text().lastIndexOf('[cancelled]') });
      // The REPL is still alive and the cancelled question was not kept in the history.
      mark = pty.text().length;
      pty.write('/history\r');
      await pty.waitFor('>>> ', { from: mark + 1 });
      expect(pty.text().slice(mark)).not.toContain('user: tell me a long story');
      pty.write('/exit\r');
      expect(await pty.exited()).toBe(0);
    } finally {
      pty.kill();
    }
  });
});
