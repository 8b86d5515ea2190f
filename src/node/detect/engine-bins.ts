/**
 * Where a node agent looks for the engines it can launch: `--engine-bin TYPE=PATH` (repeatable, env
 * `NEBULA_ENGINE_BINS` as `TYPE=PATH,TYPE=PATH`), the engines `nebula engine install` put in the user's
 * cache, and the PATH. This file is the configuration half (parsing, defaults); engine-detector.ts probes.
 */
import { isAbsolute, join } from 'node:path';
import type { EngineType } from '../../core/domain/index.js';
import { defaultEngineCacheRoot } from '../../engines/install/llama-server.js';
import { NodeConfigError } from '../errors.js';

/** Engines found on the machine (`sim` is nebula itself and always there). */
export type DetectableEngine = Exclude<EngineType, 'sim'>;
export const DETECTABLE_ENGINES: readonly DetectableEngine[] = ['llamacpp', 'vllm', 'sglang'];

/** Operator-chosen executable per engine: the only candidate for that engine when set. */
export type EngineBins = Partial<Record<DetectableEngine, string>>;

/**
 * Program names looked up on the PATH, in order. sglang has no program of its own: it is launched as
 * `<python> -m sglang.launch_server`, so its "executable" is a Python interpreter that has the package.
 */
export const ENGINE_PROGRAMS: Readonly<Record<DetectableEngine, readonly string[]>> = {
  llamacpp: ['llama-server'],
  vllm: ['vllm'],
  sglang: ['python3'],
};

function isDetectable(t: string): t is DetectableEngine {
  return (DETECTABLE_ENGINES as readonly string[]).includes(t);
}

/**
 * Parses `TYPE=PATH` pairs (flag values; each env value may hold several, comma-separated). The path must
 * be absolute: a relative one would depend on the agent's working directory, which an operator does not
 * control under systemd. Whether the file exists is checked at detection, so a binary installed after
 * the agent started is picked up without a restart.
 */
export function parseEngineBins(values: readonly string[], what = '--engine-bin'): EngineBins {
  const out: EngineBins = {};
  for (const raw of values) {
    const pair = raw.trim();
    if (!pair) continue;
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new NodeConfigError(`${what}: "${pair}" must look like TYPE=/absolute/path`);
    const type = pair.slice(0, eq).trim();
    const path = pair.slice(eq + 1).trim();
    if (type === 'sim') throw new NodeConfigError(`${what}: engine "sim" is nebula itself and has no binary`);
    if (!isDetectable(type)) {
      throw new NodeConfigError(
        `${what}: unknown engine "${type}" (known: ${DETECTABLE_ENGINES.join(', ')})`,
      );
    }
    if (!path || !isAbsolute(path) || path.includes('\0')) {
      throw new NodeConfigError(`${what}: ${type}: "${path}" is not an absolute path`);
    }
    if (out[type] !== undefined && out[type] !== path) {
      throw new NodeConfigError(`${what}: ${type} is given twice (${out[type]} and ${path})`);
    }
    out[type] = path;
  }
  return out;
}

/** Flag values win over `NEBULA_ENGINE_BINS` engine by engine. */
export function resolveEngineBins(
  flagValues: readonly string[] | undefined,
  env: NodeJS.ProcessEnv = process.env,
): EngineBins {
  const fromEnv = parseEngineBins((env['NEBULA_ENGINE_BINS'] ?? '').split(','), 'NEBULA_ENGINE_BINS');
  return { ...fromEnv, ...parseEngineBins(flagValues ?? []) };
}

/**
 * Folders holding engines that `nebula engine install` built, per engine, searched before the PATH:
 * `${XDG_CACHE_HOME:-~/.cache}/nebula/engines/llama-server/<version>-<cpu|cuda>/bin/llama-server`.
 */
export function defaultInstallRoots(
  env: NodeJS.ProcessEnv = process.env,
): Partial<Record<DetectableEngine, string[]>> {
  return { llamacpp: [join(defaultEngineCacheRoot(env), 'llama-server')] };
}

/** The binary inside one install folder (`<root>/<version>-<variant>/bin/<program>`). */
export const INSTALLED_PROGRAM: Readonly<Partial<Record<DetectableEngine, string>>> = {
  llamacpp: 'llama-server',
};
