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
import { examples, withConnection, withOutput } from '../define.js';
import { UsageError } from '../errors.js';
import { formatAge } from '../output/human.js';
import { renderFields, renderTable } from '../output/table.js';
import { confirm } from '../prompt.js';
import { action } from '../runtime.js';
import { replicasFlag, specFields, withSpecFlags } from '../spec-flags.js';
import { finishLifecycle, withWait } from './lifecycle.js';

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

export function registerTemplateCommands(program: Command): void {
  const group = program.command('template').description('model templates: presets to deploy models from');
  examples(group, ['nebula template list', 'nebula template deploy qwen2-5-0-5b-instruct --uid qwen --wait']);

  const list = group.command('list').alias('ls').description('list templates (system and user)');
  withConnection(withOutput(list));
  examples(list, ['nebula template list', 'nebula template list -o yaml']);
  list.action(
    action(async (ctx) => {
      const { items } = await ctx.client().templates.list();
      ctx.printList(items, templatesTable, 'No templates found.');
    }),
  );

  const get = group.command('get').argument('<template_id>', 'the template').description('show a template');
  withConnection(withOutput(get));
  examples(get, ['nebula template get qwen2-5-0-5b-instruct -o yaml']);
  get.action(
    action(async (ctx, id) => {
      const t = await ctx.client().templates.get(checkTemplateId(id));
      ctx.print(t, () => templateDetail(t, ctx.now()));
    }),
  );

  const create = group
    .command('create')
    .description('create a user template')
    .requiredOption('--name <text>', 'display name')
    .requiredOption('--model-name <model>', 'model name on the hub (org/name)')
    .option('--id <template_id>', 'template id (default: derived from the name)')
    .addOption(
      new Option('--category <category>', 'what kind of model')
        .choices(TemplateCategory.options)
        .default('chat'),
    )
    .option('--replicas <n>', 'default replicas when deployed', '1');
  withSpecFlags(create, TEMPLATE_SPEC_FLAGS).option('--description <text>', 'free text');
  withConnection(withOutput(create));
  examples(create, [
    'nebula template create --name "Qwen 2.5 7B chat" --model-name Qwen/Qwen2.5-7B-Instruct --engine vllm --gpus 1',
    'nebula template create --name "Tiny sim" --model-name demo/tiny --engine sim --replicas 2 --id tiny-sim',
  ]);
  create.action(
    action(async (ctx) => {
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
      const id = ctx.str('id');
      if (id !== undefined) body.template_id = checkTemplateId(id);
      const description = ctx.str('description');
      if (description !== undefined) body.description = description;
      const t = await ctx.client().templates.create(body);
      ctx.print(t, () => `Template ${t.template_id} created.\n`);
    }),
  );

  const deploy = group
    .command('deploy')
    .argument('<template_id>', 'the template')
    .description('create a model from a template (and start it, unless --no-start)')
    .option('--uid <uid>', 'model uid (default: derived from the model name)')
    .option('--replicas <n>', "replicas (default: the template's)")
    .option('--no-start', 'create it stopped');
  withConnection(withOutput(withWait(deploy)));
  examples(deploy, [
    'nebula template deploy qwen2-5-0-5b-instruct',
    'nebula template deploy tiny-sim --uid tiny --replicas 3 --wait --timeout 5m',
  ]);
  deploy.action(
    action(async (ctx, id) => {
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
    }),
  );

  const save = group
    .command('save')
    .argument('<model_uid>', 'the model to save')
    .description("save a model's spec and deployment as a new template")
    .requiredOption('--name <text>', 'display name of the template')
    .option('--id <template_id>', 'template id (default: derived from the name)')
    .addOption(new Option('--category <category>', 'what kind of model').choices(TemplateCategory.options))
    .option('--description <text>', 'free text');
  withConnection(withOutput(save));
  examples(save, ['nebula template save qwen2-5-7b --name "Qwen 7B, tuned"']);
  save.action(
    action(async (ctx, uid) => {
      const body: SaveAsTemplateRequest = { name: ctx.str('name') ?? '' };
      const id = ctx.str('id');
      if (id !== undefined) body.template_id = checkTemplateId(id);
      const category = ctx.choice('category', TemplateCategory.options);
      if (category !== undefined) body.category = category;
      const description = ctx.str('description');
      if (description !== undefined) body.description = description;
      const t = await ctx.client().models.saveAsTemplate(checkModelUid(uid), body);
      ctx.print(t, () => `Template ${t.template_id} saved from model ${uid}.\n`);
    }),
  );

  const del = group
    .command('delete')
    .alias('rm')
    .argument('<template_id>', 'the template')
    .description('delete a user template (asks first unless --yes)')
    .option('-y, --yes', 'do not ask for confirmation');
  withConnection(del);
  examples(del, ['nebula template delete tiny-sim --yes']);
  del.action(
    action(async (ctx, id) => {
      checkTemplateId(id);
      if (!ctx.bool('yes') && !(await confirm(ctx.io, `Delete template ${id}?`, `delete template ${id}`))) {
        ctx.err('Nothing deleted.\n');
        return;
      }
      await ctx.client().templates.delete(id);
      ctx.out(`Template ${id} deleted.\n`);
    }),
  );
}
