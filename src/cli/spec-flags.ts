/**
 * The model-spec flags that several commands share (`model create`, `model load`, `template create`,
 * `catalog import`), declared once as data: each entry is the commander option and where its value goes
 * in the request body. A command names the flags it takes; `withSpecFlags` declares them and `specFields`
 * maps the parsed values into the typed spec fields of its body.
 */
import { Option, type Command } from 'commander';
import type { CreateTemplateRequest } from '../client/index.js';
import { EngineType, ModelSource } from '../core/domain/index.js';
import { collect, parseEnvPairs, parsePositiveNumber } from './args.js';
import type { CommandContext } from './runtime.js';

/** The spec fields these flags fill; the same shape in the model, template and v1 request bodies. */
export type SpecFlagFields = Partial<
  Pick<
    CreateTemplateRequest['spec'],
    'model_source' | 'model_path' | 'engine_type' | 'revision' | 'resources' | 'engine_config'
  >
>;

interface SpecFlag {
  /** The commander option (a fresh one per command: commander keeps state on it). */
  option: (description?: string) => Option;
  /** Writes the flag's value (read from `ctx`) into the body; absent flags leave it untouched. */
  into: (ctx: CommandContext, body: SpecFlagFields) => void;
}

const SOURCES = ModelSource.options;
const ENGINES = EngineType.options;

/** GPUs and GPU memory share `resources`: each fills its own field of it. */
function resources(body: SpecFlagFields): NonNullable<SpecFlagFields['resources']> {
  body.resources ??= {};
  return body.resources;
}

const SPEC_FLAGS = {
  source: {
    option: (d = 'where the weights come from') =>
      new Option('--source <source>', d).choices(SOURCES).default('huggingface'),
    into: (ctx, b) => {
      b.model_source = ctx.choice('source', SOURCES) ?? 'huggingface';
    },
  },
  path: {
    option: (d = 'directory of the weights, or a .gguf file for llamacpp (--source local)') =>
      new Option('--path <dir>', d),
    into: (ctx, b) => {
      const v = ctx.str('path');
      if (v !== undefined) b.model_path = v;
    },
  },
  engine: {
    option: (d = 'inference engine') => new Option('--engine <engine>', d).choices(ENGINES).default('vllm'),
    into: (ctx, b) => {
      b.engine_type = ctx.choice('engine', ENGINES) ?? 'vllm';
    },
  },
  revision: {
    option: (d = 'hub revision: branch, tag or commit') => new Option('--revision <rev>', d),
    into: (ctx, b) => {
      const v = ctx.str('revision');
      if (v !== undefined) b.revision = v;
    },
  },
  gpus: {
    option: (d = 'GPUs per replica (tensor parallel size)') => new Option('--gpus <n>', d),
    into: (ctx, b) => {
      const n = ctx.optInt('gpus', 0, 16);
      if (n !== undefined) resources(b).gpu_count = n;
    },
  },
  gpuMemory: {
    option: (d = 'GPU memory per GPU in GiB (default: estimated from the model)') =>
      new Option('--gpu-memory <GiB>', d),
    into: (ctx, b) => {
      const v = ctx.str('gpuMemory');
      if (v !== undefined) resources(b).gpu_memory_gib = parsePositiveNumber(v, '--gpu-memory');
    },
  },
  // --arg and --env fill one engine_config together, so --env carries the mapping of both.
  arg: {
    option: (d = 'extra engine argument (repeatable)') => new Option('--arg <arg>', d).argParser(collect),
    into: () => undefined,
  },
  env: {
    option: (d = 'engine environment variable (repeatable)') =>
      new Option('--env <KEY=VALUE>', d).argParser(collect),
    into: (ctx, b) => {
      const env = parseEnvPairs(ctx.list('env'));
      const args = ctx.list('arg');
      if (args.length > 0 || Object.keys(env).length > 0) b.engine_config = { extra_args: args, env };
    },
  },
} satisfies Record<string, SpecFlag>;

/** A shared spec flag, by its commander attribute name. */
export type SpecFlagName = keyof typeof SPEC_FLAGS;

/** Declares the named spec flags on `cmd`, in the order given (`help` overrides a description). */
export function withSpecFlags(
  cmd: Command,
  names: readonly SpecFlagName[],
  help: Partial<Record<SpecFlagName, string>> = {},
): Command {
  for (const n of names) cmd.addOption(SPEC_FLAGS[n].option(help[n]));
  return cmd;
}

/** The spec fields of the named flags, checked with the flags' own rules (a UsageError names the flag). */
export function specFields(ctx: CommandContext, names: readonly SpecFlagName[]): SpecFlagFields {
  const body: SpecFlagFields = {};
  for (const n of names) SPEC_FLAGS[n].into(ctx, body);
  return body;
}

/** `--replicas` (a string flag; each command gives its own default and description), within [min, 1000]. */
export function replicasFlag(ctx: CommandContext, min = 0): number | undefined {
  return ctx.optInt('replicas', min, 1000);
}
