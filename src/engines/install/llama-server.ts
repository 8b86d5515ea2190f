/**
 * Builds a real `llama-server` from npm alone: the `node-llama-cpp` package (pinned version and registry
 * integrity) ships the llama.cpp release it binds as a git bundle (`llama/gitRelease.bundle`). We fetch
 * the tarball with `npm pack` (npm's cache and integrity check), verify its sha512 ourselves, extract only
 * the bundle, clone it and build the `llama-server` target with cmake, then install the binary (and the
 * vocab-only GGUFs test fixtures borrow tokenizers from) into a cache directory keyed by the pinned version
 * and the variant. The install is atomic: everything is built in a work directory next to the cache entry
 * and renamed into place at the end, so an interrupted build never leaves a half cache.
 *
 * One implementation for `nebula engine install llamacpp` and `scripts/test.sh`.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  accessSync,
  constants,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { availableParallelism, homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { NebulaError } from '../../core/errors.js';
import { readTgzEntry } from './tar.js';

/** The node-llama-cpp release whose bundled llama.cpp we build. Changing it changes the cache key. */
export const NODE_LLAMA_CPP_VERSION = '3.22.1';
/** `npm view node-llama-cpp@3.22.1 dist.integrity`: the tarball must hash to this. */
export const NODE_LLAMA_CPP_INTEGRITY =
  'sha512-bltIipuWmc123H7tMIgDGKSsSrhmhlQYeVUC48XTjVW7XGJJiJJyCdlTMzQ/LiWoPkGDpcL4FviDpgw7qfTiDw==';
const BUNDLE_PATH = 'package/llama/gitRelease.bundle';

/** Vocab-only GGUFs from llama.cpp's `models/` kept beside the binary (tokenizers for tiny test models). */
export const LLAMA_VOCAB_FILES = ['ggml-vocab-llama-spm.gguf', 'ggml-vocab-llama-bpe.gguf'] as const;

export type LlamaServerVariant = 'cpu' | 'cuda';

/**
 * The cmake options (`-D<name>=<value>`) of every build. Every download is off: LLAMA_USE_PREBUILT_UI
 * (default ON) fetches the web UI, OpenSSL/HTTPS is not needed on loopback, FETCHCONTENT_FULLY_DISCONNECTED
 * stops any FetchContent we did not think of. GGML_NATIVE=OFF: the binary runs on other x86-64 CPUs too.
 */
export const LLAMA_SERVER_CMAKE_OPTIONS: Readonly<Record<string, string>> = {
  CMAKE_BUILD_TYPE: 'Release',
  GGML_NATIVE: 'OFF',
  LLAMA_OPENSSL: 'OFF',
  LLAMA_USE_PREBUILT_UI: 'OFF',
  // Only the server target: no tests, examples or app, and one static binary to copy.
  LLAMA_BUILD_TESTS: 'OFF',
  LLAMA_BUILD_EXAMPLES: 'OFF',
  BUILD_SHARED_LIBS: 'OFF',
  LLAMA_BUILD_APP: 'OFF',
  // A FetchContent nobody switched off fails the configure instead of downloading.
  FETCHCONTENT_FULLY_DISCONNECTED: 'ON',
};

/** What the cuda variant adds: the CUDA backend, with the toolkit's CUB (GGML_CUDA_CUB_3DOT2 fetches CCCL). */
export const LLAMA_SERVER_CUDA_CMAKE_OPTIONS: Readonly<Record<string, string>> = {
  GGML_CUDA: 'ON',
  GGML_CUDA_CUB_3DOT2: 'OFF',
};

/** The cmake configure command line of a build of `variant`: source and build folders, then the options. */
export function cmakeConfigureArgs(variant: LlamaServerVariant, srcDir: string, buildDir: string): string[] {
  const options = {
    ...LLAMA_SERVER_CMAKE_OPTIONS,
    ...(variant === 'cuda' ? LLAMA_SERVER_CUDA_CMAKE_OPTIONS : {}),
  };
  return ['-S', srcDir, '-B', buildDir, ...Object.entries(options).map(([k, v]) => `-D${k}=${v}`)];
}

/** The percentage of a cmake/make progress line (`[ 42%] Building CXX object ...`), else undefined. */
export function parseCmakeProgress(line: string): number | undefined {
  const m = /^\s*\[\s*(\d{1,3})%\]/.exec(line);
  if (!m) return undefined;
  const n = Number(m[1]);
  return n <= 100 ? n : undefined;
}

/** `sha512-<base64>` of `data` equals `integrity` (an npm Subresource Integrity string). */
export function matchesIntegrity(data: Buffer, integrity: string): boolean {
  const m = /^sha512-([A-Za-z0-9+/=]+)$/.exec(integrity.trim());
  if (!m) return false;
  return createHash('sha512').update(data).digest('base64') === m[1];
}

/** `${XDG_CACHE_HOME:-~/.cache}/nebula/engines`: outside any repository, shared by every checkout. */
export function defaultEngineCacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env['XDG_CACHE_HOME'];
  return join(
    xdg && xdg.startsWith('/') ? xdg : join(env['HOME'] ?? homedir(), '.cache'),
    'nebula',
    'engines',
  );
}

/** `<root>/llama-server/<version>-<variant>`: the cache entry of one build. */
export function llamaServerInstallDir(root: string, variant: LlamaServerVariant): string {
  return join(root, 'llama-server', `${NODE_LLAMA_CPP_VERSION}-${variant}`);
}

/** The installed binary of a complete cache entry, or undefined. */
export function installedLlamaServer(root: string, variant: LlamaServerVariant): string | undefined {
  const dir = llamaServerInstallDir(root, variant);
  const bin = join(dir, 'bin', 'llama-server');
  // install.json is written last into the staging directory, so its presence marks a complete entry.
  return existsSync(join(dir, 'install.json')) && existsSync(bin) ? bin : undefined;
}

/** A tool the build needs and the Debian package that provides it. */
interface Tool {
  command: string;
  debianPackage: string;
}

export function requiredTools(variant: LlamaServerVariant): Tool[] {
  const tools: Tool[] = [
    { command: 'npm', debianPackage: 'npm' },
    { command: 'git', debianPackage: 'git' },
    { command: 'cmake', debianPackage: 'cmake' },
    { command: 'make', debianPackage: 'make' },
    { command: 'c++', debianPackage: 'g++' },
  ];
  if (variant === 'cuda') tools.push({ command: 'nvcc', debianPackage: 'nvidia-cuda-toolkit' });
  return tools;
}

/** The executable `command` on PATH, or undefined. */
export function findOnPath(command: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const dir of (env['PATH'] ?? '').split(delimiter)) {
    if (!dir) continue;
    const p = join(dir, command);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Install failures, with stable codes. */
export class EngineInstallError extends NebulaError {
  constructor(
    message: string,
    code:
      | 'MISSING_TOOLS'
      | 'NPM_PACK_FAILED'
      | 'INTEGRITY_MISMATCH'
      | 'BUNDLE_MISSING'
      | 'COMMAND_FAILED'
      | 'BINARY_MISSING',
  ) {
    super(message, code);
  }
}

/** Runs `command args` without a shell, streaming its output lines; rejects on a non-zero exit. */
export type CommandRunner = (
  command: string,
  args: readonly string[],
  opts: { cwd?: string; env: NodeJS.ProcessEnv; onLine: (line: string) => void },
) => Promise<void>;

export const spawnRunner: CommandRunner = (command, args, opts) =>
  new Promise((resolve, reject) => {
    const child = spawn(command, [...args], {
      cwd: opts.cwd,
      env: opts.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const tail: string[] = [];
    const lineSplitter = () => {
      let rest = '';
      return (chunk: Buffer) => {
        const parts = (rest + chunk.toString('utf8')).split(/\r?\n/);
        rest = parts.pop() ?? '';
        for (const line of parts) {
          tail.push(line);
          if (tail.length > 20) tail.shift();
          opts.onLine(line);
        }
      };
    };
    child.stdout.on('data', lineSplitter());
    child.stderr.on('data', lineSplitter());
    child.once('error', reject);
    child.once('close', (code, signal) => {
      if (code === 0) resolve();
      else
        reject(
          new EngineInstallError(
            `${command} ${args.slice(0, 2).join(' ')} failed (${signal ?? `exit ${code}`}): ${tail
              .filter((l) => l.trim())
              .slice(-5)
              .join(' | ')}`,
            'COMMAND_FAILED',
          ),
        );
    });
  });

export interface InstallOptions {
  /** Build variant; undefined: CUDA when `nvcc` is on PATH, CPU otherwise. */
  variant?: LlamaServerVariant;
  /** Parallel compile jobs (default: the machine's cores). */
  jobs?: number;
  /** Root of the engines cache (default `defaultEngineCacheRoot()`). */
  cacheRoot?: string;
  env?: NodeJS.ProcessEnv;
  /**
   * The tarball's expected integrity (default the pinned NODE_LLAMA_CPP_INTEGRITY). Tests replace it to run
   * the whole flow on a small fake tarball; the CLI never sets it.
   */
  integrity?: string;
}

export interface InstallEvents {
  /** A step begins ("fetching node-llama-cpp@3.22.1 from npm"). */
  step?(text: string): void;
  /** Build progress from cmake's `[ NN%]` lines. */
  progress?(percent: number, line: string): void;
}

export interface InstallResult {
  binary: string;
  dir: string;
  variant: LlamaServerVariant;
  /** True when the cache entry was already there (nothing was built). */
  cached: boolean;
}

/** Removes work directories of installs whose process is gone (killed mid-build). */
function removeStaleWork(parent: string): void {
  let entries: string[];
  try {
    entries = readdirSync(parent);
  } catch {
    return;
  }
  for (const e of entries) {
    const m = /^\.work-(\d+)-/.exec(e);
    if (!m) continue;
    const pid = Number(m[1]);
    let alive = true;
    try {
      process.kill(pid, 0);
    } catch {
      alive = false;
    }
    if (!alive) rmSync(join(parent, e), { recursive: true, force: true });
  }
}

/**
 * Builds and installs llama-server unless the cache entry exists. Returns the binary path. Missing tools
 * fail before anything is written, naming the Debian packages that provide them.
 */
export async function installLlamaServer(
  opts: InstallOptions = {},
  events: InstallEvents = {},
  run: CommandRunner = spawnRunner,
): Promise<InstallResult> {
  const env = opts.env ?? process.env;
  const root = opts.cacheRoot ?? defaultEngineCacheRoot(env);
  // Auto: CUDA when nvcc is on PATH. A CUDA toolkit that cannot configure (no cuBLAS, say) then falls back
  // to the CPU build with a note; an explicit --cuda fails instead.
  const auto = opts.variant === undefined;
  let variant: LlamaServerVariant = opts.variant ?? (findOnPath('nvcc', env) ? 'cuda' : 'cpu');
  let dir = llamaServerInstallDir(root, variant);
  const existing = installedLlamaServer(root, variant);
  if (existing) return { binary: existing, dir, variant, cached: true };

  const missing = requiredTools(variant).filter((t) => !findOnPath(t.command, env));
  if (missing.length > 0) {
    const pkgs = [...new Set(missing.map((t) => t.debianPackage))].join(' ');
    throw new EngineInstallError(
      `missing ${missing.map((t) => t.command).join(', ')} to build llama-server; install them with: sudo apt-get install -y ${pkgs}`,
      'MISSING_TOOLS',
    );
  }
  const jobs = opts.jobs ?? availableParallelism();

  const parent = join(root, 'llama-server');
  mkdirSync(parent, { recursive: true });
  removeStaleWork(parent);
  const work = mkdtempSync(join(parent, `.work-${process.pid}-`));
  const quiet = () => undefined;
  try {
    events.step?.(`fetching node-llama-cpp@${NODE_LLAMA_CPP_VERSION} from npm`);
    const packDir = join(work, 'pack');
    mkdirSync(packDir);
    let packJson = '';
    await run(
      'npm',
      [
        'pack',
        `node-llama-cpp@${NODE_LLAMA_CPP_VERSION}`,
        '--pack-destination',
        packDir,
        '--json',
        '--silent',
      ],
      { cwd: work, env, onLine: (l) => (packJson += `${l}\n`) },
    ).catch((err: unknown) => {
      throw new EngineInstallError(
        `npm pack node-llama-cpp@${NODE_LLAMA_CPP_VERSION} failed: ${err instanceof Error ? err.message : String(err)}`,
        'NPM_PACK_FAILED',
      );
    });
    const tgzName = readdirSync(packDir).find((f) => f.endsWith('.tgz'));
    if (!tgzName) throw new EngineInstallError('npm pack wrote no tarball', 'NPM_PACK_FAILED');
    const tgz = readFileSync(join(packDir, tgzName));
    if (!matchesIntegrity(tgz, opts.integrity ?? NODE_LLAMA_CPP_INTEGRITY)) {
      throw new EngineInstallError(
        `node-llama-cpp@${NODE_LLAMA_CPP_VERSION} tarball does not match the pinned sha512 integrity`,
        'INTEGRITY_MISMATCH',
      );
    }
    const bundle = readTgzEntry(tgz, BUNDLE_PATH);
    if (!bundle) throw new EngineInstallError(`${BUNDLE_PATH} is not in the tarball`, 'BUNDLE_MISSING');
    const bundlePath = join(work, 'llama.cpp.bundle');
    writeFileSync(bundlePath, bundle);
    rmSync(packDir, { recursive: true, force: true });

    events.step?.('cloning the llama.cpp source from the bundle');
    const src = join(work, 'src');
    await run('git', ['clone', '--quiet', bundlePath, src], { env, onLine: quiet });

    events.step?.(`configuring (${variant}) with cmake`);
    const build = join(work, 'build');
    try {
      await run('cmake', cmakeConfigureArgs(variant, src, build), { env, onLine: quiet });
    } catch (err) {
      if (!(auto && variant === 'cuda')) throw err;
      const why = err instanceof Error ? err.message : String(err);
      variant = 'cpu';
      dir = llamaServerInstallDir(root, variant);
      const cpu = installedLlamaServer(root, variant);
      events.step?.(
        `the CUDA configure failed (${why.slice(0, 300)}); using the CPU variant (--cuda insists on CUDA)`,
      );
      if (cpu) return { binary: cpu, dir, variant, cached: true };
      rmSync(build, { recursive: true, force: true });
      events.step?.(`configuring (${variant}) with cmake`);
      await run('cmake', cmakeConfigureArgs(variant, src, build), { env, onLine: quiet });
    }

    events.step?.(`building llama-server with ${jobs} job${jobs === 1 ? '' : 's'}`);
    await run(
      'cmake',
      ['--build', build, '--target', 'llama-server', '--config', 'Release', '-j', String(jobs)],
      {
        env,
        onLine: (line) => {
          const pct = parseCmakeProgress(line);
          if (pct !== undefined) events.progress?.(pct, line.trim());
        },
      },
    );
    const built = join(build, 'bin', 'llama-server');
    if (!existsSync(built)) throw new EngineInstallError(`the build produced no ${built}`, 'BINARY_MISSING');

    const stage = join(work, 'out');
    mkdirSync(join(stage, 'bin'), { recursive: true });
    mkdirSync(join(stage, 'models'));
    copyFileSync(built, join(stage, 'bin', 'llama-server'));
    for (const f of LLAMA_VOCAB_FILES) {
      if (existsSync(join(src, 'models', f))) copyFileSync(join(src, 'models', f), join(stage, 'models', f));
    }
    writeFileSync(
      join(stage, 'install.json'),
      `${JSON.stringify(
        {
          package: `node-llama-cpp@${NODE_LLAMA_CPP_VERSION}`,
          integrity: NODE_LLAMA_CPP_INTEGRITY,
          variant,
          cmake_args: cmakeConfigureArgs(variant, 'src', 'build').slice(4),
          installed_at: new Date().toISOString(),
        },
        null,
        2,
      )}\n`,
    );
    try {
      renameSync(stage, dir);
    } catch (err) {
      // Another install finished first: keep its entry.
      if (!installedLlamaServer(root, variant)) throw err;
    }
    return { binary: join(dir, 'bin', 'llama-server'), dir, variant, cached: false };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
