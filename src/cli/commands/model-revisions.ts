/**
 * `nebula model history | rollback | rollout pause|resume | update` (issue 17): the spec's revisions, their
 * diffs, rolling back, pausing a rollout, and changing a running model with `--wait` following the rollout.
 */
import { Option, type Command } from 'commander';
import type {
  ModelDetailView,
  ModelRevision,
  ModelRevisionDiff,
  NebulaClient,
  RolloutInput,
  UpdateModelRequest,
} from '../../client/index.js';
import { durationMs } from '../../core/duration.js';
import { rolloutLine } from '../../core/rollout-line.js';
import { MODEL_ARG, collect, parseLabelPairs } from '../args.js';
import { group, leaf } from '../define.js';
import { FailureError, UsageError } from '../errors.js';
import { formatAge } from '../output/human.js';
import { renderTable } from '../output/table.js';
import type { CommandContext } from '../runtime.js';
import { replicasFlag, specFields, withSpecFlags, type SpecFlagName } from '../spec-flags.js';
import { pollUntil, type PollOptions } from '../wait.js';
import { finishWaiting } from './lifecycle.js';

/** Spec flags `model update` takes: those without a default (a default would overwrite the stored value). */
const UPDATE_SPEC_FLAGS = [
  'path',
  'gpus',
  'gpuMemory',
  'revision',
  'arg',
  'env',
] as const satisfies readonly SpecFlagName[];

/** Declares the rollout policy flags (`model create`, `model update`). */
export function withRolloutFlags(cmd: Command): Command {
  return cmd
    .addOption(
      new Option('--strategy <strategy>', 'how a spec change reaches the replicas').choices([
        'rolling',
        'recreate',
      ]),
    )
    .option(
      '--max-surge <n>',
      'rolling: extra new-revision replicas at once (default: all when room, else 1)',
    )
    .option(
      '--max-unavailable <n>',
      'rolling: replicas that may be down at once (default: 0 when room, else 1)',
    )
    .option(
      '--progress-deadline <duration>',
      'roll back automatically when not ready after this long (e.g. 10m)',
    )
    .option('--drain-grace <duration>', 'how long a retiring replica may finish its requests (e.g. 30s)');
}

function seconds(
  ctx: CommandContext,
  name: string,
  flag: string,
  min: number,
  max: number,
): number | undefined {
  const raw = ctx.str(name);
  if (raw === undefined) return undefined;
  const ms = durationMs(raw);
  if (ms === undefined) throw new UsageError(`${flag} must be a duration like 30s, 10m or 1h (got "${raw}")`);
  const s = Math.round(ms / 1000);
  if (s < min || s > max) throw new UsageError(`${flag} must be between ${min}s and ${max}s (got "${raw}")`);
  return s;
}

/** The rollout fields the flags give (undefined when none). */
export function rolloutFields(ctx: CommandContext): RolloutInput | undefined {
  const r: RolloutInput = {};
  const strategy = ctx.choice('strategy', ['rolling', 'recreate'] as const);
  if (strategy) r.strategy = strategy;
  const surge = ctx.optInt('maxSurge', 0, 1000);
  if (surge !== undefined) r.max_surge = surge;
  const unavailable = ctx.optInt('maxUnavailable', 0, 1000);
  if (unavailable !== undefined) r.max_unavailable = unavailable;
  if (surge === 0 && unavailable === 0)
    throw new UsageError('--max-surge and --max-unavailable cannot both be 0 (the rollout could never move)');
  const deadline = seconds(ctx, 'progressDeadline', '--progress-deadline', 10, 86_400);
  if (deadline !== undefined) r.progress_deadline_seconds = deadline;
  const grace = seconds(ctx, 'drainGrace', '--drain-grace', 0, 3_600);
  if (grace !== undefined) r.drain_grace_seconds = grace;
  return Object.keys(r).length > 0 ? r : undefined;
}

/** `updating 1/2 on r3` for a model's rollout (pure; the wording is src/core's); undefined when it has none. */
export function describeRollout(m: Pick<ModelDetailView, 'rollout'>): string | undefined {
  return m.rollout ? rolloutLine(m.rollout) : undefined;
}

export interface RolloutWaitOptions extends PollOptions {
  client: NebulaClient;
  uid: string;
  /** The revision to wait for. */
  revision: number;
}

/**
 * Follows a rollout until every ready replica runs `revision` and the scheduler calls it complete (a
 * stopped model: nothing to roll out). Throws ROLLOUT_FAILED when it is rolled back or fails, or when
 * another revision replaced it, and WAIT_TIMEOUT.
 */
export async function waitForRollout(o: RolloutWaitOptions): Promise<ModelDetailView> {
  return pollUntil<ModelDetailView>(o, 1000, async () => {
    const m = await o.client.models.get(o.uid);
    const r = m.rollout ?? null;
    const current = m.revision ?? null;
    const ready = m.ready_replicas;
    const onRev = m.replicas_current ?? 0;
    if (current !== null && current !== o.revision) {
      o.progress.done();
      const why = r && r.to_revision === o.revision && r.reason ? `: ${r.reason}` : '';
      throw new FailureError(
        `model ${o.uid}: revision ${o.revision} was replaced by revision ${current}${why}`,
        'ROLLOUT_FAILED',
      );
    }
    if (r && r.to_revision === o.revision && (r.phase === 'rolled_back' || r.phase === 'failed')) {
      o.progress.done(`${o.uid}: ${describeRollout(m) ?? r.phase}`);
      throw new FailureError(
        `model ${o.uid}: rollout to revision ${o.revision} ${r.phase === 'failed' ? 'failed' : 'was rolled back'}: ${r.reason ?? 'no reason given'}`,
        'ROLLOUT_FAILED',
      );
    }
    const stopped = m.desired_state === 'stopped';
    const complete = r !== null && r.to_revision === o.revision && r.phase === 'complete';
    // A scheduler that reports no rollout (recreate, or one from before rollouts): every ready replica
    // saying it runs the revision is the end of it.
    const allOn =
      ready > 0 && m.endpoints.filter((e) => e.status === 'ready').every((e) => e.revision === o.revision);
    const noStatus = r === null || r.to_revision !== o.revision;
    const settled = ready >= m.desired_replicas && onRev === ready && (complete || (noStatus && allOn));
    if (stopped || settled) {
      o.progress.done(
        stopped
          ? `${o.uid}: revision ${o.revision} (stopped; replicas start on it)`
          : `${o.uid}: revision ${o.revision} rolled out, replicas ready ${ready}/${m.desired_replicas}`,
      );
      return { done: m };
    }
    const line =
      r && r.to_revision === o.revision
        ? (describeRollout(m) ?? '')
        : `waiting for the rollout to r${o.revision} (replicas on it ${onRev}/${m.desired_replicas})`;
    o.progress.update(`${o.uid}: ${line}`);
    return { waiting: `waiting for ${o.uid} to roll out revision ${o.revision} (${line})` };
  });
}

/** Revisions as a table (pure). */
export function revisionsTable(
  items: readonly ModelRevision[],
  current: number | null,
  nowMs: number,
): string {
  return renderTable(
    [
      { header: 'REVISION', value: (r) => `${r.revision}${r.revision === current ? ' *' : ''}` },
      { header: 'AGE', value: (r) => formatAge(r.created_at, nowMs) },
      { header: 'BY', value: (r) => r.created_by, maxWidth: 32 },
      {
        header: 'CAUSE',
        value: (r) => (r.rollback_of !== undefined ? `${r.cause} to ${r.rollback_of}` : r.cause),
      },
      { header: 'CHANGED', value: (r) => r.changed.join(', '), maxWidth: 60 },
      { header: 'MESSAGE', value: (r) => r.message, maxWidth: 48 },
    ],
    items,
  );
}

function value(v: unknown): string {
  return v === null || v === undefined ? '-' : typeof v === 'string' ? v : JSON.stringify(v);
}

/** A diff as `path: before -> after` lines (pure). */
export function diffText(d: ModelRevisionDiff): string {
  const head = `revision ${d.revision}${d.against === null ? '' : ` against ${d.against}`}:\n`;
  if (d.changes.length === 0) return `${head}  (no differences)\n`;
  return head + d.changes.map((c) => `  ${c.path}: ${value(c.before)} -> ${value(c.after)}\n`).join('');
}

function revisionArg(v: string, flag: string): number {
  if (!/^[1-9][0-9]{0,7}$/.test(v)) throw new UsageError(`${flag} must be a revision number (got "${v}")`);
  return Number(v);
}

/** Waits for the rollout of `revision` when `--wait` was given, then prints the outcome (`finishWaiting`). */
async function finishRollout(
  ctx: CommandContext,
  uid: string,
  revision: number | null | undefined,
  done: string,
  result: unknown,
): Promise<void> {
  await finishWaiting(
    ctx,
    done,
    result,
    revision === null || revision === undefined
      ? undefined
      : (timeoutMs) =>
          waitForRollout({ client: ctx.client(), uid, revision, timeoutMs, progress: ctx.progress() }),
  );
}

/** Registers the revision and rollout commands under `nebula model`. */
export function registerModelRevisionCommands(model: Command): void {
  leaf(model, {
    name: 'history',
    args: [MODEL_ARG],
    description: "the spec's revisions (who, when, why, what changed); --revision shows one, --diff compares",
    options: [
      ['--revision <n>', 'show this revision (its spec)'],
      ['--diff [against]', 'with --revision: the changes against another revision (default: the one before)'],
    ],
    examples: [
      'nebula model history qwen7b',
      'nebula model history qwen7b --revision 3',
      'nebula model history qwen7b --revision 3 --diff',
      'nebula model history qwen7b --revision 5 --diff 2 -o json',
    ],
    run: async (ctx, uid) => {
      const rawRev = ctx.str('revision');
      const diff = ctx.flags['diff'];
      if (rawRev === undefined) {
        if (diff !== undefined) throw new UsageError('--diff needs --revision N');
        const list = await ctx.client().models.revisions(uid, { limit: 1000 });
        if (ctx.format !== 'table') ctx.print(list.items, () => '');
        else
          ctx.printList(
            list.items,
            (items) => revisionsTable(items, list.current, ctx.now()),
            'No revisions.',
          );
        return;
      }
      const n = revisionArg(rawRev, '--revision');
      if (diff !== undefined) {
        const against = typeof diff === 'string' ? revisionArg(diff, '--diff') : undefined;
        const d = await ctx.client().models.diff(uid, n, against);
        ctx.print(d, () => diffText(d));
        return;
      }
      const r = await ctx.client().models.revision(uid, n);
      ctx.print(r, () => {
        const head = revisionsTable([r], null, ctx.now());
        return `${head}\n${JSON.stringify(r.spec, null, 2)}\n`;
      });
    },
  });

  leaf(model, {
    name: 'rollback',
    args: [MODEL_ARG],
    description: 'restore an earlier revision of the spec (a new revision); the rollout moves the replicas',
    options: [
      ['--to <n>', 'the revision to restore (default: the one before the current)'],
      ['-m, --message <text>', 'why (kept with the revision)'],
    ],
    wait: true,
    examples: [
      'nebula model rollback qwen7b',
      'nebula model rollback qwen7b --to 2 --wait',
      'nebula model rollback qwen7b --to 2 -m "r3 answers slower"',
    ],
    run: async (ctx, uid) => {
      const to = ctx.str('to');
      const message = ctx.str('message');
      const r = await ctx.client().models.rollback(uid, {
        ...(to !== undefined ? { to: revisionArg(to, '--to') } : {}),
        ...(message !== undefined ? { message } : {}),
      });
      await finishRollout(
        ctx,
        uid,
        r.revision,
        `Model ${uid} rolled back to revision ${r.rollback_of} (now revision ${r.revision}: ${r.changed.join(', ')}).`,
        r,
      );
    },
  });

  const rollout = group(model, 'rollout', 'pause or resume a rollout', [
    'nebula model rollout pause qwen7b',
    'nebula model rollout resume qwen7b',
  ]);
  for (const verb of ['pause', 'resume'] as const) {
    leaf(rollout, {
      name: verb,
      args: [MODEL_ARG],
      description:
        verb === 'pause'
          ? 'pause the rollout: replicas stay as they are (old and new revision) until resumed'
          : 'resume a paused rollout',
      examples: [`nebula model rollout ${verb} qwen7b`],
      run: async (ctx, uid) => {
        const c = ctx.client().models;
        const r = verb === 'pause' ? await c.pauseRollout(uid) : await c.resumeRollout(uid);
        const at = r.rollout ? ` (${describeRollout({ rollout: r.rollout }) ?? ''})` : '';
        ctx.print(r, () => `Rollout of ${uid} ${r.paused ? 'paused' : 'resumed'}${at}.\n`);
      },
    });
  }

  leaf(model, {
    name: 'update',
    args: [MODEL_ARG],
    description: 'change a model (only the flags given); a spec change makes a revision and rolls out',
    options: [
      ['--replicas <n>', 'replicas wanted'],
      (cmd) =>
        withSpecFlags(cmd, UPDATE_SPEC_FLAGS, {
          arg: 'extra engine argument (repeatable; replaces the stored list)',
          env: 'engine environment variable (repeatable; replaces the stored ones)',
        }),
      ['--served-name <name>', 'name clients use in "model"'],
      ['--label <key=value>', 'label (repeatable; replaces the stored ones)', collect],
      ['--description <text>', 'free text'],
      withRolloutFlags,
    ],
    wait: true,
    examples: [
      'nebula model update qwen7b --arg --max-model-len=8192 --wait',
      'nebula model update qwen7b --max-surge 1 --max-unavailable 0 --progress-deadline 15m',
      'nebula model update qwen7b --strategy recreate',
    ],
    run: async (ctx, uid) => {
      const body: UpdateModelRequest = { ...specFields(ctx, UPDATE_SPEC_FLAGS) };
      const replicas = replicasFlag(ctx);
      if (replicas !== undefined) body.replicas = replicas;
      Object.assign(body, ctx.strs({ served_model_name: 'servedName', description: 'description' }));
      const labels = ctx.list('label');
      if (labels.length > 0) body.labels = parseLabelPairs(labels);
      const rollout = rolloutFields(ctx);
      if (rollout) body.rollout = rollout;
      if (Object.keys(body).length === 0) throw new UsageError('nothing to change: give at least one flag');
      const before = ctx.bool('wait') ? await ctx.client().models.get(uid) : undefined;
      const m = await ctx.client().models.update(uid, body);
      const rev = m.revision ?? null;
      const newRev = before !== undefined && rev !== null && rev !== (before.revision ?? null);
      const line = newRev
        ? `Model ${uid} updated: revision ${rev}.`
        : `Model ${uid} updated${rev !== null ? ` (revision ${rev}, unchanged)` : ''}.`;
      await finishRollout(ctx, uid, rev, line, m);
    },
  });
}
