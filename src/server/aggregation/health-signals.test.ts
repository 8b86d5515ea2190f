import { describe, expect, it } from 'vitest';
import type { Endpoint } from '../../core/domain/index.js';
import { engineHealth, gpuSignals, healthIssues, portConflicts, type HealthFacts } from './health-signals.js';

const T = '2026-01-01T00:00:00.000Z';
const ep = (o: Partial<Endpoint>): Endpoint => ({
  model_uid: 'm1',
  replica_id: 0,
  node_id: 'n1',
  address: '127.0.0.1',
  port: 40000,
  engine_type: 'sim',
  served_model_name: 'm1',
  status: 'ready',
  plan_version: 1,
  gpu_indices: [],
  restarts: 0,
  updated_at: T,
  ...o,
});
const asg = (replica_id: number, node_id: string, port: number) => ({
  replica_id,
  node_id,
  port,
  gpu_indices: [],
  gpu_memory_bytes: 0,
});

describe('portConflicts', () => {
  it('finds assignments on ports a foreign process holds, only on that node', () => {
    const nodes = [
      { node_id: 'n1', ports_in_use: [40001] },
      { node_id: 'n2', ports_in_use: [] },
    ];
    const plans = [
      { model_uid: 'm1', assignments: [asg(0, 'n1', 40000), asg(1, 'n1', 40001), asg(2, 'n2', 40001)] },
    ];
    expect(portConflicts(nodes, plans)).toEqual([
      { node_id: 'n1', port: 40001, model_uid: 'm1', replica_id: 1, kind: 'foreign_process' },
    ]);
  });

  it('finds two replicas given one port of one node', () => {
    const plans = [
      { model_uid: 'b', assignments: [asg(0, 'n1', 40000)] },
      { model_uid: 'a', assignments: [asg(3, 'n1', 40000), asg(4, 'n2', 40000)] },
    ];
    expect(portConflicts([], plans)).toEqual([
      {
        node_id: 'n1',
        port: 40000,
        model_uid: 'b',
        replica_id: 0,
        kind: 'duplicate',
        other_model_uid: 'a',
        other_replica_id: 3,
      },
    ]);
  });

  it('is empty for a clean cluster', () => {
    expect(
      portConflicts(
        [{ node_id: 'n1', ports_in_use: [22] }],
        [{ model_uid: 'm', assignments: [asg(0, 'n1', 40000)] }],
      ),
    ).toEqual([]);
  });
});

describe('engineHealth', () => {
  it('counts by status and lists failed and restarted engines, flagging crash loops', () => {
    const h = engineHealth([
      ep({ replica_id: 0 }),
      ep({ replica_id: 1, status: 'failed', last_error: 'exit 1' }),
      ep({ replica_id: 2, status: 'starting', restarts: 3, next_restart_at: T }),
      ep({ replica_id: 3, status: 'ready', restarts: 5 }),
    ]);
    expect(h.total).toBe(4);
    expect(h.by_status).toEqual({ ready: 2, failed: 1, starting: 1 });
    expect(h.issues.map((i) => [i.replica_id, i.status, i.crash_looping])).toEqual([
      [1, 'failed', false],
      [2, 'starting', true],
      [3, 'ready', false],
    ]);
    expect(h.issues[0]?.last_error).toBe('exit 1');
  });
});

describe('gpuSignals', () => {
  it('reports ratio and memory pressure at 95 %', () => {
    const gpu = (index: number, used: number) => ({
      index,
      name: 'H100',
      memory_total_bytes: 100,
      memory_used_bytes: used,
      utilization_percent: 50,
    });
    const g = gpuSignals([
      { node_id: 'n1', gpus: [gpu(0, 94), gpu(1, 95)] },
      { node_id: 'n0', gpus: [] },
    ]);
    expect(g.map((x) => [x.index, x.memory_used_ratio, x.memory_pressure])).toEqual([
      [0, 0.94, false],
      [1, 0.95, true],
    ]);
    const empty = { ...gpu(0, 0), memory_total_bytes: 0 };
    expect(gpuSignals([{ node_id: 'n', gpus: [empty] }])[0]?.memory_used_ratio).toBe(0);
  });
});

describe('healthIssues', () => {
  const clean: HealthFacts = {
    storeOk: true,
    routerOk: true,
    leader: true,
    staleNodes: [],
    lagging: 0,
    conflicts: [],
    engines: { total: 0, by_status: {}, issues: [] },
    gpus: [],
  };

  it('is healthy with nothing to say', () => {
    expect(healthIssues(clean)).toEqual({ issues: [], healthy: true });
  });

  it('lagging plans and full GPUs are warnings only', () => {
    const r = healthIssues({
      ...clean,
      lagging: 2,
      gpus: gpuSignals([
        {
          node_id: 'n1',
          gpus: [
            { index: 0, name: 'g', memory_total_bytes: 10, memory_used_bytes: 10, utilization_percent: 0 },
          ],
        },
      ]),
    });
    expect(r.healthy).toBe(true);
    expect(r.issues).toEqual([
      { severity: 'warning', message: 'GPU n1/0: memory 100% used' },
      { severity: 'warning', message: '2 replica(s) behind their plan_version' },
    ]);
  });

  it.each<[string, Partial<HealthFacts>, RegExp]>([
    ['store down', { storeOk: false }, /store unreachable/],
    ['router down', { routerOk: false }, /router unreachable/],
    ['no leader', { leader: false }, /no leader/],
    ['stale node', { staleNodes: ['n9'] }, /n9: heartbeat is stale/],
    [
      'port conflict',
      { conflicts: [{ node_id: 'n1', port: 40001, model_uid: 'm', replica_id: 0, kind: 'foreign_process' }] },
      /port conflict: n1:40001/,
    ],
    [
      'failed engine',
      { engines: engineHealth([ep({ status: 'failed', last_error: 'OOM' })]) },
      /failed: OOM/,
    ],
    [
      'crash loop',
      { engines: engineHealth([ep({ status: 'starting', restarts: 4 })]) },
      /crash-looping \(4 restarts\)/,
    ],
  ])('%s is critical', (_what, facts, message) => {
    const r = healthIssues({ ...clean, ...facts });
    expect(r.healthy).toBe(false);
    expect(r.issues[0]?.severity).toBe('critical');
    expect(r.issues[0]?.message).toMatch(message);
  });
});
