import { describe, expect, it } from 'vitest';
import type { ModelDetailView, NebulaClient } from '../client/index.js';
import { FailureError } from './errors.js';
import { ProgressReporter } from './output/progress.js';
import { describeProgress, pollUntil, waitForModel } from './wait.js';

type View = Pick<
  ModelDetailView,
  'model_uid' | 'state' | 'state_reason' | 'ready_replicas' | 'desired_replicas' | 'download' | 'downloads'
>;

function view(over: Partial<View>): View {
  return {
    model_uid: 'm',
    state: 'starting',
    state_reason: null,
    ready_replicas: 0,
    desired_replicas: 2,
    download: null,
    downloads: [],
    ...over,
  };
}

const GIB = 1024 ** 3;

function fakeClient(seq: View[]): NebulaClient {
  let i = 0;
  return {
    models: { get: async () => seq[Math.min(i++, seq.length - 1)] as ModelDetailView },
  } as unknown as NebulaClient;
}

function run(seq: View[], target: 'running' | 'stopped', timeoutMs = 60_000) {
  let out = '';
  let now = 0;
  const progress = new ProgressReporter(
    { write: (s: string) => (out += s) },
    { interactive: false, intervalMs: 10_000, now: () => now },
  );
  const p = waitForModel({
    client: fakeClient(seq),
    uid: 'm',
    target,
    timeoutMs,
    progress,
    pollMs: 1000,
    now: () => now,
    sleep: async (ms) => {
      now += ms;
    },
  });
  return { p, out: () => out };
}

describe('describeProgress', () => {
  it('shows a bar, bytes, percent and speed while downloading', () => {
    const d = describeProgress(
      view({
        state: 'downloading',
        download: { bytes_done: 1.5 * GIB, bytes_total: 6 * GIB, percent: 25, replicas: 2 },
        downloads: [
          { speed_bps: 10 * 1024 ** 2 } as ModelDetailView['downloads'][number],
          { speed_bps: 5 * 1024 ** 2 } as ModelDetailView['downloads'][number],
        ],
      }),
    );
    expect(d.line).toBe(
      'downloading  [######------------------]  1.5 GiB / 6.0 GiB  25%  15 MiB/s  replicas ready 0/2',
    );
    expect(d.key).toBe('downloading replicas ready 0/2');
  });

  it('shows state, replicas and reason otherwise', () => {
    expect(describeProgress(view({ state_reason: 'waiting for the scheduler' })).line).toBe(
      'starting  replicas ready 0/2 (waiting for the scheduler)',
    );
    expect(describeProgress(view({ state: 'degraded', ready_replicas: 1 })).line).toBe(
      'degraded  replicas ready 1/2',
    );
    expect(
      describeProgress(
        view({ state: 'downloading', download: { bytes_done: 5, bytes_total: 0, percent: 0, replicas: 1 } }),
      ).line,
    ).toBe('downloading  [------------------------]  5 B / ?  replicas ready 0/2');
  });
});

describe('waitForModel', () => {
  it('prints plain progress lines until the model runs', async () => {
    const r = run(
      [
        view({ state_reason: 'waiting for the scheduler' }),
        view({
          state: 'downloading',
          download: { bytes_done: 0, bytes_total: 100, percent: 0, replicas: 2 },
        }),
        view({
          state: 'downloading',
          download: { bytes_done: 50, bytes_total: 100, percent: 50, replicas: 2 },
        }),
        view({ state: 'degraded', ready_replicas: 1 }),
        view({ state: 'running', ready_replicas: 2 }),
      ],
      'running',
    );
    const final = await r.p;
    expect(final.state).toBe('running');
    expect(r.out()).toBe(
      [
        'm: starting  replicas ready 0/2 (waiting for the scheduler)',
        'm: downloading  [------------------------]  0 B / 100 B  0%  replicas ready 0/2',
        'm: degraded  replicas ready 1/2',
        'm: running  replicas ready 2/2',
        '',
      ].join('\n'),
    );
  });

  it('fails with the reason when the model fails', async () => {
    const r = run(
      [view({}), view({ state: 'failed', state_reason: 'unplaceable: needs 2 x 80 GiB' })],
      'running',
    );
    await expect(r.p).rejects.toThrow(
      new FailureError('model m failed: unplaceable: needs 2 x 80 GiB', 'MODEL_FAILED'),
    );
    await r.p.catch((e: FailureError) => {
      expect(e.code).toBe('MODEL_FAILED');
      expect(e.exitCode).toBe(1);
    });
  });

  it('times out with the last state', async () => {
    const r = run([view({})], 'running', 3000);
    await expect(r.p).rejects.toThrow(
      'timed out after 3s waiting for m to be running (state starting, replicas ready 0/2)',
    );
  });

  it('waits for stopped (a failed model being stopped is not an error)', async () => {
    const r = run(
      [
        view({ state: 'failed' }),
        view({ state: 'stopping' }),
        view({ state: 'stopped', desired_replicas: 0 }),
      ],
      'stopped',
    );
    expect((await r.p).state).toBe('stopped');
  });
});

describe('pollUntil (the loop of every --wait)', () => {
  function clock() {
    let now = 0;
    const slept: number[] = [];
    let out = '';
    const progress = new ProgressReporter(
      { write: (s: string) => (out += s) },
      { interactive: false, intervalMs: 10_000, now: () => now },
    );
    const o = {
      timeoutMs: 2500,
      progress,
      now: () => now,
      sleep: async (ms: number) => {
        slept.push(ms);
        now += ms;
      },
    };
    return { o, slept, out: () => out };
  }

  it('polls at its default pace, the last pause cut at the deadline, then times out with the words of the last poll', async () => {
    const c = clock();
    let polls = 0;
    const p = pollUntil(c.o, 1000, async () => ({ waiting: `with ${++polls} left` }));
    await expect(p).rejects.toThrow(new FailureError('timed out after 2s with 4 left', 'WAIT_TIMEOUT'));
    expect(c.slept).toEqual([1000, 1000, 500]);
  });

  it('returns what the poll found, with pollMs over the default', async () => {
    const c = clock();
    let polls = 0;
    const found = await pollUntil({ ...c.o, pollMs: 200 }, 1000, async () =>
      ++polls === 3 ? { done: 'there' } : { waiting: 'not yet' },
    );
    expect(found).toBe('there');
    expect(c.slept).toEqual([200, 200]);
  });
});
