import { Registry, collectDefaultMetrics } from 'prom-client';

export interface MetricsRegistryOptions {
  /** Role name, added as the `role` label on every metric of this registry. */
  role: string;
  /** Collect process metrics (CPU, memory, event loop lag) as `nebula_process_*`. */
  processMetrics?: boolean;
}

/**
 * One prom-client registry per role (never the global one), so several roles in one process
 * (`nebula up`) keep their metrics apart and tests can create as many as they like.
 */
export function createMetricsRegistry(opts: MetricsRegistryOptions): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ role: opts.role });
  if (opts.processMetrics ?? true) {
    collectDefaultMetrics({ register: registry, prefix: 'nebula_process_' });
    // prom-client names these gauges `*_total`, which Prometheus reserves for counters (promtool rejects
    // them); the same totals are `sum(nebula_process_nodejs_active_handles)` and so on.
    for (const name of MISNAMED_DEFAULT_GAUGES) registry.removeSingleMetric(`nebula_process_${name}`);
  }
  return registry;
}

const MISNAMED_DEFAULT_GAUGES = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
];

export { Registry, Counter, Gauge, Histogram, Summary } from 'prom-client';
