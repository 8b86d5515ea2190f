/**
 * The v1 commands seed 002 keeps working: `model load`, `model unload <request_id>` (request-driven, through
 * /model_requests), `scale --id --replicas` and `drain --model-uid --replica-id` (migrates one replica;
 * `--force` is the old force-stop).
 */
import type { Command } from 'commander';
import type { LoadModelRequest } from '../../client/index.js';
import { SLUG_PATTERN } from '../../core/ids.js';
import { checkModelUid } from '../args.js';
import { leaf, required } from '../define.js';
import { CliError, UsageError } from '../errors.js';
import { renderFields } from '../output/table.js';
import { replicasFlag, specFields, withSpecFlags } from '../spec-flags.js';
import { finishLifecycle } from './lifecycle.js';

/** The spec flags `model load` takes (declared in spec-flags.ts). */
const LOAD_SPEC_FLAGS = ['source', 'path', 'engine', 'gpus', 'gpuMemory'] as const;

function checkRequestId(id: string): string {
  if (!SLUG_PATTERN.test(id)) throw new UsageError(`invalid request id "${id}"`, 'INVALID_ID');
  return id;
}

function hasCode(err: unknown, code: string): boolean {
  return err instanceof Error && (err as { code?: unknown }).code === code;
}

export function registerLegacyModelCommands(model: Command): void {
  leaf(model, {
    name: 'load',
    description:
      'v1: load a model through a model request (kept for compatibility; prefer model create --start)',
    options: [
      required('--uid <uid>', 'model uid'),
      required('--name <model>', 'model name on the hub (org/name)'),
      ['--replicas <n>', 'replicas', '1'],
      ['--request-id <id>', 'request id (default: generated)'],
      (cmd) => withSpecFlags(cmd, LOAD_SPEC_FLAGS),
    ],
    examples: [
      'nebula model load --uid qwen --name Qwen/Qwen2.5-0.5B-Instruct',
      'nebula model load --uid tiny --name demo/tiny --engine sim --replicas 2',
    ],
    run: async (ctx) => {
      const body: LoadModelRequest = {
        model_uid: checkModelUid(ctx.str('uid') ?? ''),
        model_name: ctx.str('name') ?? '',
        model_source: 'huggingface',
        engine_type: 'vllm',
        replicas: replicasFlag(ctx, 1) ?? 1,
      };
      const requestId = ctx.str('requestId');
      if (requestId !== undefined) body.request_id = checkRequestId(requestId);
      Object.assign(body, specFields(ctx, LOAD_SPEC_FLAGS));
      const req = await ctx.client().v1.load(body);
      ctx.print(req, () =>
        renderFields([
          ['Request', req.request_id],
          ['Model', req.spec.model_uid],
          ['Replicas', req.replicas],
          ['Status', req.status],
        ]),
      );
    },
  });

  leaf(model, {
    name: 'unload',
    args: [['<request_id>', 'the v1 model request']],
    description: 'v1: unload a model loaded with model load',
    examples: ['nebula model unload req-3f9a1c0b2d4e'],
    run: async (ctx, requestId) => {
      const result = await ctx.client().v1.unload({ request_id: checkRequestId(requestId) });
      ctx.print(result, () => `Request ${requestId} unloading.\n`);
    },
  });
}

export function registerLegacyTopCommands(program: Command): void {
  leaf(program, {
    name: 'scale',
    description: 'change the replicas of a model (by model uid) or of a v1 model request (by request id)',
    options: [
      required('--id <id>', 'model uid or v1 request id'),
      required('--replicas <n>', 'replicas wanted'),
    ],
    wait: true,
    examples: [
      'nebula scale --id qwen2-5-7b --replicas 3',
      'nebula scale --id req-3f9a1c0b2d4e --replicas 2',
    ],
    run: async (ctx) => {
      const id = ctx.str('id') ?? '';
      const replicas = ctx.int('replicas', 0, 1000);
      const client = ctx.client();
      if (checkRequestIdOrUid(id) === 'uid') {
        try {
          const m = await client.models.scale(id, replicas);
          await finishLifecycle(
            ctx,
            id,
            replicas === 0 ? 'stopped' : 'running',
            `Model ${id} scaled to ${replicas} replica(s).`,
            m,
          );
          return;
        } catch (err) {
          if (!hasCode(err, 'MODEL_NOT_FOUND')) throw err;
        }
      }
      // Not a v2 model: a v1 request (by request id or model uid). v1 requests cannot change in place, so the
      // request is replaced: the old one unloaded, a new one loaded with the same spec and the new count.
      const requests = await client.v1.requests();
      const req =
        requests.items.find((r) => r.request_id === id) ??
        requests.items.find((r) => r.spec.model_uid === id && r.status !== 'Unloading');
      if (!req) throw new CliError(`no model or v1 request "${id}"`, 'NOT_FOUND');
      if (replicas < 1)
        throw new UsageError(
          'a v1 request needs at least 1 replica (to remove it: nebula model unload REQUEST_ID)',
        );
      const { model_uid, created_at: _c, updated_at: _u, ...spec } = req.spec;
      await client.v1.unload({ request_id: req.request_id });
      const created = await client.v1.load({ ...spec, model_uid, replicas });
      ctx.print(
        created,
        () => `Request ${req.request_id} replaced by ${created.request_id} with ${replicas} replica(s).\n`,
      );
    },
  });

  leaf(program, {
    name: 'drain',
    description:
      'migrate one replica of a model: the scheduler places a replacement (another node or GPUs with room), ' +
      'waits until it is ready, then retires this one gracefully; the model keeps serving. ' +
      'Without room the replica stays and an event says why. --force stops it now instead',
    options: [
      required('--model-uid <uid>', 'the model'),
      required('--replica-id <n>', 'the replica'),
      [
        '--force',
        'force-stop the replica now on its node (no migration: it stays down, and the model may be degraded or failed, until the plan changes)',
      ],
      ['--cancel', 'cancel a pending drain (the replica stays)'],
    ],
    examples: [
      'nebula drain --model-uid qwen2-5-7b --replica-id 1',
      'nebula model events qwen2-5-7b          # follow the migration',
      'nebula drain --model-uid qwen2-5-7b --replica-id 1 --force   # stop now, no replacement',
      'nebula node drain gpu-3    # a whole node: see nebula node drain --help',
    ],
    run: async (ctx) => {
      const uid = checkModelUid(ctx.str('modelUid') ?? '');
      const replicaId = ctx.int('replicaId', 0, 9999);
      if (ctx.bool('force') && ctx.bool('cancel'))
        throw new UsageError('--force and --cancel exclude each other');
      const client = ctx.client();
      if (ctx.bool('cancel')) {
        const r = await client.models.cancelDrain(uid, replicaId);
        ctx.print(r, () => `Drain of replica ${replicaId} of ${uid} cancelled.\n`);
        return;
      }
      if (!ctx.bool('force')) {
        const r = await client.models.drainReplica(uid, replicaId);
        ctx.print(
          r,
          () =>
            `Drain of replica ${replicaId} of ${uid} requested: a replacement is placed first; this replica ` +
            `retires once it is ready.\nFollow it with: nebula model events ${uid}\n`,
        );
        return;
      }
      const m = await client.models.get(uid);
      const node =
        m.endpoints.find((e) => e.replica_id === replicaId)?.node_id ??
        m.plan?.assignments.find((a) => a.replica_id === replicaId)?.node_id;
      if (!node) throw new CliError(`model ${uid} has no replica ${replicaId}`, 'REPLICA_NOT_FOUND');
      const result = await client.v1.forceStop(node, uid, { replica_id: replicaId });
      ctx.print(
        result,
        () =>
          `Replica ${replicaId} of ${uid} on node ${node} force-stopped (it stays down until the plan changes).\n`,
      );
    },
  });
}

function checkRequestIdOrUid(id: string): 'uid' | 'request' {
  if (/^[a-z](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(id)) return 'uid';
  checkRequestId(id);
  return 'request';
}
