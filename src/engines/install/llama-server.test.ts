import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  cmakeConfigureArgs,
  defaultEngineCacheRoot,
  installLlamaServer,
  installedLlamaServer,
  LLAMA_SERVER_CMAKE_OPTIONS,
  llamaServerInstallDir,
  matchesIntegrity,
  parseCmakeProgress,
  type CommandRunner,
} from './llama-server.js';
import { readTarEntry, readTgzEntry } from './tar.js';

const dirs: string[] = [];
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'nebula-install-'));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A PATH holding executables named `tools` (empty scripts). */
function fakePath(tools: string[]): string {
  const bin = join(tmp(), 'bin');
  mkdirSync(bin);
  for (const t of tools) {
    writeFileSync(join(bin, t), '#!/bin/sh\nexit 0\n');
    chmodSync(join(bin, t), 0o755);
  }
  return bin;
}

describe('tar reader', () => {
  it('finds one file by path in a tgz written by the system tar (long names included)', () => {
    const d = tmp();
    const deep = `package/${'d'.repeat(120)}/llama`;
    mkdirSync(join(d, deep), { recursive: true });
    mkdirSync(join(d, 'package', 'llama'), { recursive: true });
    writeFileSync(join(d, 'package', 'llama', 'gitRelease.bundle'), Buffer.alloc(1500, 7));
    writeFileSync(join(d, deep, 'x.bin'), 'long');
    writeFileSync(join(d, 'package', 'package.json'), '{}');
    execFileSync('tar', ['-czf', join(d, 'a.tgz'), '-C', d, 'package']);
    const tgz = readFileSync(join(d, 'a.tgz'));
    expect(readTgzEntry(tgz, 'package/llama/gitRelease.bundle')).toEqual(Buffer.alloc(1500, 7));
    expect(readTgzEntry(tgz, `${deep}/x.bin`)?.toString()).toBe('long');
    expect(readTgzEntry(tgz, 'package/missing')).toBeUndefined();
    execFileSync('tar', ['-cf', join(d, 'a.tar'), '-C', d, 'package/package.json']);
    expect(readTarEntry(readFileSync(join(d, 'a.tar')), 'package/package.json')?.toString()).toBe('{}');
  });

  it('rejects a truncated archive', () => {
    const d = tmp();
    mkdirSync(join(d, 'package'));
    writeFileSync(join(d, 'package', 'big'), Buffer.alloc(4096, 1));
    execFileSync('tar', ['-cf', join(d, 'a.tar'), '-C', d, 'package/big']);
    const tar = readFileSync(join(d, 'a.tar'));
    expect(() => readTarEntry(tar.subarray(0, 2048), 'package/big')).toThrow(/truncated/);
  });
});

describe('build plan', () => {
  it('turns every download off and CUDA on only for the cuda variant', () => {
    /** The `-D<name>=<value>` options of a configure command line, by name. */
    const options = (args: string[]): Record<string, string | undefined> =>
      Object.fromEntries(args.filter((a) => a.startsWith('-D')).map((a) => a.slice(2).split('=')));
    const cpu = cmakeConfigureArgs('cpu', '/s', '/b');
    expect(cpu.slice(0, 4)).toEqual(['-S', '/s', '-B', '/b']);
    expect(options(cpu)).toEqual(LLAMA_SERVER_CMAKE_OPTIONS);
    // Nothing is downloaded during the build.
    expect(LLAMA_SERVER_CMAKE_OPTIONS).toMatchObject({
      LLAMA_USE_PREBUILT_UI: 'OFF',
      LLAMA_OPENSSL: 'OFF',
      FETCHCONTENT_FULLY_DISCONNECTED: 'ON',
    });
    // A portable, optimised, self-contained server binary and nothing else.
    expect(LLAMA_SERVER_CMAKE_OPTIONS).toMatchObject({
      CMAKE_BUILD_TYPE: 'Release',
      GGML_NATIVE: 'OFF',
      BUILD_SHARED_LIBS: 'OFF',
      LLAMA_BUILD_TESTS: 'OFF',
      LLAMA_BUILD_EXAMPLES: 'OFF',
      LLAMA_BUILD_APP: 'OFF',
    });
    expect(cpu.some((a) => a.startsWith('-DGGML_CUDA'))).toBe(false);
    expect(options(cmakeConfigureArgs('cuda', '/s', '/b'))).toEqual({
      ...LLAMA_SERVER_CMAKE_OPTIONS,
      GGML_CUDA: 'ON',
      GGML_CUDA_CUB_3DOT2: 'OFF',
    });
  });

  it('reads cmake progress lines', () => {
    expect(parseCmakeProgress('[ 42%] Building CXX object common/CMakeFiles/x.o')).toBe(42);
    expect(parseCmakeProgress('[100%] Built target llama-server')).toBe(100);
    expect(parseCmakeProgress('[  3%] Linking')).toBe(3);
    expect(parseCmakeProgress('-- Configuring done')).toBeUndefined();
    expect(parseCmakeProgress('[999%] x')).toBeUndefined();
  });

  it('checks sha512 integrity strings', () => {
    const data = Buffer.from('hello');
    const sri = `sha512-${createHash('sha512').update(data).digest('base64')}`;
    expect(matchesIntegrity(data, sri)).toBe(true);
    expect(matchesIntegrity(Buffer.from('hellO'), sri)).toBe(false);
    expect(matchesIntegrity(data, 'sha1-abc')).toBe(false);
  });

  it('keys the cache by version and variant under XDG_CACHE_HOME', () => {
    expect(defaultEngineCacheRoot({ XDG_CACHE_HOME: '/c', HOME: '/h' })).toBe('/c/nebula/engines');
    expect(defaultEngineCacheRoot({ HOME: '/h' })).toBe('/h/.cache/nebula/engines');
    expect(llamaServerInstallDir('/r', 'cpu')).toBe('/r/llama-server/3.22.1-cpu');
  });
});

describe('installLlamaServer', () => {
  const never: CommandRunner = () => Promise.reject(new Error('must not run anything'));

  it('names the Debian packages of missing tools and writes nothing', async () => {
    const root = join(tmp(), 'cache');
    const env = { PATH: fakePath(['npm', 'git']), HOME: tmp() };
    await expect(installLlamaServer({ variant: 'cpu', cacheRoot: root, env }, {}, never)).rejects.toThrow(
      'missing cmake, make, c++ to build llama-server; install them with: sudo apt-get install -y cmake make g++',
    );
    expect(existsSync(root)).toBe(false);
  });

  it('does nothing when the cache entry is complete', async () => {
    const root = join(tmp(), 'cache');
    const dir = llamaServerInstallDir(root, 'cpu');
    mkdirSync(join(dir, 'bin'), { recursive: true });
    writeFileSync(join(dir, 'bin', 'llama-server'), '');
    expect(installedLlamaServer(root, 'cpu')).toBeUndefined(); // no install.json: not complete
    writeFileSync(join(dir, 'install.json'), '{}');
    const r = await installLlamaServer({ variant: 'cpu', cacheRoot: root, env: { PATH: '' } }, {}, never);
    expect(r).toMatchObject({ cached: true, binary: join(dir, 'bin', 'llama-server'), variant: 'cpu' });
  });

  it('picks CUDA when nvcc is on PATH, CPU otherwise', async () => {
    const root = join(tmp(), 'cache');
    for (const v of ['cpu', 'cuda'] as const) {
      const dir = llamaServerInstallDir(root, v);
      mkdirSync(join(dir, 'bin'), { recursive: true });
      writeFileSync(join(dir, 'bin', 'llama-server'), '');
      writeFileSync(join(dir, 'install.json'), '{}');
    }
    const withNvcc = { PATH: fakePath(['nvcc']), HOME: tmp() };
    expect((await installLlamaServer({ cacheRoot: root, env: withNvcc }, {}, never)).variant).toBe('cuda');
    expect((await installLlamaServer({ cacheRoot: root, env: { PATH: '' } }, {}, never)).variant).toBe('cpu');
    const noCuda = { PATH: fakePath(['npm', 'git', 'cmake', 'make', 'c++']), HOME: tmp() };
    await expect(
      installLlamaServer({ variant: 'cuda', cacheRoot: join(tmp(), 'other'), env: noCuda }, {}, never),
    ).rejects.toThrow(
      'missing nvcc to build llama-server; install them with: sudo apt-get install -y nvidia-cuda-toolkit',
    );
  });

  it('refuses a tarball that does not match the pinned integrity and leaves no partial cache', async () => {
    const root = join(tmp(), 'cache');
    const src = tmp();
    mkdirSync(join(src, 'package', 'llama'), { recursive: true });
    writeFileSync(join(src, 'package', 'llama', 'gitRelease.bundle'), 'not the real one');
    const env = { PATH: fakePath(['npm', 'git', 'cmake', 'make', 'c++']), HOME: tmp() };
    const ran: string[] = [];
    const runner: CommandRunner = (cmd, args) => {
      ran.push(cmd);
      if (cmd === 'npm') {
        const dest = args[args.indexOf('--pack-destination') + 1] as string;
        execFileSync('tar', ['-czf', join(dest, 'node-llama-cpp-3.22.1.tgz'), '-C', src, 'package']);
      }
      return Promise.resolve();
    };
    await expect(
      installLlamaServer({ variant: 'cpu', cacheRoot: root, env }, {}, runner),
    ).rejects.toMatchObject({
      code: 'INTEGRITY_MISMATCH',
    });
    expect(ran).toEqual(['npm']);
    expect(readdirSync(join(root, 'llama-server'))).toEqual([]);
    expect(installedLlamaServer(root, 'cpu')).toBeUndefined();
  });

  /** A runner that plays npm, git and cmake on a small fake package; `cudaConfigures` decides the CUDA configure. */
  function fakeToolchain(cudaConfigures: boolean) {
    const pkg = tmp();
    mkdirSync(join(pkg, 'package', 'llama'), { recursive: true });
    writeFileSync(join(pkg, 'package', 'llama', 'gitRelease.bundle'), 'bundle bytes');
    execFileSync('tar', ['-czf', join(pkg, 'fake.tgz'), '-C', pkg, 'package']);
    const tgz = readFileSync(join(pkg, 'fake.tgz'));
    const integrity = `sha512-${createHash('sha512').update(tgz).digest('base64')}`;
    const calls: string[] = [];
    const runner: CommandRunner = (cmd, args, o) => {
      calls.push(`${cmd} ${args.join(' ')}`);
      if (cmd === 'npm') writeFileSync(join(args[args.indexOf('--pack-destination') + 1]!, 'x.tgz'), tgz);
      if (cmd === 'git') {
        const src = args[args.length - 1]!;
        mkdirSync(join(src, 'models'), { recursive: true });
        writeFileSync(join(src, 'models', 'ggml-vocab-llama-spm.gguf'), 'vocab');
      }
      if (cmd === 'cmake' && args[0] === '-S') {
        if (args.includes('-DGGML_CUDA=ON') && !cudaConfigures) {
          return Promise.reject(
            new Error('cmake -S failed (exit 1): Target "ggml-cuda" links to: CUDA::cublas'),
          );
        }
        mkdirSync(args[3]!, { recursive: true });
      }
      if (cmd === 'cmake' && args[0] === '--build') {
        for (const p of [5, 50, 100]) o.onLine(`[${String(p).padStart(3)}%] Building CXX object x.o`);
        mkdirSync(join(args[1]!, 'bin'), { recursive: true });
        writeFileSync(join(args[1]!, 'bin', 'llama-server'), '#!/bin/sh\n');
      }
      return Promise.resolve();
    };
    return { runner, integrity, calls };
  }

  it('installs atomically (binary, vocab files, install.json), reports progress, then does nothing', async () => {
    const root = join(tmp(), 'cache');
    const env = { PATH: fakePath(['npm', 'git', 'cmake', 'make', 'c++']), HOME: tmp() };
    const { runner, integrity, calls } = fakeToolchain(true);
    // The work directory of an install that was killed mid-build (its process is gone) is cleaned up.
    let deadPid = 4_000_000;
    while (existsSync(`/proc/${deadPid}`)) deadPid += 1;
    mkdirSync(join(root, 'llama-server', `.work-${deadPid}-x1`, 'build'), { recursive: true });
    const progress: number[] = [];
    const steps: string[] = [];
    const r = await installLlamaServer(
      { variant: 'cpu', cacheRoot: root, env, integrity, jobs: 3 },
      { step: (s) => steps.push(s), progress: (p) => progress.push(p) },
      runner,
    );
    expect(r).toMatchObject({
      cached: false,
      variant: 'cpu',
      binary: join(root, 'llama-server', '3.22.1-cpu', 'bin', 'llama-server'),
    });
    expect(readFileSync(join(r.dir, 'models', 'ggml-vocab-llama-spm.gguf'), 'utf8')).toBe('vocab');
    expect(JSON.parse(readFileSync(join(r.dir, 'install.json'), 'utf8'))).toMatchObject({
      variant: 'cpu',
      package: 'node-llama-cpp@3.22.1',
    });
    expect(progress).toEqual([5, 50, 100]);
    expect(steps[0]).toBe('fetching node-llama-cpp@3.22.1 from npm');
    expect(calls.find((c) => c.startsWith('cmake --build'))).toContain(
      '--target llama-server --config Release -j 3',
    );
    // Only the finished entry is left: the work directory (clone, build tree) is gone.
    expect(readdirSync(join(root, 'llama-server'))).toEqual(['3.22.1-cpu']);
    calls.length = 0;
    expect(
      (await installLlamaServer({ variant: 'cpu', cacheRoot: root, env, integrity }, {}, runner)).cached,
    ).toBe(true);
    expect(calls).toEqual([]);
  });

  it('falls back to the CPU build when nvcc is found but CUDA does not configure; --cuda fails instead', async () => {
    const env = { PATH: fakePath(['npm', 'git', 'cmake', 'make', 'c++', 'nvcc']), HOME: tmp() };
    const { runner, integrity } = fakeToolchain(false);
    const steps: string[] = [];
    const root = join(tmp(), 'cache');
    const r = await installLlamaServer(
      { cacheRoot: root, env, integrity },
      { step: (s) => steps.push(s) },
      runner,
    );
    expect(r.variant).toBe('cpu');
    expect(steps.some((s) => s.includes('the CUDA configure failed') && s.includes('CUDA::cublas'))).toBe(
      true,
    );
    expect(readdirSync(join(root, 'llama-server'))).toEqual(['3.22.1-cpu']);

    const strict = join(tmp(), 'cache');
    await expect(
      installLlamaServer({ variant: 'cuda', cacheRoot: strict, env, integrity }, {}, runner),
    ).rejects.toThrow(/cublas/);
    expect(readdirSync(join(strict, 'llama-server'))).toEqual([]);
  });
});
