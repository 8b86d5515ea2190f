import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FakeClock } from '../../core/clock.js';
import { silentLogger } from '../../core/logger.js';
import { defaultInstallRoots, parseEngineBins, resolveEngineBins } from './engine-bins.js';
import { EngineDetector, type EngineDetectorOptions } from './engine-detector.js';
import { checkExecutable, compareVersions, installedCandidates } from './engine-executable.js';
import { runProbe } from './engine-probe.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'nebula-engines-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Writes an executable shell script (mode 755 unless given). */
function script(path: string, body: string, mode = 0o755): string {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, mode);
  return path;
}

/** A fake llama-server that prints its version like the real one (stderr) and counts its runs. */
function fakeLlama(path: string, build = 4589): string {
  return script(
    path,
    `echo run >> "${path}.runs"\necho "version: ${build} (1d1e6a90)" >&2\necho "built with cc for x86_64-linux-gnu" >&2`,
  );
}

function runs(path: string): number {
  try {
    return readFileSync(`${path}.runs`, 'utf8').split('\n').filter(Boolean).length;
  } catch {
    return 0;
  }
}

function detector(o: Partial<EngineDetectorOptions> = {}): EngineDetector {
  return new EngineDetector({
    bins: {},
    installRoots: {},
    pathEnv: '',
    sim: { path: '/opt/nebula/bin/nebula.js', version: '1.2.3' },
    clock: new FakeClock(),
    logger: silentLogger(),
    probeTimeoutMs: 5_000,
    ...o,
  });
}

describe('parseEngineBins', () => {
  it('parses TYPE=PATH pairs', () => {
    expect(parseEngineBins(['llamacpp=/opt/llama/bin/llama-server', 'vllm=/opt/venv/bin/vllm'])).toEqual({
      llamacpp: '/opt/llama/bin/llama-server',
      vllm: '/opt/venv/bin/vllm',
    });
  });

  it.each([
    ['llamacpp=bin/llama-server', /not an absolute path/],
    ['llamacpp=~/llama-server', /not an absolute path/],
    ['llamacpp=', /not an absolute path/],
    ['/opt/llama-server', /TYPE=\/absolute\/path/],
    ['tgi=/opt/tgi', /unknown engine "tgi"/],
    ['sim=/opt/nebula', /nebula itself/],
  ])('refuses %s', (raw, why) => {
    expect(() => parseEngineBins([raw])).toThrow(why);
  });

  it('refuses an engine given twice with different paths', () => {
    expect(() => parseEngineBins(['vllm=/a/vllm', 'vllm=/b/vllm'])).toThrow(/given twice/);
  });

  it('takes NEBULA_ENGINE_BINS (comma-separated) under the flags', () => {
    const env = { NEBULA_ENGINE_BINS: 'llamacpp=/env/llama-server,vllm=/env/vllm' };
    expect(resolveEngineBins(['vllm=/flag/vllm'], env)).toEqual({
      llamacpp: '/env/llama-server',
      vllm: '/flag/vllm',
    });
    expect(() => resolveEngineBins([], { NEBULA_ENGINE_BINS: 'vllm=rel' })).toThrow(/NEBULA_ENGINE_BINS/);
  });

  it('finds installed engines under XDG_CACHE_HOME, else ~/.cache', () => {
    expect(defaultInstallRoots({ XDG_CACHE_HOME: '/x/cache' })).toEqual({
      llamacpp: ['/x/cache/nebula/engines/llama-server'],
    });
    expect(defaultInstallRoots({ HOME: '/home/op' })).toEqual({
      llamacpp: ['/home/op/.cache/nebula/engines/llama-server'],
    });
  });
});

describe('checkExecutable', () => {
  it('accepts an executable file and refuses hostile ones with the reason', () => {
    const ok = script(join(dir, 'ok'), 'true');
    expect(checkExecutable(ok).ok).toBe(true);
    expect(checkExecutable('relative/llama-server')).toMatchObject({
      ok: false,
      reason: 'not an absolute path',
    });
    expect(checkExecutable(join(dir, 'missing'))).toMatchObject({ ok: false, reason: 'does not exist' });
    const plain = script(join(dir, 'plain'), 'true', 0o644);
    expect(checkExecutable(plain)).toMatchObject({ ok: false, reason: 'is not executable' });
    const open = script(join(dir, 'open'), 'true', 0o777);
    chmodSync(open, 0o777); // umask-proof
    expect(checkExecutable(open)).toMatchObject({
      ok: false,
      reason: expect.stringMatching(/world-writable/),
    });
    expect(checkExecutable(dir)).toMatchObject({ ok: false, reason: 'is not a regular file' });
  });

  it('orders installed builds newest first, CUDA before CPU', () => {
    for (const d of ['b4589-cpu', 'b10000-cpu', 'b10000-cuda', 'junk', 'b900-gpu'])
      mkdirSync(join(dir, d, 'bin'), { recursive: true });
    expect(installedCandidates(dir, 'llama-server')).toEqual([
      join(dir, 'b10000-cuda', 'bin', 'llama-server'),
      join(dir, 'b10000-cpu', 'bin', 'llama-server'),
      join(dir, 'b4589-cpu', 'bin', 'llama-server'),
    ]);
    expect(installedCandidates(join(dir, 'none'), 'llama-server')).toEqual([]);
    expect(compareVersions('1.10.0', '1.9.2')).toBeGreaterThan(0);
  });
});

describe('runProbe', () => {
  it('kills a probe that hangs, with what it started, and settles at the timeout', async () => {
    const pidFile = join(dir, 'child.pid');
    const hang = script(join(dir, 'hang'), `sleep 60 &\necho $! > "${pidFile}"\nwait`);
    const t0 = Date.now();
    const r = await runProbe(hang, ['--version'], { timeoutMs: 500 });
    expect(r).toEqual({ ok: false, reason: 'version probe timed out after 500 ms' });
    expect(Date.now() - t0).toBeLessThan(5_000);
    const pid = Number(readFileSync(pidFile, 'utf8'));
    // The grandchild (sleep) went with the process group.
    await expect
      .poll(
        () => {
          try {
            process.kill(pid, 0);
            return true;
          } catch {
            return false;
          }
        },
        { timeout: 5_000 },
      )
      .toBe(false);
  });

  it('reports a non-zero exit with the last line it printed', async () => {
    const bad = script(
      join(dir, 'bad'),
      'echo "error while loading shared libraries: libcuda.so.1" >&2; exit 127',
    );
    expect(await runProbe(bad, ['--version'], { timeoutMs: 5_000 })).toEqual({
      ok: false,
      reason: 'version probe exited with code 127: error while loading shared libraries: libcuda.so.1',
    });
  });

  it('never goes through a shell', async () => {
    const echo = script(join(dir, 'echo'), 'echo "$1"');
    const r = await runProbe(echo, ['$(touch pwned); `id`'], { timeoutMs: 5_000 });
    expect(r).toEqual({ ok: true, output: '$(touch pwned); `id`\n' });
  });
});

describe('EngineDetector', () => {
  it('lists sim always, and engines on the PATH with their versions', async () => {
    const bin = join(dir, 'bin');
    fakeLlama(join(bin, 'llama-server'));
    script(join(bin, 'vllm'), 'echo "INFO 05-01 12:00:00 loading"\necho 0.8.5');
    script(join(bin, 'python3'), '[ "$1" = "-c" ] && echo 0.4.6');
    const d = detector({ pathEnv: `relative/dir::${bin}` });
    expect(d.snapshot()).toBeUndefined(); // unknown until detected
    const snap = await d.refresh();
    expect(snap.engines).toEqual([
      { type: 'sim', version: '1.2.3', path: '/opt/nebula/bin/nebula.js' },
      { type: 'llamacpp', version: '4589 (1d1e6a90)', path: join(bin, 'llama-server') },
      { type: 'vllm', version: '0.8.5', path: join(bin, 'vllm') },
      { type: 'sglang', version: '0.4.6', path: join(bin, 'python3') },
    ]);
    expect(snap.errors).toEqual([]);
    expect(await d.executableFor('llamacpp')).toBe(join(bin, 'llama-server'));
    expect(await d.executableFor('sim')).toBeUndefined();
  });

  it("reads the pinned llama.cpp build's version line among its log lines", async () => {
    const bin = join(dir, 'bin');
    script(
      join(bin, 'llama-server'),
      'echo "0.00.023.986 I srv  llama_server: initializing ..." >&2\n' +
        'echo "version: 0.5.0-dev (build 1, commit de3ff81)" >&2\necho "built with GNU 12.2.0 for Linux x86_64" >&2',
    );
    const snap = await detector({ pathEnv: bin }).refresh();
    expect(snap.engines[1]).toMatchObject({
      type: 'llamacpp',
      version: '0.5.0-dev (build 1, commit de3ff81)',
    });
  });

  it('takes only the first program on the PATH, as a shell would run it', async () => {
    const first = join(dir, 'first');
    const second = join(dir, 'second');
    const broken = script(join(first, 'llama-server'), 'exit 3');
    fakeLlama(join(second, 'llama-server'));
    const snap = await detector({ pathEnv: `${first}:${second}` }).refresh();
    expect(snap.engines.map((e) => e.type)).toEqual(['sim']);
    expect(snap.errors).toEqual([
      { type: 'llamacpp', path: broken, error: `${broken} version probe exited with code 3` },
    ]);
    expect(runs(join(second, 'llama-server'))).toBe(0);
  });

  it('treats a python3 without sglang as no sglang, not as an error', async () => {
    const bin = join(dir, 'bin');
    script(join(bin, 'python3'), 'echo "PackageNotFoundError: sglang" >&2; exit 1');
    const snap = await detector({ pathEnv: bin }).refresh();
    expect(snap.engines.map((e) => e.type)).toEqual(['sim']);
    expect(snap.errors).toEqual([]);
  });

  it('launches only the configured executable of an engine, and says why it cannot', async () => {
    const bin = join(dir, 'bin');
    fakeLlama(join(bin, 'llama-server'));
    const cases: [string, string][] = [
      [join(dir, 'missing', 'llama-server'), 'does not exist'],
      [script(join(dir, 'plain', 'llama-server'), 'true', 0o644), 'is not executable'],
      [script(join(dir, 'hang', 'llama-server'), 'sleep 60'), 'version probe timed out after 300 ms'],
    ];
    const open = script(join(dir, 'open', 'llama-server'), 'true');
    chmodSync(open, 0o777);
    cases.push([open, 'is world-writable (refusing to run it)']);
    for (const [path, why] of cases) {
      const snap = await detector({ bins: { llamacpp: path }, pathEnv: bin, probeTimeoutMs: 300 }).refresh();
      expect(snap.engines.map((e) => e.type)).toEqual(['sim']); // no fallback to the PATH's
      expect(snap.errors).toEqual([{ type: 'llamacpp', path, error: `${path} ${why}` }]);
    }
  });

  it('prefers an installed build (newest, working) over the PATH and skips a broken one', async () => {
    const root = join(dir, 'cache', 'nebula', 'engines', 'llama-server');
    const bin = join(dir, 'bin');
    fakeLlama(join(bin, 'llama-server'), 100);
    fakeLlama(join(root, 'b4000-cpu', 'bin', 'llama-server'), 4000);
    fakeLlama(join(root, 'b5000-cpu', 'bin', 'llama-server'), 5000);
    const cuda = script(
      join(root, 'b5000-cuda', 'bin', 'llama-server'),
      'echo "libcudart.so.12: cannot open" >&2; exit 127',
    );
    const snap = await detector({ installRoots: { llamacpp: [root] }, pathEnv: bin }).refresh();
    expect(snap.engines[1]).toEqual({
      type: 'llamacpp',
      version: '5000 (1d1e6a90)',
      path: join(root, 'b5000-cpu', 'bin', 'llama-server'),
    });
    expect(snap.errors).toEqual([
      {
        type: 'llamacpp',
        path: cuda,
        error: `${cuda} version probe exited with code 127: libcudart.so.12: cannot open`,
      },
    ]);
  });

  it('probes once per file, again when the file changes or the re-probe interval passed', async () => {
    const clock = new FakeClock();
    const path = fakeLlama(join(dir, 'bin', 'llama-server'));
    let changes = 0;
    const d = detector({ bins: { llamacpp: path }, clock, reprobeMs: 60_000, onChange: () => changes++ });
    await d.refresh();
    await d.refresh();
    expect(runs(path)).toBe(1);
    expect(changes).toBe(1);

    fakeLlama(path, 4600); // rewritten: new size / mtime
    const later = new Date(Date.now() + 5_000);
    utimesSync(path, later, later);
    expect((await d.refresh()).engines[1]?.version).toBe('4600 (1d1e6a90)');
    expect(runs(path)).toBe(2);
    expect(changes).toBe(2);

    await clock.advance(60_000);
    await d.refresh();
    expect(runs(path)).toBe(3);
    expect(changes).toBe(2); // same answer: nothing to publish
  });

  it('keeps the last version of an unchanged file when its re-probe times out, drops a removed file', async () => {
    const clock = new FakeClock();
    const path = script(
      join(dir, 'bin', 'llama-server'),
      // Hangs while a flag file exists: the file itself (inode, size, mtime) stays the same.
      `[ -f "$0.hang" ] && sleep 60\necho "version: 4589 (1d1e6a90)" >&2`,
    );
    const d = detector({ bins: { llamacpp: path }, clock, reprobeMs: 1_000, probeTimeoutMs: 300 });
    expect((await d.refresh()).engines[1]?.type).toBe('llamacpp');
    writeFileSync(`${path}.hang`, '');
    await clock.advance(1_000);
    const snap = await d.refresh();
    expect(snap.engines[1]).toMatchObject({ type: 'llamacpp', version: '4589 (1d1e6a90)' });
    expect(snap.errors).toEqual([]);

    rmSync(path);
    const gone = await d.refresh();
    expect(gone.engines.map((e) => e.type)).toEqual(['sim']);
    expect(gone.errors).toEqual([{ type: 'llamacpp', path, error: `${path} does not exist` }]);
  });

  it('runs start() on the clock and stop() kills a probe in flight', async () => {
    const clock = new FakeClock();
    const bin = join(dir, 'bin');
    const d = detector({ pathEnv: bin, clock, rescanMs: 1_000 });
    await d.start();
    expect(d.snapshot()?.engines.map((e) => e.type)).toEqual(['sim']);
    fakeLlama(join(bin, 'llama-server'));
    await clock.advance(1_000);
    await expect.poll(() => d.snapshot()?.engines.map((e) => e.type)).toEqual(['sim', 'llamacpp']);
    d.stop();
  });
});
