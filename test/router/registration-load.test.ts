import { afterEach, describe, expect, it } from 'vitest';
import { ComponentStatus } from '../../src/core/domain/node.js';
import { keys } from '../../src/core/keys.js';
import { silentLogger } from '../../src/core/logger.js';
import { LoadScraper } from '../../src/router/table/load-scraper.js';
import { getJson } from '../../src/store/json.js';
import { waitFor } from '../helpers/ports.js';
import { startCluster, type Cluster } from './harness.js';

describe('router: registration and engine load', () => {
  let c: Cluster | undefined;
  afterEach(async () => {
    await c?.close();
    c = undefined;
  });

  it('registers itself under /components/router/ with a lease and leaves on stop', async () => {
    c = await startCluster({
      replicas: 1,
      router: {
        host: '127.0.0.1',
        port: 0,
        grpcPort: null,
        instanceId: 'router-a',
        advertiseAddress: '10.1.2.3',
        noAuth: true,
      },
    });
    const key = keys.component('router', 'router-a');
    const kv = await c.store.get(key);
    expect(kv?.lease).toBeDefined();
    const reg = await getJson(c.store, key, ComponentStatus);
    expect(reg?.value).toMatchObject({
      role: 'router',
      instance_id: 'router-a',
      address: '10.1.2.3',
      port: c.router.port,
      metrics_url: `http://10.1.2.3:${c.router.port}/metrics`,
    });
    await c.router.stop();
    expect(await c.store.get(key)).toBeUndefined();
  });

  it('reads queue length and KV usage from the engines and publishes them to the balancers', async () => {
    c = await startCluster({
      replicas: 1,
      sim: { maxNumSeqs: 1, itlMs: 20 },
      router: { host: '127.0.0.1', port: 0, grpcPort: null, scrapeIntervalMs: 0 },
    });
    const cl = c;
    const replica = c.router.table.lookup('demo')!.replicas[0]!;
    const running = [0, 1, 2].map(() =>
      cl.client.chat.completions.create({
        model: 'demo',
        messages: [{ role: 'user', content: 'x' }],
        max_tokens: 30,
      }),
    );
    await waitFor(() => cl.sims[0]!.snapshot().waiting === 2, { timeoutMs: 5000 });
    const scraper = new LoadScraper(() => cl.router.table.allReplicas(), {
      intervalMs: 1000,
      timeoutMs: 1000,
      logger: silentLogger(),
    });
    await scraper.scrape(replica);
    expect(replica.waiting).toBe(2);
    expect(replica.running).toBe(1);
    expect(replica.kvUsage).toBeGreaterThan(0);
    expect(replica.loadAt).toBeGreaterThan(0);
    await Promise.all(running);
    await scraper.scrape(replica);
    expect(replica.waiting).toBe(0);
  });
});
