import { describe, expect, it } from 'vitest';
import { createMetricsRegistry } from '../core/metrics.js';
import { RouterMetrics, type ScrapedReplicaLoad } from './metrics.js';

describe('nebula_router_replica_engine_requests', () => {
  it('shows the scraped load of replicas in the table, and only of those scraped', async () => {
    const registry = createMetricsRegistry({ role: 'router', processMetrics: false });
    const metrics = new RouterMetrics(registry);
    let replicas: ScrapedReplicaLoad[] = [
      { id: 'm/0', model: 'm', running: 2, waiting: 1, loadAt: 1000 },
      { id: 'm/1', model: 'm', running: 0, waiting: 0, loadAt: 0 },
    ];
    metrics.trackReplicaLoad(() => replicas);
    let text = await registry.metrics();
    expect(text).toContain(
      'nebula_router_replica_engine_requests{model="m",replica="m/0",state="running",role="router"} 2',
    );
    expect(text).toContain(
      'nebula_router_replica_engine_requests{model="m",replica="m/0",state="waiting",role="router"} 1',
    );
    expect(text).not.toContain('replica="m/1"');
    // A replica that left the table leaves the gauge.
    replicas = [];
    text = await registry.metrics();
    expect(text).not.toContain('replica="m/0"');
  });
});
