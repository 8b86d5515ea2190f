/**
 * `nebula model autoscale <uid>`: the model's autoscaling policy (issue 19). With no policy flag it shows
 * the policy and the autoscaler's last decision; `--off` turns it off.
 */
import type { Command } from 'commander';
import type { AutoscalingPolicyInput, AutoscalingView } from '../../client/index.js';
import { AutoscalingPolicy } from '../../core/domain/index.js';
import { MODEL_ARG } from '../args.js';
import { leaf } from '../define.js';
import { UsageError } from '../errors.js';
import { renderFields } from '../output/index.js';

/** The policy lines `model get` and `model autoscale` print (empty when autoscaling is off). */
export function autoscalingFields(v: AutoscalingView): [string, string | undefined][] {
  const p = v.policy;
  if (!p) return [['Autoscaling', 'off']];
  const zero = p.scale_to_zero_after ? `, idle after ${p.scale_to_zero_after}` : '';
  const d = v.status?.last_decision;
  const w = v.status?.last_wake;
  return [
    [
      'Autoscaling',
      `${p.min_replicas}-${p.max_replicas} replicas, target ${p.target.metric} ${p.target.value}/replica, up ${p.scale_up_window} down ${p.scale_down_window}${zero}${p.dry_run ? ' (dry run)' : ''}`,
    ],
    ['Last decision', d ? `${d.at}: ${d.current} -> ${d.desired} (${d.reason}) ${d.message}` : 'none yet'],
    [
      'Last wake',
      w?.latency_ms !== undefined ? `${(w.latency_ms / 1000).toFixed(1)} s at ${w.requested_at}` : undefined,
    ],
  ];
}

/** Registers `nebula model autoscale`. */
export function registerAutoscaleCommand(model: Command): void {
  leaf(model, {
    name: 'autoscale',
    args: [MODEL_ARG],
    description: 'set, show or turn off load-based autoscaling (replicas between --min and --max)',
    options: [
      ['--min <n>', 'fewest replicas (0 allows scale to zero with --scale-to-zero-after)'],
      ['--max <n>', 'most replicas'],
      ['--target-inflight <n>', 'aim for this many requests in flight per replica (default 8)'],
      ['--target-queue <n>', 'aim for this many waiting requests per replica'],
      ['--target-kv <fraction>', 'aim for this KV-cache usage per replica (0-1, e.g. 0.7)'],
      ['--scale-up-window <duration>', 'scale up only when the load asked for it this long (default 0s)'],
      ['--scale-down-window <duration>', 'scale down only when the load allowed it this long (default 5m)'],
      ['--scale-to-zero-after <duration>', 'with --min 0: go idle after this long without a request'],
      ['--dry-run', 'decide and record, but never change the replica count'],
      ['--off', 'turn autoscaling off (the count stays; an idle model gets 1)'],
    ],
    examples: [
      'nebula model autoscale qwen7b --min 0 --max 4 --target-inflight 8 --scale-down-window 30s --scale-to-zero-after 10m',
      'nebula model autoscale qwen7b --min 1 --max 8 --target-kv 0.7',
      'nebula model autoscale qwen7b',
      'nebula model autoscale qwen7b --off',
    ],
    run: async (ctx, uid) => {
      const client = ctx.client();
      const targets = (['targetInflight', 'targetQueue', 'targetKv'] as const).filter(
        (t) => ctx.str(t) !== undefined,
      );
      const setting = ctx.str('min') !== undefined || ctx.str('max') !== undefined || targets.length > 0;
      if (ctx.bool('off')) {
        if (setting) throw new UsageError('--off takes no policy flags');
        await client.models.clearAutoscaling(uid);
        ctx.note(`Autoscaling of ${uid} turned off.`);
        return;
      }
      if (!setting) {
        const v = await client.models.autoscaling(uid);
        ctx.print(v, () => renderFields(autoscalingFields(v)));
        return;
      }
      if (targets.length > 1)
        throw new UsageError('give one of --target-inflight, --target-queue, --target-kv');
      const current = (await client.models.autoscaling(uid)).policy;
      const min = ctx.optInt('min', 0, 1000) ?? current?.min_replicas;
      const max = ctx.optInt('max', 1, 1000) ?? current?.max_replicas;
      if (min === undefined || max === undefined)
        throw new UsageError('a first policy needs --min and --max');
      const t = targets[0];
      const value = t === undefined ? undefined : Number(ctx.str(t));
      if (value !== undefined && !(Number.isFinite(value) && value > 0))
        throw new UsageError(
          `--${t === 'targetKv' ? 'target-kv' : t === 'targetQueue' ? 'target-queue' : 'target-inflight'} must be a positive number`,
        );
      const metric = t === 'targetKv' ? 'kv_cache' : t === 'targetQueue' ? 'queue' : 'inflight';
      const input: AutoscalingPolicyInput = {
        ...(current ?? {}),
        min_replicas: min,
        max_replicas: max,
        ...(value !== undefined ? { target: { metric, value } } : {}),
        ...(ctx.str('scaleUpWindow') ? { scale_up_window: ctx.str('scaleUpWindow') } : {}),
        ...(ctx.str('scaleDownWindow') ? { scale_down_window: ctx.str('scaleDownWindow') } : {}),
        ...(ctx.str('scaleToZeroAfter') ? { scale_to_zero_after: ctx.str('scaleToZeroAfter') } : {}),
        ...(ctx.bool('dryRun') ? { dry_run: true } : {}),
      };
      if (min > 0 && ctx.str('scaleToZeroAfter') === undefined) delete input.scale_to_zero_after;
      // The server validates too; checking here gives the flag's words to a mistake before any call.
      const check = AutoscalingPolicy.safeParse(input);
      if (!check.success) {
        const i = check.error.issues[0];
        throw new UsageError(`${i?.path.join('.') ?? 'policy'}: ${i?.message ?? 'invalid'}`);
      }
      const m = await client.models.setAutoscaling(uid, check.data);
      ctx.print(
        m,
        () => `Autoscaling of ${uid}: ${min}-${max} replicas (now ${m.deployment?.replicas ?? 0}).\n`,
      );
    },
  });
}
