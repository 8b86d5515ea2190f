import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { Gpu } from '../core/domain/index.js';
import type { ReplicaView } from './replica-types.js';

/** What the node's gauges read at scrape time. */
export interface NodeMetricSources {
  gpus(): Gpu[];
  replicas(): ReplicaView[];
  planVersionLag(): Map<string, number>;
}

export interface NodeMetrics {
  restarts: Counter<'model_uid'>;
  reconcileDuration: Histogram;
  heartbeatFailures: Counter;
}

const ENGINE_STATES = ['downloading', 'starting', 'ready', 'failed', 'stopping'] as const;

/** Registers the node agent's metrics (names in docs/metrics.md) on the role's own registry. */
export function createNodeMetrics(registry: Registry, src: NodeMetricSources): NodeMetrics {
  new Gauge({
    name: 'nebula_node_gpu_memory_used_bytes',
    help: 'GPU memory in use (simulated GPUs: reserved by Nebula engines)',
    labelNames: ['gpu'],
    registers: [registry],
    collect() {
      this.reset();
      for (const g of src.gpus()) this.set({ gpu: String(g.index) }, g.memory_used_bytes);
    },
  });
  new Gauge({
    name: 'nebula_node_gpu_memory_total_bytes',
    help: 'GPU memory in total',
    labelNames: ['gpu'],
    registers: [registry],
    collect() {
      this.reset();
      for (const g of src.gpus()) this.set({ gpu: String(g.index) }, g.memory_total_bytes);
    },
  });
  new Gauge({
    name: 'nebula_node_gpu_utilization_ratio',
    help: 'GPU utilisation between 0 and 1',
    labelNames: ['gpu'],
    registers: [registry],
    collect() {
      this.reset();
      for (const g of src.gpus()) this.set({ gpu: String(g.index) }, g.utilization_percent / 100);
    },
  });
  new Gauge({
    name: 'nebula_node_engines',
    help: 'Engines of this node by endpoint state',
    labelNames: ['state'],
    registers: [registry],
    collect() {
      const counts = new Map<string, number>(ENGINE_STATES.map((s) => [s, 0]));
      for (const r of src.replicas()) if (r.status) counts.set(r.status, (counts.get(r.status) ?? 0) + 1);
      for (const [state, n] of counts) this.set({ state }, n);
    },
  });
  new Gauge({
    name: 'nebula_node_plan_version_lag',
    help: 'Latest plan version minus the version the ready engine serves (0 when consistent)',
    labelNames: ['model_uid'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [model_uid, lag] of src.planVersionLag()) this.set({ model_uid }, lag);
    },
  });
  return {
    restarts: new Counter({
      name: 'nebula_node_engine_restarts_total',
      help: 'Engine restarts after a crash or lost readiness',
      labelNames: ['model_uid'],
      registers: [registry],
    }),
    reconcileDuration: new Histogram({
      name: 'nebula_node_reconcile_duration_seconds',
      help: 'Duration of one reconcile pass over the placement plans',
      buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
      registers: [registry],
    }),
    heartbeatFailures: new Counter({
      name: 'nebula_node_heartbeat_failures_total',
      help: 'Heartbeats (status writes) that failed',
      registers: [registry],
    }),
  };
}
