import { describe, expect, it } from 'vitest';
import type { AggregatedState } from '../../core/domain/index.js';
import { aggregateState, type StateInput } from './state.js';

type Ep = StateInput['endpoints'][number];
type Dl = StateInput['downloads'][number];

const ep = (replica_id: number, status: Ep['status'], restarts = 0, last_error?: string): Ep =>
  last_error === undefined ? { replica_id, status, restarts } : { replica_id, status, restarts, last_error };
const dl = (phase: Dl['phase'], bytes_done = 50, bytes_total = 100, error?: string): Dl =>
  error === undefined ? { phase, bytes_done, bytes_total } : { phase, bytes_done, bytes_total, error };
const run = (replicas: number) => ({ desired_state: 'running' as const, replicas });
const stop = (replicas = 1) => ({ desired_state: 'stopped' as const, replicas });
const placed = (n: number, unplaced: { replicas: number; reason: string } | null = null) => ({
  assignments: Array.from({ length: n }, (_, i) => ({
    replica_id: i,
    node_id: 'n1',
    gpu_indices: [0],
    gpu_memory_bytes: 1,
    port: 40000 + i,
  })),
  unplaced,
});

interface Case {
  name: string;
  input: Partial<StateInput>;
  state: AggregatedState;
  reason?: RegExp | null;
  ready?: number;
}

const table: Case[] = [
  { name: 'no deployment, nothing running', input: {}, state: 'stopped', reason: /no deployment/ },
  { name: 'no deployment, endpoints left', input: { endpoints: [ep(0, 'ready')] }, state: 'stopping' },
  { name: 'stopped, no endpoints', input: { deployment: stop() }, state: 'stopped', reason: null },
  {
    name: 'stopped with a stale plan and no endpoints',
    input: { deployment: stop(), plan: placed(1) },
    state: 'stopped',
  },
  {
    name: 'stopped, one endpoint stopping',
    input: { deployment: stop(), endpoints: [ep(0, 'stopping')] },
    state: 'stopping',
    reason: /1 replica/,
  },
  {
    name: 'stopped, ready endpoint left',
    input: { deployment: stop(), endpoints: [ep(0, 'ready')] },
    state: 'stopping',
  },
  {
    name: 'stopped, failed endpoint left',
    input: { deployment: stop(), endpoints: [ep(0, 'failed')] },
    state: 'stopping',
  },
  {
    name: 'stopped while downloading (download cancelled soon)',
    input: { deployment: stop(), downloads: [dl('downloading')] },
    state: 'stopped',
  },
  {
    name: 'running, scaled to 0, nothing left',
    input: { deployment: run(0) },
    state: 'stopped',
    reason: /scaled to 0/,
  },
  {
    name: 'running, scaled to 0, endpoint left',
    input: { deployment: run(0), endpoints: [ep(0, 'ready')] },
    state: 'stopping',
  },
  { name: 'running, no plan yet', input: { deployment: run(1) }, state: 'starting', reason: /scheduler/ },
  {
    name: 'running, planned, no endpoint yet',
    input: { deployment: run(1), plan: placed(1) },
    state: 'starting',
    reason: /waiting for nodes/,
  },
  {
    name: 'running, endpoint starting',
    input: { deployment: run(1), plan: placed(1), endpoints: [ep(0, 'starting')] },
    state: 'starting',
    reason: /1\/1/,
  },
  {
    name: 'running, 1/1 ready',
    input: { deployment: run(1), plan: placed(1), endpoints: [ep(0, 'ready')] },
    state: 'running',
    reason: null,
    ready: 1,
  },
  {
    name: 'running, 2/2 ready',
    input: { deployment: run(2), plan: placed(2), endpoints: [ep(0, 'ready'), ep(1, 'ready')] },
    state: 'running',
    ready: 2,
  },
  {
    name: 'running, extra ready during scale-down',
    input: { deployment: run(1), endpoints: [ep(0, 'ready'), ep(1, 'ready')] },
    state: 'running',
  },
  {
    name: 'running, 1/2 ready, other starting',
    input: { deployment: run(2), plan: placed(2), endpoints: [ep(0, 'ready'), ep(1, 'starting')] },
    state: 'degraded',
    reason: /1\/2 replicas ready$/,
  },
  {
    name: 'running, 1/2 ready, other crashed',
    input: { deployment: run(2), plan: placed(2), endpoints: [ep(0, 'ready'), ep(1, 'failed', 3, 'OOM')] },
    state: 'degraded',
    reason: /replica 1: OOM/,
  },
  {
    name: 'running, 1/2 ready, other unplaced',
    input: {
      deployment: run(2),
      plan: placed(1, { replicas: 1, reason: 'no GPU' }),
      endpoints: [ep(0, 'ready')],
    },
    state: 'degraded',
    reason: /unplaced: no GPU/,
  },
  {
    name: 'running, 1/3 ready, others downloading',
    input: { deployment: run(3), endpoints: [ep(0, 'ready')], downloads: [dl('downloading')] },
    state: 'degraded',
  },
  {
    name: 'running, downloading',
    input: { deployment: run(1), plan: placed(1), downloads: [dl('downloading', 25, 100)] },
    state: 'downloading',
    reason: /25%/,
  },
  {
    name: 'running, download pending',
    input: { deployment: run(1), plan: placed(1), downloads: [dl('pending', 0, 0)] },
    state: 'downloading',
  },
  {
    name: 'running, verifying download',
    input: { deployment: run(1), plan: placed(1), downloads: [dl('verifying', 100, 100)] },
    state: 'downloading',
    reason: /100%/,
  },
  {
    name: 'running, endpoint reports downloading',
    input: { deployment: run(1), plan: placed(1), endpoints: [ep(0, 'downloading')] },
    state: 'downloading',
  },
  {
    name: 'download under way wins over a crash elsewhere',
    input: {
      deployment: run(2),
      plan: placed(2),
      endpoints: [ep(1, 'failed', 1, 'boom')],
      downloads: [dl('downloading')],
    },
    state: 'downloading',
  },
  {
    name: 'running, download complete, starting',
    input: {
      deployment: run(1),
      plan: placed(1),
      endpoints: [ep(0, 'starting')],
      downloads: [dl('complete', 100, 100)],
    },
    state: 'starting',
  },
  {
    name: 'running, download failed',
    input: { deployment: run(1), plan: placed(1), downloads: [dl('failed', 1, 100, 'disk full')] },
    state: 'failed',
    reason: /download failed: disk full/,
  },
  {
    name: 'running, download failed without message',
    input: { deployment: run(1), plan: placed(1), downloads: [dl('failed')] },
    state: 'failed',
    reason: /unknown error/,
  },
  {
    name: 'running, unplaceable',
    input: { deployment: run(1), plan: placed(0, { replicas: 1, reason: 'needs 2 x 40 GiB' }) },
    state: 'failed',
    reason: /unplaceable: needs 2 x 40 GiB/,
  },
  {
    name: 'running, partly unplaced, rest starting',
    input: {
      deployment: run(2),
      plan: placed(1, { replicas: 1, reason: 'no room' }),
      endpoints: [ep(0, 'starting')],
    },
    state: 'starting',
    reason: /unplaced: no room/,
  },
  {
    name: 'running, endpoint failed',
    input: { deployment: run(1), plan: placed(1), endpoints: [ep(0, 'failed', 0, 'exit 1')] },
    state: 'failed',
    reason: /replica 0: exit 1/,
  },
  {
    name: 'running, endpoint failed without error',
    input: { deployment: run(1), plan: placed(1), endpoints: [ep(0, 'failed')] },
    state: 'failed',
    reason: /endpoint failed/,
  },
  {
    name: 'running, restarting after crash',
    input: { deployment: run(1), plan: placed(1), endpoints: [ep(0, 'starting', 2, 'segfault')] },
    state: 'failed',
    reason: /segfault/,
  },
  {
    name: 'running, restarted without error is just starting',
    input: { deployment: run(1), plan: placed(1), endpoints: [ep(0, 'starting', 2)] },
    state: 'starting',
  },
  {
    name: 'running, endpoint stopping (plan changed)',
    input: { deployment: run(1), plan: placed(1), endpoints: [ep(0, 'stopping')] },
    state: 'starting',
  },
];

describe('aggregateState (table)', () => {
  for (const c of table) {
    it(c.name, () => {
      const r = aggregateState({
        deployment: undefined,
        plan: undefined,
        endpoints: [],
        downloads: [],
        ...c.input,
      });
      expect(r.state).toBe(c.state);
      if (c.reason === null) expect(r.reason).toBeNull();
      else if (c.reason) expect(r.reason).toMatch(c.reason);
      if (c.ready !== undefined) expect(r.ready).toBe(c.ready);
    });
  }
});

describe('aggregateState (every combination)', () => {
  const deployments: StateInput['deployment'][] = [undefined, stop(1), run(0), run(1), run(2)];
  const plans: StateInput['plan'][] = [
    undefined,
    placed(2),
    placed(0, { replicas: 2, reason: 'full' }),
    placed(1, { replicas: 1, reason: 'full' }),
  ];
  const statuses: (Ep['status'] | undefined)[] = [
    undefined,
    'downloading',
    'starting',
    'ready',
    'failed',
    'stopping',
  ];
  const crash: [number, string | undefined][] = [
    [0, undefined],
    [2, 'oom'],
  ];
  const dls: Dl[][] = [[], [dl('downloading')], [dl('failed', 1, 2, 'x')], [dl('complete', 2, 2)]];

  it('obeys the rules of DESIGN §3 for all inputs', () => {
    let n = 0;
    for (const deployment of deployments)
      for (const plan of plans)
        for (const s0 of statuses)
          for (const s1 of statuses)
            for (const [restarts, err] of crash)
              for (const downloads of dls) {
                const endpoints: Ep[] = [];
                if (s0) endpoints.push(ep(0, s0, restarts, err));
                if (s1) endpoints.push(ep(1, s1));
                const r = aggregateState({ deployment, plan, endpoints, downloads });
                n++;
                const running = deployment?.desired_state === 'running' && deployment.replicas > 0;
                const ready = endpoints.filter((e) => e.status === 'ready').length;
                expect(r.ready).toBe(ready);
                expect(r.total).toBe(endpoints.length);
                if (!running) {
                  expect(r.state).toBe(endpoints.length === 0 ? 'stopped' : 'stopping');
                  continue;
                }
                const want = deployment.replicas;
                if (ready >= want) expect(r.state).toBe('running');
                else if (ready > 0) expect(r.state).toBe('degraded');
                else if (
                  downloads.some((d) => d.phase === 'downloading') ||
                  endpoints.some((e) => e.status === 'downloading')
                )
                  expect(r.state).toBe('downloading');
                else {
                  const unplaceable = plan?.unplaced != null && plan.assignments.length === 0;
                  const crashing = endpoints.some(
                    (e) =>
                      e.status === 'failed' || (e.status !== 'ready' && e.restarts > 0 && !!e.last_error),
                  );
                  const dlFailed = downloads.some((d) => d.phase === 'failed');
                  expect(r.state).toBe(unplaceable || crashing || dlFailed ? 'failed' : 'starting');
                }
                if (
                  r.state === 'failed' ||
                  r.state === 'degraded' ||
                  r.state === 'downloading' ||
                  r.state === 'starting'
                ) {
                  expect(r.reason).toBeTruthy();
                }
              }
    expect(n).toBe(deployments.length * plans.length * statuses.length ** 2 * crash.length * dls.length);
  });
});

describe('aggregateState during rollouts and drains', () => {
  const asg = (replica_id: number, revision: number) => ({
    replica_id,
    node_id: 'n1',
    gpu_indices: [0],
    gpu_memory_bytes: 1,
    port: 40000 + replica_id,
    revision,
  });
  const rollout = (o: Partial<NonNullable<StateInput['plan']>['rollout']> = {}) => ({
    from_revision: 2,
    to_revision: 3,
    phase: 'progressing' as const,
    updated_ready: 1,
    wanted: 2,
    started_at: '2026-01-01T00:00:00.000Z',
    ...o,
  });

  it('a rollout under way is updating N/M on rX, not degraded, even with a crashing new replica', () => {
    const r = aggregateState({
      deployment: run(2),
      plan: { assignments: [asg(0, 2), asg(2, 3), asg(3, 3)], unplaced: null, rollout: rollout() },
      endpoints: [ep(0, 'ready'), ep(1, 'draining'), ep(2, 'ready'), ep(3, 'starting', 2, 'exit 1')],
      downloads: [],
    });
    expect(r.state).toBe('updating');
    expect(r.reason).toBe('updating 1/2 on r3; 2/2 serving; replica 3: exit 1');
    expect(r.ready).toBe(2);
  });

  it('a paused rollout says so', () => {
    const r = aggregateState({
      deployment: run(2),
      plan: { assignments: [asg(0, 2), asg(2, 3)], unplaced: null, rollout: rollout({ phase: 'paused' }) },
      endpoints: [ep(0, 'ready'), ep(2, 'starting')],
      downloads: [],
    });
    expect(r.state).toBe('updating');
    expect(r.reason).toMatch(/^updating 1\/2 on r3 \(paused\)/);
  });

  it('draining endpoints are neither ready nor failures', () => {
    const r = aggregateState({
      deployment: run(1),
      plan: { assignments: [asg(1, 1)], unplaced: null },
      endpoints: [ep(0, 'draining', 3, 'old error'), ep(1, 'ready')],
      downloads: [],
    });
    expect(r).toMatchObject({ state: 'running', ready: 1, reason: null });
    const starting = aggregateState({
      deployment: run(1),
      plan: { assignments: [asg(1, 1)], unplaced: null },
      endpoints: [ep(0, 'draining', 3, 'old error'), ep(1, 'starting')],
      downloads: [],
    });
    expect(starting.state).toBe('starting');
  });

  it('a drain in progress (replacement not ready yet) keeps the model running', () => {
    const r = aggregateState({
      deployment: run(1),
      plan: { assignments: [asg(0, 1), asg(1, 1)], unplaced: null },
      endpoints: [ep(0, 'ready'), ep(1, 'starting')],
      downloads: [],
    });
    expect(r.state).toBe('running');
  });

  it('an automatic rollback: updating while the failed revision leaves, then running with the reason', () => {
    const rb = rollout({
      phase: 'rolled_back',
      from_revision: 3,
      to_revision: 2,
      reason: 'revision 3 not ready within 600s',
    });
    const during = aggregateState({
      deployment: run(2),
      plan: { assignments: [asg(0, 2), asg(2, 3), asg(4, 2)], unplaced: null, rollout: rb },
      endpoints: [ep(0, 'ready'), ep(2, 'ready'), ep(4, 'starting')],
      downloads: [],
    });
    expect(during.state).toBe('updating');
    expect(during.reason).toContain('rolling back from r3 to r2 (revision 3 not ready within 600s)');
    const after = aggregateState({
      deployment: run(2),
      plan: { assignments: [asg(0, 2), asg(4, 2)], unplaced: null, rollout: rb },
      endpoints: [ep(0, 'ready'), ep(4, 'ready')],
      downloads: [],
    });
    expect(after.state).toBe('running');
    expect(after.reason).toBe('r3 was rolled back automatically to r2: revision 3 not ready within 600s');
  });
});
