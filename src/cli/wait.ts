/**
 * `--wait`: polls a model until it reaches the state asked for, showing progress (download bytes with a
 * bar, replicas ready x/y, state), and fails with the model's own reason when it ends up `failed`.
 */
import type { ModelDetailView, NebulaClient } from '../client/index.js';
import { FailureError } from './errors.js';
import { formatBytes, formatDuration } from './output/human.js';
import { progressBar, type ProgressReporter } from './output/progress.js';

export type WaitTarget = 'running' | 'stopped';

/** What every `--wait` loop takes besides its subject: its time budget, where progress goes, and a clock. */
export interface PollOptions {
  timeoutMs: number;
  progress: ProgressReporter;
  /** Between polls (each loop has its own default). */
  pollMs?: number;
  /** The clock and the pause between polls (tests pass a fake pair). */
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export interface WaitOptions extends PollOptions {
  client: NebulaClient;
  uid: string;
  target: WaitTarget;
}

/** What one poll found: the end (its result), or where things stand, worded for a timeout. */
export type PollStep<T> = { done: T } | { waiting: string };

/**
 * The loop of every `--wait`: runs `poll` (which fetches, ends by returning `done` or throwing, and
 * otherwise updates the progress) until it is done; when the time is up after a poll that was not,
 * clears the progress and throws WAIT_TIMEOUT `timed out after <timeout> <waiting>`. Polls every
 * `pollMs` (`defaultPollMs` when not given), the last pause cut short at the deadline.
 */
export async function pollUntil<T>(
  o: PollOptions,
  defaultPollMs: number,
  poll: () => Promise<PollStep<T>>,
): Promise<T> {
  const now = o.now ?? Date.now;
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const deadline = now() + o.timeoutMs;
  const pollMs = o.pollMs ?? defaultPollMs;
  for (;;) {
    const step = await poll();
    if ('done' in step) return step.done;
    if (now() >= deadline) {
      o.progress.done();
      throw new FailureError(
        `timed out after ${formatDuration(o.timeoutMs)} ${step.waiting}`,
        'WAIT_TIMEOUT',
      );
    }
    await sleep(Math.min(pollMs, Math.max(0, deadline - now())));
  }
}

/** One progress line for a model (pure). Returns the line and the key that says whether it changed. */
export function describeProgress(
  m: Pick<
    ModelDetailView,
    'state' | 'state_reason' | 'ready_replicas' | 'desired_replicas' | 'download' | 'downloads'
  >,
): {
  line: string;
  key: string;
} {
  const ready = `replicas ready ${m.ready_replicas}/${m.desired_replicas}`;
  if (m.state === 'downloading' && m.download) {
    const d = m.download;
    const speed = m.downloads.reduce((s, x) => s + (x.speed_bps ?? 0), 0);
    const fraction = d.bytes_total > 0 ? d.bytes_done / d.bytes_total : 0;
    const pct = d.bytes_total > 0 ? `${Math.floor(d.percent)}%` : '';
    const parts = [
      'downloading',
      progressBar(fraction),
      `${formatBytes(d.bytes_done)} / ${d.bytes_total > 0 ? formatBytes(d.bytes_total) : '?'}`,
      pct,
      speed > 0 ? `${formatBytes(speed)}/s` : '',
      ready,
    ].filter((p) => p !== '');
    return { line: parts.join('  '), key: `downloading ${ready}` };
  }
  const reason = m.state_reason ? ` (${m.state_reason})` : '';
  return { line: `${m.state}  ${ready}${reason}`, key: `${m.state} ${ready} ${m.state_reason ?? ''}` };
}

function reached(m: ModelDetailView, target: WaitTarget): boolean {
  if (target === 'stopped') return m.state === 'stopped';
  return m.state === 'running' && m.ready_replicas >= m.desired_replicas;
}

/** Polls until `target`; resolves with the last view, throws MODEL_FAILED or WAIT_TIMEOUT (exit 1). */
export async function waitForModel(opts: WaitOptions): Promise<ModelDetailView> {
  return pollUntil<ModelDetailView>(opts, 500, async () => {
    const m = await opts.client.models.get(opts.uid);
    const { line, key } = describeProgress(m);
    if (reached(m, opts.target)) {
      opts.progress.done(
        opts.target === 'stopped'
          ? `${m.model_uid}: stopped`
          : `${m.model_uid}: ${m.state}  replicas ready ${m.ready_replicas}/${m.desired_replicas}`,
      );
      return { done: m };
    }
    if (m.state === 'failed' && opts.target === 'running') {
      opts.progress.done(`${m.model_uid}: ${line}`);
      throw new FailureError(
        `model ${m.model_uid} failed: ${m.state_reason ?? 'no reason given'}`,
        'MODEL_FAILED',
      );
    }
    opts.progress.update(`${m.model_uid}: ${line}`, key);
    return {
      waiting: `waiting for ${m.model_uid} to be ${opts.target} (state ${m.state}, replicas ready ${m.ready_replicas}/${m.desired_replicas})`,
    };
  });
}
