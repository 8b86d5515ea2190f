/**
 * The spine: on a fresh data dir, `nebula up` -> `nebula model create ... --start --wait` -> chat through
 * the router at :8000/v1 with the admin key from <data-dir>/admin.key (plain and streamed) -> stop ->
 * delete, and Ctrl-C leaves no process behind. Everything runs as real processes from the built binary.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findProcesses, isAlive } from '../helpers/procs.js';
import { waitFor } from '../helpers/ports.js';
import { tempDir } from '../helpers/tmp.js';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'nebula.js');

describe('spine: nebula up -> create -> chat -> stop -> delete -> Ctrl-C', () => {
  const dir = tempDir('nebula-spine-');
  const dataDir = join(dir.path, 'data');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NEBULA_CONFIG: join(dir.path, 'config.yaml'),
    NO_COLOR: '1',
  };
  delete env['NEBULA_SERVER'];
  delete env['NEBULA_TOKEN'];
  delete env['NEBULA_CONTEXT'];
  let up: ChildProcess;
  let upOut = '';
  let upExit: Promise<number | null>;

  const cli = (...args: string[]) => {
    const r = spawnSync(process.execPath, [BIN, ...args], { env, encoding: 'utf8', timeout: 120_000 });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const enginePids = (uid: string): number[] => {
    const r = cli('model', 'get', uid, '-o', 'json');
    expect(r.code, r.stderr).toBe(0);
    const detail = JSON.parse(r.stdout) as { endpoints: { pid?: number }[] };
    return detail.endpoints.map((e) => e.pid).filter((p): p is number => typeof p === 'number');
  };

  beforeAll(async () => {
    up = spawn(process.execPath, [BIN, 'up', '--data-dir', dataDir], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    up.stdout?.on('data', (d: Buffer) => (upOut += d.toString()));
    up.stderr?.on('data', (d: Buffer) => (upOut += d.toString()));
    upExit = new Promise((res) => up.once('exit', (code) => res(code)));
    await waitFor(() => upOut.includes('Press Ctrl-C'), {
      timeoutMs: 60_000,
      what: `nebula up to start: ${upOut}`,
    });
  });

  afterAll(async () => {
    if (up.exitCode === null) {
      up.kill('SIGKILL');
      await upExit;
    }
    dir.cleanup();
  });

  it('prints where things are and writes the admin key with mode 0600', () => {
    expect(upOut).toContain('OpenAI base URL:  http://127.0.0.1:8000/v1');
    expect(upOut).toContain('Console:          http://127.0.0.1:8080/');
    expect(upOut).toContain(join(dataDir, 'admin.key'));
    expect(statSync(join(dataDir, 'admin.key')).mode & 0o777).toBe(0o600);
    expect(readFileSync(join(dataDir, 'admin.key'), 'utf8').trim()).toMatch(/^nbk_/);
  });

  it('creates, serves, stops and deletes a model; Ctrl-C leaves nothing behind', async () => {
    const created = cli(
      'model',
      'create',
      '--name',
      'demo-model',
      '--uid',
      'demo',
      '--engine',
      'sim',
      '--source',
      'local',
      '--replicas',
      '2',
      '--start',
      '--wait',
    );
    expect(created.code, created.stderr + created.stdout).toBe(0);

    const key = readFileSync(join(dataDir, 'admin.key'), 'utf8').trim();
    const openai = new OpenAI({ baseURL: 'http://127.0.0.1:8000/v1', apiKey: key, maxRetries: 0 });
    const plain = await openai.chat.completions.create({
      model: 'demo',
      messages: [{ role: 'user', content: 'hello from the spine' }],
      max_tokens: 16,
    });
    expect(plain.choices[0]?.message.content).toBeTruthy();
    expect(plain.usage?.completion_tokens).toBeGreaterThan(0);

    const stream = await openai.chat.completions.create({
      model: 'demo',
      messages: [{ role: 'user', content: 'stream me some tokens please' }],
      max_tokens: 16,
      stream: true,
    });
    let text = '';
    let chunks = 0;
    for await (const chunk of stream) {
      chunks += 1;
      text += chunk.choices[0]?.delta.content ?? '';
    }
    expect(chunks).toBeGreaterThan(2);
    expect(text.length).toBeGreaterThan(0);

    const pids = enginePids('demo');
    expect(pids).toHaveLength(2);
    expect(pids.every(isAlive)).toBe(true);

    const stopped = cli('model', 'stop', 'demo', '--wait');
    expect(stopped.code, stopped.stderr).toBe(0);
    await waitFor(() => pids.every((p) => !isAlive(p)), {
      timeoutMs: 30_000,
      what: 'engines to exit after stop',
    });

    const deleted = cli('model', 'delete', 'demo', '--yes');
    expect(deleted.code, deleted.stderr).toBe(0);
    const gone = cli('model', 'get', 'demo');
    expect(gone.code).toBe(1);
    expect(gone.stderr).toContain('MODEL_NOT_FOUND');

    // A model still running at Ctrl-C: its engine must not outlive `nebula up`.
    const second = cli(
      'model',
      'create',
      '--name',
      'demo-model',
      '--uid',
      'demo-two',
      '--engine',
      'sim',
      '--source',
      'local',
      '--replicas',
      '1',
      '--start',
      '--wait',
    );
    expect(second.code, second.stderr).toBe(0);
    const running = enginePids('demo-two');
    expect(running).toHaveLength(1);

    up.kill('SIGINT');
    const code = await upExit;
    expect(code).toBe(0);
    expect(running.filter(isAlive)).toEqual([]);
    expect(findProcesses('engine-sim', '--model', 'demo-model')).toEqual([]);
  });
});
