/**
 * `nebula model adapter add|remove|list <model_uid>`: the LoRA adapters of a base model (issue 18). They are
 * part of the spec, so each change is a spec update (audited by the server, conditional on the version read
 * here so a concurrent edit is refused instead of lost); engines load them at launch, so a change restarts
 * the model's replicas (llama.cpp has no run-time loading; vLLM's is not enabled by Nebula).
 */
import type { Command } from 'commander';
import type { ModelDetailView } from '../../client/index.js';
import { LoraAdapter } from '../../core/domain/index.js';
import { checkModelUid } from '../args.js';
import { group, leaf } from '../define.js';
import { UsageError } from '../errors.js';
import { renderTable } from '../output/table.js';
import type { CommandContext } from '../runtime.js';

const BASE_MODEL_ARG = ['<model_uid>', 'the base model', checkModelUid] as const;

/** The adapter the flags describe, validated as the spec validates it (one-line reason otherwise). */
export function adapterFromFlags(
  name: string,
  f: { hf?: string; ms?: string; path?: string; revision?: string; ggufFile?: string },
): LoraAdapter {
  const given = [f.hf, f.ms, f.path].filter((v) => v !== undefined).length;
  if (given !== 1)
    throw new UsageError('give exactly one of --hf <org/name>, --ms <org/name>, --path <abs path>');
  const raw: Record<string, unknown> = { name };
  if (f.hf !== undefined) Object.assign(raw, { source: 'huggingface', model_id: f.hf });
  if (f.ms !== undefined) Object.assign(raw, { source: 'modelscope', model_id: f.ms });
  if (f.path !== undefined) Object.assign(raw, { source: 'local', path: f.path });
  if (f.revision !== undefined) raw['revision'] = f.revision;
  if (f.ggufFile !== undefined) raw['gguf_file'] = f.ggufFile;
  const parsed = LoraAdapter.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UsageError(
      `adapter ${name}: ${issue?.path.join('.') ?? ''} ${issue?.message ?? 'invalid'}`.trim(),
    );
  }
  return parsed.data;
}

/** The adapters of a model with where each is loaded: `ready replicas that loaded it / ready replicas`. */
export function adapterRows(m: ModelDetailView): (LoraAdapter & { loaded: string })[] {
  const ready = m.endpoints.filter((e) => e.status === 'ready');
  return (m.spec.adapters ?? []).map((a) => ({
    ...a,
    loaded: `${ready.filter((e) => (e.adapters ?? []).some((x) => x.name === a.name)).length}/${ready.length}`,
  }));
}

function adapterTable(rows: Readonly<ReturnType<typeof adapterRows>>): string {
  return renderTable(
    [
      { header: 'NAME', value: (a) => a.name },
      { header: 'SOURCE', value: (a) => a.source },
      { header: 'MODEL', value: (a) => a.model_id ?? a.path, maxWidth: 60 },
      { header: 'REVISION', value: (a) => a.revision ?? (a.source === 'local' ? undefined : 'main') },
      { header: 'LOADED', value: (a) => a.loaded },
    ],
    rows,
  );
}

/** Reads the model, changes its adapter list, writes it back conditionally on what was read. */
async function changeAdapters(
  ctx: CommandContext,
  uid: string,
  change: (list: LoraAdapter[]) => LoraAdapter[],
): Promise<void> {
  const client = ctx.client();
  const m = await client.models.get(uid);
  const next = change([...(m.spec.adapters ?? [])]);
  await client.models.update(
    uid,
    { adapters: next.length === 0 ? null : next },
    { ifMatch: m.resource_version },
  );
}

/** Registers `nebula model adapter list|add|remove`. */
export function registerModelAdapterCommands(model: Command): void {
  const adapter = group(model, 'adapter', 'LoRA adapters served on top of a base model', [
    'nebula model adapter list qwen2-5-7b',
    'nebula model adapter add qwen2-5-7b sql-expert --hf org/qwen2.5-7b-sql-lora',
    'nebula model adapter remove qwen2-5-7b sql-expert',
  ]);

  leaf(adapter, {
    name: 'list',
    args: [BASE_MODEL_ARG],
    description: 'adapters of a model and how many ready replicas loaded each',
    examples: ['nebula model adapter list qwen2-5-7b', 'nebula model adapter list qwen2-5-7b -o json'],
    run: async (ctx, uid) => {
      const m = await ctx.client().models.get(uid);
      ctx.printList(adapterRows(m), adapterTable, `Model ${uid} has no adapters.`);
    },
  });

  leaf(adapter, {
    name: 'add',
    args: [BASE_MODEL_ARG, ['<name>', 'the name clients put in "model" (1-63 of a-z, 0-9, "-")']],
    description: 'add a LoRA adapter (a spec change: the model restarts its replicas to load it)',
    options: [
      ['--hf <org/name>', 'from a Hugging Face repository'],
      ['--ms <org/name>', 'from a ModelScope repository'],
      ['--path <path>', 'from a local file (.gguf for llama.cpp) or folder on every node'],
      ['--revision <rev>', 'hub branch, tag or commit (default main)'],
      ['--gguf-file <file>', 'llama.cpp: which .gguf of the adapter repository'],
    ],
    output: false,
    examples: [
      'nebula model adapter add qwen2-5-7b sql-expert --hf org/qwen2.5-7b-sql-lora',
      'nebula model adapter add tiny fr --path /models/fr-lora.gguf',
    ],
    run: async (ctx, uid, name) => {
      const a = adapterFromFlags(
        name,
        ctx.strs({ hf: 'hf', ms: 'ms', path: 'path', revision: 'revision', ggufFile: 'ggufFile' }),
      );
      await changeAdapters(ctx, uid, (list) => {
        if (list.some((x) => x.name === a.name))
          throw new UsageError(`model ${uid} already has an adapter named ${a.name}`, 'CONFLICT');
        return [...list, a];
      });
      ctx.out(`Adapter ${a.name} added to ${uid}; its replicas restart to load it.\n`);
    },
  });

  leaf(adapter, {
    name: 'remove',
    alias: 'rm',
    args: [BASE_MODEL_ARG, ['<name>', 'the adapter']],
    description: 'remove a LoRA adapter (its name stops routing at once; replicas restart without it)',
    output: false,
    examples: ['nebula model adapter remove qwen2-5-7b sql-expert'],
    run: async (ctx, uid, name) => {
      await changeAdapters(ctx, uid, (list) => {
        const next = list.filter((x) => x.name !== name);
        if (next.length === list.length)
          throw new UsageError(`model ${uid} has no adapter named ${name}`, 'ADAPTER_NOT_FOUND');
        return next;
      });
      ctx.out(`Adapter ${name} removed from ${uid}.\n`);
    },
  });
}
