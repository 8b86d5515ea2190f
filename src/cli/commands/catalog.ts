/** `nebula catalog search|show|import`: find models on Hugging Face / ModelScope and import them. */
import { Option, type Command } from 'commander';
import { checkModelUid } from '../args.js';
import type {
  CatalogImportRequest,
  CatalogItem,
  CatalogModelDetail,
  CatalogProvider,
} from '../../client/index.js';
import { group, leaf } from '../define.js';
import { ggufFields, withGgufFlags } from '../gguf-flags.js';
import { UsageError } from '../errors.js';
import { formatBytes } from '../output/human.js';
import { renderFields, renderTable } from '../output/table.js';
import type { CommandContext } from '../runtime.js';
import { replicasFlag, specFields, withSpecFlags } from '../spec-flags.js';
import { finishLifecycle } from './lifecycle.js';

/** The spec flags `catalog import` takes (declared in spec-flags.ts). */
const IMPORT_SPEC_FLAGS = ['engine', 'revision'] as const;

/** `--provider` words: the two hubs and their short names. */
const PROVIDER_ALIASES: Record<string, CatalogProvider> = {
  huggingface: 'huggingface',
  modelscope: 'modelscope',
  hf: 'huggingface',
  ms: 'modelscope',
};
const PROVIDERS = Object.keys(PROVIDER_ALIASES);

/** `--provider`, on each catalog command. */
function providerOption(): Option {
  return new Option('--provider <provider>', 'which hub').choices(PROVIDERS).default('huggingface');
}

/** The hub of `--provider` (commander has checked the word against PROVIDERS). */
function provider(ctx: CommandContext): CatalogProvider {
  return PROVIDER_ALIASES[ctx.str('provider') ?? 'huggingface'] ?? 'huggingface';
}
const HUB_MODEL_ARG = ['<model_id>', 'owner/name on the hub'] as const;

const REPO_ID = /^(?:[A-Za-z0-9][A-Za-z0-9._-]*\/)?[A-Za-z0-9][A-Za-z0-9._-]*$/;

function checkRepoId(id: string): string {
  if (!REPO_ID.test(id) || id.includes('..'))
    throw new UsageError(`invalid model id "${id}": use owner/name`, 'INVALID_ID');
  return id;
}

function compact(n: number | null): string | undefined {
  if (n === null) return undefined;
  if (n >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)}k`;
  return String(n);
}

function catalogTable(items: readonly CatalogItem[]): string {
  return renderTable(
    [
      { header: 'ID', value: (i) => i.id, maxWidth: 56 },
      { header: 'TASK', value: (i) => i.task, maxWidth: 24 },
      { header: 'SIZE', value: (i) => (i.size === null ? undefined : formatBytes(i.size)) },
      { header: 'DOWNLOADS', value: (i) => compact(i.downloads), align: 'right' },
      { header: 'LIKES', value: (i) => compact(i.likes), align: 'right' },
      { header: 'UPDATED', value: (i) => i.updated_at?.slice(0, 10) },
    ],
    items,
  );
}

/** The GGUF variants of a repository under its fields: what `--quant` / `--gguf-file` choose from. */
function ggufTable(d: CatalogModelDetail): string {
  if (d.gguf_variants.length === 0) return '';
  type V = CatalogModelDetail['gguf_variants'][number];
  const table = renderTable<V>(
    [
      { header: 'QUANT', value: (v) => v.quant },
      { header: 'FILE', value: (v) => v.name },
      { header: 'PARTS', value: (v) => v.files.length, align: 'right' },
      { header: 'SIZE', value: (v) => (v.size === null ? '?' : formatBytes(v.size)), align: 'right' },
      { header: 'DEFAULT', value: (v) => (v.default ? 'yes' : '') },
    ],
    d.gguf_variants,
  );
  return `\nGGUF variants (engine llamacpp; choose with --quant or --gguf-file; ${d.gguf_default_rule}):\n${table}`;
}

export function registerCatalogCommands(program: Command): void {
  const catalog = group(program, 'catalog', 'search Hugging Face / ModelScope and import models', [
    'nebula catalog search qwen2.5 --limit 5',
    'nebula catalog import Qwen/Qwen2.5-0.5B-Instruct --wait',
  ]);

  leaf(catalog, {
    name: 'search',
    args: [['[query]', 'words to search for', '']],
    description: 'search a hub for models',
    options: [
      providerOption(),
      ['--limit <n>', 'results per page (1-100)', '20'],
      ['--page <n>', 'page number', '1'],
    ],
    examples: [
      'nebula catalog search qwen2.5',
      'nebula catalog search llama --provider modelscope --limit 5 -o json',
    ],
    run: async (ctx, query) => {
      const limit = ctx.int('limit', 1, 100);
      const page = ctx.int('page', 1, 50);
      const res = await ctx.client().catalog.search({ provider: provider(ctx), q: query ?? '', page, limit });
      if (ctx.format !== 'table') return ctx.print(res, () => '');
      ctx.printList(
        res.items,
        (items) => catalogTable(items) + (res.has_more ? `More results: --page ${page + 1}\n` : ''),
        'No models found.',
      );
    },
  });

  leaf(catalog, {
    name: 'show',
    args: [HUB_MODEL_ARG],
    description: 'show a hub model: files, size, revision',
    options: [providerOption(), ['--revision <rev>', 'branch, tag or commit']],
    examples: [
      'nebula catalog show Qwen/Qwen2.5-0.5B-Instruct',
      'nebula catalog show Qwen/Qwen2.5-0.5B-Instruct-GGUF   # lists the GGUF variants',
    ],
    run: async (ctx, id) => {
      const revision = ctx.str('revision');
      const d = await ctx
        .client()
        .catalog.get(provider(ctx), checkRepoId(id), revision === undefined ? {} : { revision });
      ctx.print(
        d,
        () =>
          renderFields([
            ['ID', d.id],
            ['Source', d.source],
            ['Revision', `${d.revision}${d.sha ? ` (${d.sha.slice(0, 12)})` : ''}`],
            ['Task', d.task],
            ['Library', d.library],
            ['Size', d.total_size === null ? undefined : formatBytes(d.total_size)],
            ['Files', d.files.length],
            ['Gated', d.gated ? 'yes (needs a token)' : 'no'],
            ['Downloads', compact(d.downloads)],
            ['Likes', compact(d.likes)],
          ]) + ggufTable(d),
      );
    },
  });

  leaf(catalog, {
    name: 'import',
    args: [HUB_MODEL_ARG],
    description: 'create a model from a hub model (and start it, unless --no-start)',
    options: [
      providerOption(),
      ['--uid <uid>', 'model uid (default: derived from the name)'],
      ['--replicas <n>', 'replicas', '1'],
      ['--no-start', 'import it stopped (and download its weights onto the nodes that would run it)'],
      ['--no-pull', 'with --no-start: do not download the weights'],
      (cmd) => withSpecFlags(cmd, IMPORT_SPEC_FLAGS, { revision: 'branch, tag or commit' }),
      withGgufFlags,
    ],
    wait: true,
    examples: [
      'nebula catalog import Qwen/Qwen2.5-0.5B-Instruct --wait',
      'nebula catalog import qwen/Qwen2.5-7B-Instruct --provider modelscope --uid qwen7b --replicas 2 --no-start',
      'nebula catalog import Qwen/Qwen2.5-0.5B-Instruct-GGUF --engine llamacpp --quant Q8_0',
      'nebula catalog import bartowski/Llama-3.2-1B-Instruct-GGUF --gguf-file Llama-3.2-1B-Instruct-Q6_K_L.gguf',
    ],
    run: async (ctx, id) => {
      const { engine_type = 'vllm', ...spec } = specFields(ctx, IMPORT_SPEC_FLAGS);
      const gguf = ggufFields(ctx, engine_type);
      const body: CatalogImportRequest = {
        provider: provider(ctx),
        model_id: checkRepoId(id),
        ...spec,
        engine_type: gguf.engine,
        ...gguf.fields,
        replicas: replicasFlag(ctx) ?? 1,
        auto_start: ctx.flags.start !== false,
      };
      const uid = ctx.str('uid');
      if (uid !== undefined) body.model_uid = checkModelUid(uid);
      if (ctx.bool('wait') && body.auto_start === false)
        throw new UsageError('--wait cannot be used with --no-start');
      if (ctx.flags.pull === false) body.pull = false;
      const res = await ctx.client().catalog.import(body);
      for (const w of res.warnings) ctx.err(`warning: ${w}\n`);
      const created = res.model.model_uid;
      await finishLifecycle(
        ctx,
        created,
        'running',
        `Model ${created} imported from ${id}${body.auto_start ? ' and started' : ''}${
          res.pull_nodes ? `; downloading onto ${res.pull_nodes.join(', ')}` : ''
        }.`,
        res,
      );
    },
  });
}
