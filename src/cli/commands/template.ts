/** `nebula template ...`: presets to deploy models from (list, get, create, deploy, save, delete). */
import { Option, type Command } from 'commander';
import type {
  CreateTemplateRequest,
  DeployTemplateRequest,
  SaveAsTemplateRequest,
  TemplateView,
} from '../../client/index.js';
import { TemplateCategory } from '../../core/domain/index.js';
import { SLUG_PATTERN } from '../../core/ids.js';
import { checkModelUid } from '../args.js';
import { group, leaf, listing, removal, required, showing } from '../define.js';
import { UsageError } from '../errors.js';
import { formatAge } from '../output/human.js';
import { renderFields, renderTable } from '../output/table.js';
import type { CommandContext } from '../runtime.js';
import { replicasFlag, specFields, withSpecFlags } from '../spec-flags.js';
import { finishLifecycle } from './lifecycle.js';

/** The spec flags `template create` takes (declared in spec-flags.ts). */
const TEMPLATE_SPEC_FLAGS = [
  'source',
  'path',
  'engine',
  'revision',
  'gpus',
  'gpuMemory',
  'arg',
  'env',
] as const;

function checkTemplateId(id: string): string {
  if (!SLUG_PATTERN.test(id))
    throw new UsageError(
      `invalid template id "${id}": lowercase letters, digits, ".", "_" or "-"`,
      'INVALID_ID',
    );
  return id;
}

function templatesTable(items: readonly TemplateView[]): string {
  return renderTable(
    [
      { header: 'ID', value: (t) => t.template_id },
      { header: 'NAME', value: (t) => t.name, maxWidth: 40 },
      { header: 'CATEGORY', value: (t) => t.category },
      { header: 'SOURCE', value: (t) => t.source },
      { header: 'MODEL', value: (t) => t.spec.model_name, maxWidth: 48 },
      { header: 'ENGINE', value: (t) => t.spec.engine_type },
      { header: 'REPLICAS', value: (t) => t.deployment.replicas },
    ],
    items,
  );
}

function templateDetail(t: TemplateView, nowMs: number): string {
  return renderFields([
    ['ID', t.template_id],
    ['Name', t.name],
    ['Description', t.description],
    ['Category', t.category],
    ['Source', t.source],
    [
      'Model',
      `${t.spec.model_name} (${t.spec.model_source}${t.spec.revision ? ` @ ${t.spec.revision}` : ''})`,
    ],
    ['Path', t.spec.model_path],
    ['Engine', t.spec.engine_type],
    [
      'GPUs/replica',
      `${t.spec.resources.gpu_count}${t.spec.resources.gpu_memory_gib ? ` x ${t.spec.resources.gpu_memory_gib} GiB` : ''}`,
    ],
    ['Engine args', t.spec.engine_config.extra_args.join(' ')],
    [
      'Engine env',
      Object.entries(t.spec.engine_config.env)
        .map(([k, v]) => `${k}=${v}`)
        .join(' '),
    ],
    ['Replicas', t.deployment.replicas],
    ['Updated', `${t.updated_at} (${formatAge(t.updated_at, nowMs)} ago)`],
  ]);
}

/** The template argument, checked before the action runs (`deploy` checks it after its flags, so it declares its own). */
const TEMPLATE_ARG = ['<template_id>', 'the template', checkTemplateId] as const;

/** `--id` (checked) and `--description` of `template create` and `template save`. */
function templateIdAndDescription(ctx: CommandContext): { template_id?: string; description?: string } {
  const { template_id, description } = ctx.strs({ template_id: 'id', description: 'description' });
  return {
    ...(template_id === undefined ? {} : { template_id: checkTemplateId(template_id) }),
    ...(description === undefined ? {} : { description }),
  };
}

export function registerTemplateCommands(program: Command): void {
  const templates = group(program, 'template', 'model templates: presets to deploy models from', [
    'nebula template list',
    'nebula template deploy qwen2-5-0-5b-instruct --uid qwen --wait',
  ]);

  leaf(templates, {
    name: 'list',
    description: 'list templates (system and user)',
    examples: ['nebula template list', 'nebula template list -o yaml'],
    run: listing((ctx) => ctx.client().templates.list(), templatesTable, 'No templates found.'),
  });

  leaf(templates, {
    name: 'get',
    args: [TEMPLATE_ARG],
    description: 'show a template',
    examples: ['nebula template get qwen2-5-0-5b-instruct -o yaml'],
    run: showing(
      (ctx, id) => ctx.client().templates.get(id),
      (t, ctx) => templateDetail(t, ctx.now()),
    ),
  });

  leaf(templates, {
    name: 'create',
    description: 'create a user template',
    options: [
      required('--name <text>', 'display name'),
      required('--model-name <model>', 'model name on the hub (org/name)'),
      ['--id <template_id>', 'template id (default: derived from the name)'],
      new Option('--category <category>', 'what kind of model')
        .choices(TemplateCategory.options)
        .default('chat'),
      ['--replicas <n>', 'default replicas when deployed', '1'],
      (cmd) => withSpecFlags(cmd, TEMPLATE_SPEC_FLAGS),
      ['--description <text>', 'free text'],
    ],
    examples: [
      'nebula template create --name "Qwen 2.5 7B chat" --model-name Qwen/Qwen2.5-7B-Instruct --engine vllm --gpus 1',
      'nebula template create --name "Tiny sim" --model-name demo/tiny --engine sim --replicas 2 --id tiny-sim',
    ],
    run: async (ctx) => {
      const body: CreateTemplateRequest = {
        name: ctx.str('name') ?? '',
        category: ctx.choice('category', TemplateCategory.options) ?? 'chat',
        spec: {
          model_name: ctx.str('modelName') ?? '',
          model_source: 'huggingface',
          engine_type: 'vllm',
          ...specFields(ctx, TEMPLATE_SPEC_FLAGS),
        },
        deployment: { replicas: replicasFlag(ctx) ?? 1 },
      };
      Object.assign(body, templateIdAndDescription(ctx));
      const t = await ctx.client().templates.create(body);
      ctx.print(t, () => `Template ${t.template_id} created.\n`);
    },
  });

  leaf(templates, {
    name: 'deploy',
    args: [['<template_id>', 'the template']],
    description: 'create a model from a template (and start it, unless --no-start)',
    options: [
      ['--uid <uid>', 'model uid (default: derived from the model name)'],
      ['--replicas <n>', "replicas (default: the template's)"],
      ['--no-start', 'create it stopped'],
    ],
    wait: true,
    examples: [
      'nebula template deploy qwen2-5-0-5b-instruct',
      'nebula template deploy tiny-sim --uid tiny --replicas 3 --wait --timeout 5m',
    ],
    run: async (ctx, id) => {
      const body: DeployTemplateRequest = { auto_start: ctx.flags.start !== false };
      const uid = ctx.str('uid');
      if (uid !== undefined) body.model_uid = checkModelUid(uid);
      const replicas = replicasFlag(ctx);
      if (replicas !== undefined) body.replicas = replicas;
      if (ctx.bool('wait') && body.auto_start === false)
        throw new UsageError('--wait cannot be used with --no-start');
      const m = await ctx.client().templates.deploy(checkTemplateId(id), body);
      const started = body.auto_start ? ' and started' : '';
      await finishLifecycle(
        ctx,
        m.model_uid,
        'running',
        `Model ${m.model_uid} created from template ${id}${started}.`,
        m,
      );
    },
  });

  leaf(templates, {
    name: 'save',
    args: [['<model_uid>', 'the model to save']],
    description: "save a model's spec and deployment as a new template",
    options: [
      required('--name <text>', 'display name of the template'),
      ['--id <template_id>', 'template id (default: derived from the name)'],
      new Option('--category <category>', 'what kind of model').choices(TemplateCategory.options),
      ['--description <text>', 'free text'],
    ],
    examples: ['nebula template save qwen2-5-7b --name "Qwen 7B, tuned"'],
    run: async (ctx, uid) => {
      const body: SaveAsTemplateRequest = { name: ctx.str('name') ?? '', ...templateIdAndDescription(ctx) };
      const category = ctx.choice('category', TemplateCategory.options);
      if (category !== undefined) body.category = category;
      const t = await ctx.client().models.saveAsTemplate(checkModelUid(uid), body);
      ctx.print(t, () => `Template ${t.template_id} saved from model ${uid}.\n`);
    },
  });

  removal(templates, {
    name: 'delete',
    alias: 'rm',
    args: [TEMPLATE_ARG],
    description: 'delete a user template (asks first unless --yes)',
    examples: ['nebula template delete tiny-sim --yes'],
    verb: 'delete',
    noun: 'template',
    remove: (ctx, id) => ctx.client().templates.delete(id),
  });
}
