import { Gauge, type Registry } from 'prom-client';
import type { ModelsView, ViewSource } from './aggregation/view-source.js';
import { AggregatedState } from '../core/domain/index.js';

/** One models view per scrape, shared by the gauges below (prom-client collects them concurrently). */
function sharedViews(views: () => ViewSource, maxAgeMs = 1000): () => Promise<ModelsView | undefined> {
  let last: { at: number; p: Promise<ModelsView | undefined> } | undefined;
  return () => {
    const now = Date.now();
    if (!last || now - last.at > maxAgeMs) {
      last = {
        at: now,
        p: views()
          .models()
          .catch(() => undefined),
      };
    }
    return last.p;
  };
}

/**
 * Model gauges of the control API, read from the aggregated views at scrape time: how many models are in
 * each aggregated state, and per running model the replicas wanted and ready (the "running model without
 * a ready replica" alert needs both, and only the server knows what is wanted). Registered once per
 * registry; a store that does not answer leaves the previous samples out rather than failing the scrape.
 */
export function registerModelMetrics(registry: Registry, views: () => ViewSource): void {
  if (registry.getSingleMetric('nebula_server_models')) return;
  const read = sharedViews(views);
  const registers = [registry];
  new Gauge({
    name: 'nebula_server_models',
    help: 'Models by aggregated state (stopped, downloading, starting, running, degraded, failed, stopping)',
    labelNames: ['state'],
    registers,
    async collect() {
      const v = await read();
      this.reset();
      if (!v) return;
      const counts = new Map<string, number>(AggregatedState.options.map((s) => [s, 0]));
      for (const m of v.views) counts.set(m.state, (counts.get(m.state) ?? 0) + 1);
      for (const [state, n] of counts) this.set({ state }, n);
    },
  });
  new Gauge({
    name: 'nebula_server_model_desired_replicas',
    help: 'Replicas wanted per model (0 while the model is stopped)',
    labelNames: ['model_uid'],
    registers,
    async collect() {
      const v = await read();
      this.reset();
      for (const m of v?.views ?? []) {
        this.set({ model_uid: m.model_uid }, m.desired_state === 'running' ? m.desired_replicas : 0);
      }
    },
  });
  new Gauge({
    name: 'nebula_server_model_ready_replicas',
    help: 'Replicas of the model whose endpoint is ready',
    labelNames: ['model_uid'],
    registers,
    async collect() {
      const v = await read();
      this.reset();
      for (const m of v?.views ?? []) this.set({ model_uid: m.model_uid }, m.ready_replicas);
    },
  });
}
