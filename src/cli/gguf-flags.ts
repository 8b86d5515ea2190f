/** `--gguf-file` / `--quant`: which GGUF variant a llama.cpp model loads (model create, catalog import). */
import { Option, type Command } from 'commander';
import { GgufFileName, GgufQuant, type EngineType } from '../core/domain/index.js';
import { GGUF_DEFAULT_RULE } from '../core/gguf-variants.js';
import { UsageError } from './errors.js';
import type { CommandContext } from './runtime.js';

/** Adds the two flags, with the default rule in the help. */
export function withGgufFlags(cmd: Command): Command {
  cmd.addOption(
    new Option(
      '--gguf-file <file>',
      'llamacpp: the GGUF file to load, a path inside the repository or directory (a split model: any part)',
    ).conflicts('quant'),
  );
  cmd.addOption(
    new Option('--quant <tag>', `llamacpp: the GGUF variant to load by quantisation tag (Q4_K_M, Q8_0, ...)`),
  );
  cmd.addHelpText('after', `\nGGUF (engine llamacpp): ${GGUF_DEFAULT_RULE}.`);
  return cmd;
}

/**
 * The spec fields of the flags, checked with the spec's own rules. A flag given with the engine left at
 * its default means llamacpp (the only engine that loads one GGUF variant); with another engine named
 * explicitly it is a usage error.
 */
export function ggufFields(
  ctx: CommandContext,
  engine: EngineType,
): { engine: EngineType; fields: { gguf_file?: string; gguf_quant?: string } } {
  const file = ctx.str('ggufFile');
  const quant = ctx.str('quant');
  if (file === undefined && quant === undefined) return { engine, fields: {} };
  const fields: { gguf_file?: string; gguf_quant?: string } = {};
  if (file !== undefined) {
    const r = GgufFileName.safeParse(file);
    if (!r.success)
      throw new UsageError(
        `--gguf-file must be a relative path inside the repository ending in .gguf (got "${file}")`,
      );
    fields.gguf_file = r.data;
  }
  if (quant !== undefined) {
    const r = GgufQuant.safeParse(quant);
    if (!r.success)
      throw new UsageError(`--quant must be a quantisation tag such as Q4_K_M (got "${quant}")`);
    fields.gguf_quant = r.data;
  }
  if (engine !== 'llamacpp') {
    if (ctx.cmd.getOptionValueSource('engine') === 'default') return { engine: 'llamacpp', fields };
    throw new UsageError(`--gguf-file and --quant apply to --engine llamacpp only (got --engine ${engine})`);
  }
  return { engine, fields };
}
