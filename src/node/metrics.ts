import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { Gpu, NodeDiskStatus } from '../core/domain/index.js';
import type { ReplicaView } from './replica/index.js';

/** What the node's gauges read at scrape time. */
export interface NodeMetricSources {
  gpus(): Gpu[];
  replicas(): ReplicaView[];
  planVersionLag(): Map<string, number>;
  /** The model cache volume (undefined before the first statfs or without a cache manager). */
  disk?(): NodeDiskStatus | undefined;
  /** Bytes fetched from each hub since the agent started. */
  downloadedBytes?(): Readonly<Record<string, number>>;
  /** Model downloads in flight. */
  activeDownloads?(): number;
}

export interface NodeMetrics {
  restarts: Counter<'model_uid'>;
  reconcileDuration: Histogram;
  heartbeatFailures: Counter;
}

const ENGINE_STATES = ['downloading', 'starting', 'ready', 'draining', 'failed', 'stopping'] as const;

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
  const disk = (name: string, help: string, pick: (d: NodeDiskStatus) => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        const d = src.disk?.();
        // No sample until the first statfs: an absent series, not a misleading 0.
        if (d === undefined) this.reset();
        else this.set(pick(d));
      },
    });
  disk('nebula_node_disk_total_bytes', 'Size of the model cache volume', (d) => d.total_bytes);
  disk('nebula_node_disk_used_bytes', 'Bytes used on the model cache volume', (d) => d.used_bytes);
  disk(
    'nebula_node_disk_available_bytes',
    'Bytes available to Nebula on the model cache volume',
    (d) => d.available_bytes,
  );
  disk(
    'nebula_node_disk_usage_ratio',
    'Share of the model cache volume in use, as df counts it (the 0.85 / 0.95 disk alerts compare this)',
    (d) => d.usage_percent / 100,
  );
  new Counter({
    name: 'nebula_node_download_bytes_total',
    help: 'Model file bytes fetched from the hubs, by source (huggingface, modelscope)',
    labelNames: ['source'],
    registers: [registry],
    collect() {
      // The cache manager owns the running totals; the counter mirrors them at scrape time.
      this.reset();
      for (const [source, bytes] of Object.entries(src.downloadedBytes?.() ?? {}))
        this.inc({ source }, bytes);
    },
  });
  new Gauge({
    name: 'nebula_node_downloads_active',
    help: 'Model downloads in flight on this node',
    registers: [registry],
    collect() {
      this.set(src.activeDownloads?.() ?? 0);
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
