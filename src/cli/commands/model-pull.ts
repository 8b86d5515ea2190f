/**
 * `nebula model pull <uid> [--node N ...] [--wait]`: downloads a model's files onto nodes without starting
 * it (the nodes it would run on, or the named ones), so a later start finds them cached. With `--wait`,
 * one progress line per node until every node is done (exit 1 if one failed).
 */
import type { Command } from 'commander';
import type { ModelPull, NebulaClient } from '../../client/index.js';
import { MODEL_ARG, collect } from '../args.js';
import { leaf } from '../define.js';
import { FailureError } from '../errors.js';
import { formatBytes, formatDuration } from '../output/human.js';
import { progressBar, ProgressReporter } from '../output/progress.js';

/** One node's progress line (pure), and the key that says whether it changed in a way worth printing. */
export function describePull(p: ModelPull): { line: string; key: string } {
  const total = p.bytes_total;
  const bytes = `${formatBytes(p.bytes_done)} / ${total > 0 ? formatBytes(total) : '?'}`;
  switch (p.status) {
    case 'pending':
      return { line: `${p.node_id}: waiting for the node`, key: 'pending' };
    case 'downloading': {
      const parts = [
        `${p.node_id}: downloading`,
        progressBar(total > 0 ? p.bytes_done / total : 0),
        bytes,
        total > 0 ? `${Math.floor((p.bytes_done / total) * 100)}%` : '',
        p.speed_bps ? `${formatBytes(p.speed_bps)}/s` : '',
      ].filter((s) => s !== '');
      return { line: parts.join('  '), key: 'downloading' };
    }
    case 'done':
      return {
        line: `${p.node_id}: done  ${formatBytes(total)}${p.cached ? ' (already cached)' : ''}`,
        key: 'done',
      };
    case 'failed':
      return { line: `${p.node_id}: failed  ${p.error ?? 'no reason given'}`, key: 'failed' };
  }
}

/** Polls the pulls of `nodes` until each is done or failed; prints a line per node as they change. */
async function waitForPulls(
  client: NebulaClient,
  uid: string,
  requested: Map<string, string>,
  report: (node: string) => ProgressReporter,
  timeoutMs: number,
): Promise<ModelPull[]> {
  const deadline = Date.now() + timeoutMs;
  const finished = new Map<string, ModelPull>();
  for (;;) {
    const { items } = await client.models.pulls(uid);
    for (const [node, at] of requested) {
      if (finished.has(node)) continue;
      const p = items.find((x) => x.node_id === node);
      if (!p) {
        // Gone before it finished: the model (and its pulls) was deleted, or the result expired.
        throw new FailureError(`the pull of ${uid} onto ${node} disappeared`, 'PULL_GONE');
      }
      // A newer request replaced ours (someone pulled again): follow that one.
      if (p.requested_at !== at) requested.set(node, p.requested_at);
      const { line, key } = describePull(p);
      if (p.status === 'done' || p.status === 'failed') {
        report(node).done(line);
        finished.set(node, p);
      } else report(node).update(line, key);
    }
    if (finished.size === requested.size) return [...finished.values()];
    if (Date.now() >= deadline) {
      const left = [...requested.keys()].filter((n) => !finished.has(n));
      throw new FailureError(
        `timed out after ${formatDuration(timeoutMs)} waiting for the pull of ${uid} on ${left.join(', ')}`,
        'WAIT_TIMEOUT',
      );
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** Registers `nebula model pull`. */
export function registerModelPullCommand(model: Command): void {
  leaf(model, {
    name: 'pull',
    args: [MODEL_ARG],
    description:
      "download a model's files onto the nodes that would run it (or the named ones) without starting it",
    options: [
      [
        '--node <node_id>',
        'download onto this node (repeatable; default: where the scheduler would place it)',
        collect,
      ],
    ],
    wait: true,
    examples: [
      'nebula model pull qwen2-5-7b',
      'nebula model pull qwen2-5-7b --node gpu-1 --node gpu-2 --wait',
    ],
    run: async (ctx, uid) => {
      const nodes = ctx.list('node');
      const client = ctx.client();
      const res = await client.models.pull(uid, nodes.length > 0 ? { nodes } : {});
      const unplaced = res.unplaced
        ? ` (${res.unplaced.replicas} replica(s) fit no node: ${res.unplaced.reason})`
        : '';
      const line = `Downloading ${uid} onto ${res.nodes.join(', ')}${unplaced}.`;
      if (!ctx.bool('wait')) {
        ctx.print(res, () => `${line}\n`);
        return;
      }
      ctx.note(line);
      const timeoutMs = typeof ctx.flags.timeout === 'number' ? ctx.flags.timeout : 600_000;
      // One reporter per node: plain lines (a redrawn line cannot show several nodes at once).
      const reporters = new Map<string, ProgressReporter>();
      const report = (node: string) => {
        let r = reporters.get(node);
        if (!r) reporters.set(node, (r = new ProgressReporter(ctx.io.stderr, { interactive: false })));
        return r;
      };
      const requested = new Map(res.pulls.map((p) => [p.node_id, p.requested_at]));
      const done = await waitForPulls(client, uid, requested, report, timeoutMs);
      if (ctx.format !== 'table') ctx.print(done, () => '');
      const failed = done.filter((p) => p.status === 'failed');
      if (failed.length > 0) {
        throw new FailureError(
          `the download of ${uid} failed on ${failed.map((p) => `${p.node_id} (${p.error ?? 'no reason'})`).join(', ')}`,
          'PULL_FAILED',
        );
      }
    },
  });
}
