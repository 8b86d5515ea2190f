/** The autoscaler's Prometheus metrics, on the scheduler's registry. */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { AutoscalerMetrics } from './autoscaler.js';

export function createAutoscalerMetrics(registry: Registry): AutoscalerMetrics & { isLeader: Gauge } {
  const registers = [registry];
  const desired = new Gauge({
    name: 'nebula_autoscaler_desired_replicas',
    help: 'Replicas the autoscaler wants per model (its last decision).',
    labelNames: ['model'],
    registers,
  });
  const actual = new Gauge({
    name: 'nebula_autoscaler_ready_replicas',
    help: 'Ready replicas per autoscaled model, as the autoscaler saw them.',
    labelNames: ['model'],
    registers,
  });
  const decisions = new Counter({
    name: 'nebula_autoscaler_decisions_total',
    help: 'Autoscaler decisions per model, by reason (load, min, max, stabilising, scale-to-zero, wake, capacity, steady, no-signal).',
    labelNames: ['model', 'reason'],
    registers,
  });
  const wake = new Histogram({
    name: 'nebula_autoscaler_wake_seconds',
    help: 'From a wake request for an idle model to its first ready replica.',
    labelNames: ['model'],
    buckets: [0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600],
    registers,
  });
  const isLeader = new Gauge({
    name: 'nebula_autoscaler_is_leader',
    help: '1 while this instance leads the autoscaler, else 0.',
    registers,
  });
  return {
    isLeader,
    desired: (uid, n) => desired.set({ model: uid }, n),
    actual: (uid, n) => actual.set({ model: uid }, n),
    decision: (uid, reason) => decisions.inc({ model: uid, reason }),
    wake: (uid, s) => wake.observe({ model: uid }, s),
    forget: (uid) => {
      desired.remove({ model: uid });
      actual.remove({ model: uid });
    },
  };
}
