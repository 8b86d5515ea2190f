/**
 * `nebula engine install llamacpp`: builds a real llama-server on this machine from the llama.cpp source
 * the pinned node-llama-cpp npm package ships (see engines/install), into a cache outside any repository.
 */
import type { Command } from 'commander';
import { Option } from 'commander';
import { resolve } from 'node:path';
import {
  defaultEngineCacheRoot,
  installLlamaServer,
  NODE_LLAMA_CPP_VERSION,
  type LlamaServerVariant,
} from '../../engines/install/llama-server.js';
import { examples } from '../define.js';
import { UsageError } from '../errors.js';
import { progressBar } from '../output/progress.js';
import { action } from '../runtime.js';

/** The `engine` group (shared by every `nebula engine ...` subcommand; created once). */
export function engineGroup(program: Command): Command {
  let group = program.commands.find((c) => c.name() === 'engine');
  if (!group) {
    group = program.command('engine').description('inference engines on this machine and in the cluster');
    examples(group, ['nebula engine install llamacpp']);
  }
  return group;
}

function parseJobs(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^[1-9][0-9]{0,3}$/.test(raw)) throw new UsageError(`--jobs must be a positive integer, got "${raw}"`);
  return Number(raw);
}

export function registerEngineCommands(program: Command): void {
  const install = engineGroup(program)
    .command('install')
    .description(
      `build an engine on this machine: llamacpp = llama-server from node-llama-cpp@${NODE_LLAMA_CPP_VERSION}'s bundled llama.cpp source (npm + git + cmake + g++)`,
    )
    .argument('<engine>', 'engine to install (llamacpp)')
    .addOption(new Option('--cpu', 'CPU-only build (default unless nvcc is on PATH)').conflicts('cuda'))
    .addOption(new Option('--cuda', 'CUDA build (needs nvcc)').conflicts('cpu'))
    .option('--jobs <n>', 'parallel compile jobs (default: the number of cores)')
    .option('--cache-dir <dir>', 'engines cache root (default ${XDG_CACHE_HOME:-~/.cache}/nebula/engines)')
    .option('--print-path', 'print only the installed binary path on stdout (for scripts)');
  examples(install, [
    'nebula engine install llamacpp',
    'nebula engine install llamacpp --cpu --jobs 2',
    'NEBULA_TEST_LLAMA_SERVER=$(nebula engine install llamacpp --cpu --print-path)',
  ]);
  install.action(
    action(async (ctx, engine) => {
      if (engine !== 'llamacpp') {
        throw new UsageError(
          `cannot install engine "${engine}": only llamacpp can be built here`,
          'UNKNOWN_ENGINE_TYPE',
        );
      }
      const variant: LlamaServerVariant | undefined = ctx.bool('cpu')
        ? 'cpu'
        : ctx.bool('cuda')
          ? 'cuda'
          : undefined;
      const jobs = parseJobs(ctx.str('jobs'));
      const cacheDir = ctx.str('cacheDir');
      const env = ctx.io.env as NodeJS.ProcessEnv;
      const cacheRoot = cacheDir === undefined ? defaultEngineCacheRoot(env) : resolve(cacheDir);
      const progress = ctx.progress(10_000);
      const started = Date.now();
      const result = await installLlamaServer(
        { ...(variant ? { variant } : {}), ...(jobs ? { jobs } : {}), cacheRoot, env },
        {
          step: (text) => {
            progress.done();
            ctx.err(`==> ${text}\n`);
          },
          progress: (pct) =>
            // Plain mode: a line at each 10% step (the key), a redrawn bar on a terminal.
            progress.update(
              `${progressBar(pct / 100)} ${String(pct).padStart(3)}% llama-server`,
              String(Math.floor(pct / 10)),
            ),
        },
      );
      progress.done();
      const what = `llama-server ${NODE_LLAMA_CPP_VERSION}-${result.variant}`;
      const status = result.cached
        ? `${what} is already installed; nothing to do`
        : `installed ${what} in ${Math.round((Date.now() - started) / 1000)}s`;
      if (ctx.bool('printPath')) {
        ctx.err(`${status}\n`);
        ctx.out(`${result.binary}\n`);
      } else {
        ctx.out(`${status}\n${result.binary}\n`);
      }
    }),
  );
}
