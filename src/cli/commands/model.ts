/**
 * `nebula model ...`: the v2 model lifecycle (list, get, create, start, stop, scale-model, delete) and the
 * kept v1 commands (load, unload) of seed 002's Phase 6.
 */
import { Option, type Command } from 'commander';
import type { CreateModelRequest } from '../../client/index.js';
import { AggregatedState, EngineType } from '../../core/domain/index.js';
import { MODEL_ARG, checkModelUid, collect, parseLabelPairs } from '../args.js';
import { group, leaf, required, yesOption } from '../define.js';
import { ggufFields, withGgufFlags } from '../gguf-flags.js';
import { UsageError } from '../errors.js';
import { renderFields } from '../output/index.js';
import { replicasFlag, specFields, withSpecFlags } from '../spec-flags.js';
import type { WaitTarget } from '../wait.js';
import { finishLifecycle } from './lifecycle.js';
import { autoscalingFields, registerAutoscaleCommand } from './autoscale.js';
import { registerLegacyModelCommands } from './legacy.js';
import { registerModelRevisionCommands, rolloutFields, withRolloutFlags } from './model-revisions.js';
import { registerModelAdapterCommands } from './model-adapter.js';
import { modelDetail, modelsTable } from './model-views.js';
import { registerModelPullCommand } from './model-pull.js';

const ENGINES = EngineType.options;

/** `--state` words: the aggregated states, as the domain lists them. */
const STATES = AggregatedState.options;

/** The spec flags `model create` takes (declared in spec-flags.ts). */
const MODEL_SPEC_FLAGS = ['source', 'path', 'engine', 'gpus', 'gpuMemory', 'revision', 'arg', 'env'] as const;

export function registerModelCommands(program: Command): void {
  const model = group(program, 'model', 'manage models: spec + deployment, lifecycle and state', [
    'nebula model list',
    'nebula model create --name Qwen/Qwen2.5-0.5B-Instruct --start --wait',
    'nebula model get qwen2-5-0-5b-instruct',
  ]);

  leaf(model, {
    name: 'list',
    description: 'list models with their aggregated state',
    options: [
      new Option('--state <state>', 'only models in this state').choices(STATES),
      new Option('--engine <engine>', 'only models on this engine').choices(ENGINES),
      ['-q, --query <text>', 'only models whose uid or name contains this'],
      ['-l, --label <key=value>', 'only models with this label'],
    ],
    examples: ['nebula model list', 'nebula model list --state failed', 'nebula model list -o json'],
    run: async (ctx) => {
      const state = ctx.choice('state', STATES);
      const page = await ctx.client().models.list({
        ...(state ? { state } : {}),
        ...(ctx.str('engine') ? { engine_type: ctx.str('engine') } : {}),
        ...(ctx.str('query') ? { q: ctx.str('query') } : {}),
        ...(ctx.str('label') ? { label: ctx.str('label') } : {}),
        limit: 5000,
      });
      ctx.printList(page.items, (items) => modelsTable(items, ctx.style, ctx.now()), 'No models found.');
    },
  });

  leaf(model, {
    name: 'get',
    args: [MODEL_ARG],
    description: 'show a model: spec, deployment, replicas, download, traffic, events',
    examples: ['nebula model get qwen2-5-7b', 'nebula model get qwen2-5-7b -o yaml'],
    run: async (ctx, uid) => {
      const m = await ctx.client().models.get(uid);
      // An autoscaled model: its policy and the autoscaler's last decision too.
      const scaling = m.deployment?.autoscaling
        ? await ctx.client().models.autoscaling(m.model_uid)
        : undefined;
      ctx.print(
        scaling ? { ...m, autoscaling: scaling } : m,
        () =>
          modelDetail(m, ctx.style, ctx.now()) + (scaling ? renderFields(autoscalingFields(scaling)) : ''),
      );
    },
  });

  registerAutoscaleCommand(model);

  leaf(model, {
    name: 'create',
    description: 'create a model (spec + deployment); --start runs it',
    options: [
      required('--name <model>', 'model name on the hub (org/name), or a name for --source local'),
      ['--uid <uid>', 'model uid (default: derived from the name)'],
      ['--replicas <n>', 'replicas to run', '1'],
      (cmd) => withSpecFlags(cmd, MODEL_SPEC_FLAGS),
      ['--served-name <name>', 'name clients use in "model" (default: the uid)'],
      ['--label <key=value>', 'label (repeatable)', collect],
      ['--description <text>', 'free text'],
      ['--start', 'start it right away'],
      ['--pull', 'download only: put the weights onto the nodes that would run it, without starting'],
      withGgufFlags,
      withRolloutFlags,
    ],
    wait: true,
    examples: [
      'nebula model create --name Qwen/Qwen2.5-0.5B-Instruct --start --wait',
      'nebula model create --name Qwen/Qwen2.5-7B-Instruct --uid qwen7b --gpus 2 --arg --max-num-seqs=64 --env HF_HUB_OFFLINE=1',
      'nebula model create --name my-llama --source local --path /models/llama --engine llamacpp --gpus 0',
      'nebula model create --name Qwen/Qwen2.5-0.5B-Instruct-GGUF --engine llamacpp --quant Q4_K_M --gpus 0 --start',
      'nebula model create --name tiny --source local --path /models/tiny-Q8_0.gguf --engine llamacpp --gpus 0',
      'nebula model create --name demo/tiny --engine sim --replicas 2 --start --wait --timeout 2m',
    ],
    run: async (ctx) => {
      const uid = ctx.str('uid');
      if (uid !== undefined) checkModelUid(uid);
      const {
        model_source = 'huggingface',
        engine_type = 'vllm',
        ...spec
      } = specFields(ctx, MODEL_SPEC_FLAGS);
      const gguf = ggufFields(ctx, engine_type);
      if (model_source === 'local' && !spec.model_path && gguf.engine !== 'sim')
        throw new UsageError('--source local needs --path DIR');
      if (ctx.bool('pull') && ctx.bool('start'))
        throw new UsageError('--pull downloads without starting; a start downloads by itself (drop one)');
      if (ctx.bool('wait') && !ctx.bool('start'))
        throw new UsageError('--wait needs --start (there is nothing to wait for otherwise)');
      const labels = parseLabelPairs(ctx.list('label'));
      const body: CreateModelRequest = {
        model_name: ctx.str('name') ?? '',
        model_source,
        engine_type: gguf.engine,
        ...spec,
        ...gguf.fields,
        replicas: replicasFlag(ctx) ?? 1,
        auto_start: ctx.bool('start'),
      };
      if (ctx.bool('pull')) body.pull = true;
      if (uid !== undefined) body.model_uid = uid;
      Object.assign(body, ctx.strs({ served_model_name: 'servedName', description: 'description' }));
      if (Object.keys(labels).length > 0) body.labels = labels;
      const rollout = rolloutFields(ctx);
      if (rollout) body.rollout = rollout;
      const created = await ctx.client().models.create(body);
      const started = ctx.bool('start')
        ? ' and started'
        : ctx.bool('pull')
          ? `; downloading its files (nebula model pull ${created.model_uid} --wait follows them)`
          : '';
      await finishLifecycle(
        ctx,
        created.model_uid,
        'running',
        `Model ${created.model_uid} created${started}.`,
        created,
      );
    },
  });

  leaf(model, {
    name: 'start',
    args: [MODEL_ARG],
    description: 'start a model (desired state running)',
    options: [['--replicas <n>', "replicas to run (default: the deployment's)"]],
    wait: true,
    examples: ['nebula model start qwen2-5-7b', 'nebula model start qwen2-5-7b --replicas 2 --wait'],
    run: async (ctx, uid) => {
      const replicas = replicasFlag(ctx);
      if (replicas === 0)
        throw new UsageError('--replicas must be at least 1 to start (use: nebula model stop)');
      const m = await ctx.client().models.start(uid, replicas === undefined ? {} : { replicas });
      await finishLifecycle(
        ctx,
        uid,
        'running',
        `Model ${uid} starting (${m.desired_replicas} replica(s)).`,
        m,
      );
    },
  });

  leaf(model, {
    name: 'stop',
    args: [MODEL_ARG],
    description: 'stop a model; its spec and deployment are kept',
    wait: true,
    examples: ['nebula model stop qwen2-5-7b', 'nebula model stop qwen2-5-7b --wait'],
    run: async (ctx, uid) => {
      const m = await ctx.client().models.stop(uid);
      await finishLifecycle(ctx, uid, 'stopped', `Model ${uid} stopping.`, m);
    },
  });

  leaf(model, {
    name: 'scale-model',
    alias: 'scale',
    args: [MODEL_ARG],
    description: 'change the number of replicas',
    options: [['--replicas <n>', 'replicas wanted (0-1000)']],
    wait: true,
    examples: [
      'nebula model scale-model qwen2-5-7b --replicas 3',
      'nebula model scale-model qwen2-5-7b --replicas 1 --wait',
    ],
    run: async (ctx, uid) => {
      const replicas = ctx.int('replicas', 0, 1000);
      const m = await ctx.client().models.scale(uid, replicas);
      const target: WaitTarget = replicas === 0 || m.desired_state === 'stopped' ? 'stopped' : 'running';
      await finishLifecycle(ctx, uid, target, `Model ${uid} scaled to ${replicas} replica(s).`, m);
    },
  });

  leaf(model, {
    name: 'delete',
    alias: 'rm',
    args: [['<model_uid...>', 'models to delete']],
    description: 'delete models: spec, deployment and replicas (asks first unless --yes)',
    options: [yesOption(), ['--purge', 'also remove the cached model files from the nodes']],
    examples: ['nebula model delete qwen2-5-7b', 'nebula model delete old-a old-b --yes --purge'],
    run: async (ctx, uidsJoined) => {
      const uids = (uidsJoined ?? '').split(' ').filter(Boolean).map(checkModelUid);
      const what = uids.length === 1 ? `model ${uids[0]}` : `${uids.length} models (${uids.join(', ')})`;
      if (!(await ctx.confirmed(`Delete ${what}?`, `delete ${uids.join(', ')}`))) return;
      const results = [];
      for (const uid of uids) {
        results.push(await ctx.client().models.delete(uid, ctx.bool('purge') ? { purge: true } : {}));
        if (ctx.format === 'table') ctx.out(`Model ${uid} deleted.\n`);
      }
      if (ctx.format !== 'table') ctx.print(uids.length === 1 ? results[0] : results, () => '');
    },
  });

  registerLegacyModelCommands(model);
  registerModelRevisionCommands(model);
  registerModelPullCommand(model);
  registerModelAdapterCommands(model);
}
