/** The scheduler's Prometheus metrics (its own registry; never prom-client's global one). */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export interface SchedulerMetrics {
  placements: Counter<'kind'>;
  unplaceable: Gauge;
  reconcileDuration: Histogram;
  isLeader: Gauge;
  plansWritten: Counter<'op'>;
  conflicts: Counter;
  plans: Gauge;
  nodes: Gauge<'state'>;
}

export function createSchedulerMetrics(registry: Registry): SchedulerMetrics {
  const registers = [registry];
  return {
    placements: new Counter({
      name: 'nebula_scheduler_placements_total',
      help: 'Replica placement decisions written, by kind (scheduled, rescheduled, removed).',
      labelNames: ['kind'],
      registers,
    }),
    unplaceable: new Gauge({
      name: 'nebula_scheduler_unplaceable_replicas',
      help: 'Replicas wanted but not placed, over all plans.',
      registers,
    }),
    reconcileDuration: new Histogram({
      name: 'nebula_scheduler_reconcile_duration_seconds',
      help: 'Duration of one reconcile pass (plan and write).',
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    isLeader: new Gauge({
      name: 'nebula_scheduler_is_leader',
      help: '1 while this instance is the leader, else 0.',
      registers,
    }),
    plansWritten: new Counter({
      name: 'nebula_scheduler_plans_written_total',
      help: 'Placement plans written to the store, by operation (put, delete).',
      labelNames: ['op'],
      registers,
    }),
    conflicts: new Counter({
      name: 'nebula_scheduler_write_conflicts_total',
      help: 'Fenced writes refused by the store (stale view or lost leadership).',
      registers,
    }),
    plans: new Gauge({
      name: 'nebula_scheduler_plans',
      help: 'Placement plans currently known.',
      registers,
    }),
    nodes: new Gauge({
      name: 'nebula_scheduler_nodes',
      help: 'Nodes by state: live, held (absent within grace or mass vanish), lost (replicas re-placed).',
      labelNames: ['state'],
      registers,
    }),
  };
}
