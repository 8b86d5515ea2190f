import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/ports.js';
import { silentLogger } from '../../src/core/logger.js';
import { startEngineSim } from '../../src/sim/index.js';
import { metricValue, putEndpoint, servedCount, startCluster, TOKEN, type Cluster } from './harness.js';

describe('router: balancing, failover and cancellation', () => {
  let c: Cluster | undefined;
  afterEach(async () => {
    await c?.close();
    c = undefined;
  });

  const chat = (cl: Cluster, maxTokens = 1) =>
    cl.client.chat.completions.create({
      model: 'demo',
      messages: [{ role: 'user', content: 'hi' }],
      max_tokens: maxTokens,
    });

  it('round-robin spreads requests evenly over the replicas', async () => {
    c = await startCluster({ replicas: 3, policy: 'round-robin' });
    for (let i = 0; i < 30; i++) await chat(c);
    expect(await Promise.all(c.sims.map(servedCount))).toEqual([10, 10, 10]);
  });

  it('least-outstanding spreads concurrent requests', async () => {
    c = await startCluster({ replicas: 3, sim: { itlMs: 10 } });
    const cl = c;
    await Promise.all(Array.from({ length: 30 }, () => chat(cl, 10)));
    const counts = await Promise.all(c.sims.map(servedCount));
    expect(counts.reduce((a, b) => a + b, 0)).toBe(30);
    for (const n of counts) expect(n).toBeGreaterThanOrEqual(8);
  });

  it('fails over when a replica is killed, and retries 5xx before the first byte elsewhere', async () => {
    c = await startCluster({ replicas: 3, policy: 'round-robin', sim: {} });
    await c.sims[1]!.stop(); // the endpoint still says ready: the node has not noticed yet
    for (let i = 0; i < 9; i++) await chat(c);
    expect(await metricValue(c.router, 'nebula_router_retries_total')).toBeGreaterThan(0);
    expect(
      await metricValue(c.router, 'nebula_router_upstream_errors_total', { kind: 'connect' }),
    ).toBeGreaterThan(0);
    expect((await servedCount(c.sims[0]!)) + (await servedCount(c.sims[2]!))).toBe(9);
  });

  it('retries an engine answering 500 on another replica, and passes it through when none is left', async () => {
    c = await startCluster({ replicas: 1, policy: 'round-robin' });
    const failing = await startEngineSim(
      { model: 'demo', port: 0, ttftMs: 0, itlMs: 0, failRate: 1, shutdownGraceMs: 0 },
      { logger: silentLogger() },
    );
    c.sims.push(failing);
    await putEndpoint(c.store, 'demo', 1, failing.port);
    const cl = c;
    await waitFor(() => cl.router.table.lookup('demo')?.replicas.length === 2);
    for (let i = 0; i < 6; i++) await chat(c);
    expect(await servedCount(c.sims[0]!)).toBe(6);
    expect(
      await metricValue(c.router, 'nebula_router_upstream_errors_total', { kind: 'http_5xx' }),
    ).toBeGreaterThan(0);
    expect(await metricValue(c.router, 'nebula_router_retries_total')).toBeGreaterThan(0);

    await c.store.delete('/endpoints/demo/0');
    await waitFor(() => cl.router.table.lookup('demo')?.replicas.length === 1);
    const err = await chat(c).catch((e: unknown) => e);
    expect((err as { status?: number }).status).toBe(500);
  });

  it('a client abort cancels the upstream request', async () => {
    c = await startCluster({ replicas: 1, sim: { itlMs: 50 } });
    const sim = c.sims[0]!;
    const ac = new AbortController();
    const stream = await c.client.chat.completions.create(
      { model: 'demo', messages: [{ role: 'user', content: 'long' }], max_tokens: 500, stream: true },
      { signal: ac.signal },
    );
    const it = stream[Symbol.asyncIterator]();
    await it.next();
    expect(sim.snapshot().running).toBe(1);
    expect(await metricValue(c.router, 'nebula_router_active_streams')).toBe(1);
    ac.abort();
    await waitFor(() => sim.snapshot().running === 0, {
      timeoutMs: 3000,
      what: 'engine running gauge to drop',
    });
    const r = c.router;
    await waitFor(async () => (await metricValue(r, 'nebula_router_active_streams')) === 0, {
      timeoutMs: 3000,
    });
    expect(await metricValue(c.router, 'nebula_router_requests_total', { status: '499' })).toBe(1);
  });

  it('passes the engine 429 through when no other replica is left', async () => {
    c = await startCluster({ replicas: 1, sim: { maxNumSeqs: 1, maxWaiting: 0, itlMs: 50 } });
    const cl = c;
    const long = chat(cl, 20);
    await waitFor(() => cl.sims[0]!.snapshot().running === 1, { timeoutMs: 3000 });
    const res = await fetch(`${cl.router.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'demo', messages: [{ role: 'user', content: 'x' }], max_tokens: 1 }),
    });
    expect(res.status).toBe(429);
    await res.text();
    await long;
  });
});
