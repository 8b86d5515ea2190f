import { beforeAll, describe, expect, it } from 'vitest';
import { NodeSettings } from '../../src/core/domain/index.js';
import { keys } from '../../src/core/keys.js';
import { getJson } from '../../src/store/json.js';
import { createModel, useApp } from './helpers.js';
import { GIB, putCache, putDisk, putEndpoint, putNode, putPlan } from './fixtures.js';

describe.each([false, true])('nodes, cache, disk, alerts, events (view cache %s)', (viewCache) => {
  const t = useApp({ viewCache });
  beforeAll(async () => {
    await putNode(t.store, 'node-a', { gpus: 2 });
    await putNode(t.store, 'node-b', { gpus: 1, heartbeatAgoMs: 90_000 });
    await createModel(t, 'm1', { auto_start: true, replicas: 2 });
    await putPlan(t.store, 'm1', [
      { replica: 0, node: 'node-a', gpus: [0], mem: 30 * GIB },
      { replica: 1, node: 'node-a', gpus: [1], mem: 20 * GIB },
    ]);
    await putPlan(t.store, 'm2', [{ replica: 0, node: 'node-gone', gpus: [0], mem: 8 * GIB }]);
    await putEndpoint(t.store, 'm1', 0, 'ready', { node: 'node-a' });
    await putEndpoint(t.store, 'm1', 1, 'starting', { node: 'node-a' });
    await putCache(t.store, 'node-a', 'Qwen/Qwen2.5-7B-Instruct', 15 * GIB, {
      lastUsed: '2026-01-02T00:00:00.000Z',
    });
    await putCache(t.store, 'node-b', 'Qwen/Qwen2.5-7B-Instruct', 10 * GIB, { complete: false });
    await putCache(t.store, 'node-b', 'BAAI/bge-m3', 2 * GIB);
    await putDisk(t.store, 'node-a', 50);
    await putDisk(t.store, 'node-b', 96);
  });
  const v = () => t.tokens.viewer;

  it('lists nodes with GPU reservations from plans, replicas, disk and alerts; remembers offline nodes', async () => {
    const { items } = await t.json('GET', '/api/v2/nodes', { token: v() });
    expect(items.map((n: { node_id: string }) => n.node_id)).toEqual(['node-a', 'node-b', 'node-gone']);
    const [a, b, gone] = items;
    expect(a).toMatchObject({
      online: true,
      replicas: 2,
      ready_replicas: 1,
      gpu_memory_total_bytes: 160 * GIB,
      gpu_memory_reserved_bytes: 50 * GIB,
      cordoned: false,
    });
    expect(a.gpus[0]).toMatchObject({
      index: 0,
      reserved_memory_bytes: 30 * GIB,
      replicas: [{ model_uid: 'm1', replica_id: 0 }],
    });
    expect(a.heartbeat_age_seconds).toBeLessThan(10);
    expect(b.heartbeat_age_seconds).toBeGreaterThan(80);
    expect(b.alerts[0]).toMatchObject({ level: 'critical' });
    expect(b.disk.usage_percent).toBe(96);
    expect(gone).toMatchObject({ online: false, address: null, replicas: 1, gpus: [] });
  });

  it('node detail: status, assignments, endpoints, cache; unknown -> 404 NODE_NOT_FOUND', async () => {
    const d = await t.json('GET', '/api/v2/nodes/node-a', { token: v() });
    expect(d.status.node_id).toBe('node-a');
    expect(d.assignments.map((x: { replica_id: number }) => x.replica_id)).toEqual([0, 1]);
    expect(d.endpoints).toHaveLength(2);
    expect(d.cache).toHaveLength(1);
    const missing = await t.call('GET', '/api/v2/nodes/nope', { token: v() });
    expect(missing.status).toBe(404);
    expect((await missing.json()).error.code).toBe('NODE_NOT_FOUND');
    expect((await t.call('GET', '/api/v2/nodes/bad%2Fid', { token: v() })).status).toBe(400);
  });

  it('cordon / drain / uncordon write NodeSettings, with versions', async () => {
    const c = await t.json('POST', '/api/v2/nodes/node-a/cordon', { token: t.tokens.operator });
    expect(c).toMatchObject({ node_id: 'node-a', cordoned: true, draining: false, updated_by: 'operator' });
    const stored = await getJson(t.store, keys.nodeSettings('node-a'), NodeSettings);
    expect(stored?.value.cordoned).toBe(true);
    expect(stored?.modRevision).toBe(c.resource_version);
    const stale = await t.call('POST', '/api/v2/nodes/node-a/drain', {
      token: t.tokens.operator,
      body: { resource_version: c.resource_version - 1 },
    });
    expect(stale.status).toBe(409);
    const d = await t.json('POST', '/api/v2/nodes/node-a/drain', {
      token: t.tokens.operator,
      headers: { 'if-match': `"${c.resource_version}"` },
    });
    expect(d).toMatchObject({ cordoned: true, draining: true });
    const list = await t.json('GET', '/api/v2/nodes', { token: v() });
    expect(list.items[0]).toMatchObject({ cordoned: true, draining: true });
    const u = await t.json('POST', '/api/v2/nodes/node-a/uncordon', { token: t.tokens.operator });
    expect(u).toMatchObject({ cordoned: false, draining: false });
    expect((await t.call('POST', '/api/v2/nodes/nope/cordon', { token: t.tokens.operator })).status).toBe(
      404,
    );
    expect(await t.store.get(keys.nodeSettings('nope'))).toBeUndefined();
  });

  it('node cache and disk', async () => {
    const cache = await t.json('GET', '/api/v2/nodes/node-b/cache', { token: v() });
    expect(cache).toMatchObject({ node_id: 'node-b', total_bytes: 12 * GIB });
    expect(cache.items).toHaveLength(2);
    const disk = await t.json('GET', '/api/v2/nodes/node-b/disk', { token: v() });
    expect(disk.disk.usage_percent).toBe(96);
    expect(disk.alerts[0].level).toBe('critical');
    expect((await t.call('GET', '/api/v2/nodes/nope/cache', { token: v() })).status).toBe(404);
    expect((await t.call('GET', '/api/v2/nodes/nope/disk', { token: v() })).status).toBe(404);
  });

  it('cluster cache summary groups by model with node spread, sizes, last use and the models using it', async () => {
    const s = await t.json('GET', '/api/v2/cache/summary', { token: v() });
    expect(s).toMatchObject({ node_count: 2, total_bytes: 27 * GIB });
    const qwen = s.items.find((i: { model_name: string }) => i.model_name === 'Qwen/Qwen2.5-7B-Instruct');
    expect(qwen).toMatchObject({
      node_count: 2,
      complete_nodes: 1,
      size_bytes: 15 * GIB,
      total_bytes: 25 * GIB,
      last_used_at: '2026-01-02T00:00:00.000Z',
    });
    expect(qwen.models).toEqual([{ model_uid: 'm1', state: 'degraded' }]);
    expect(s.items.find((i: { model_name: string }) => i.model_name === 'BAAI/bge-m3').models).toEqual([]);
  });

  it('every cache view carries name_hash, the hash segment of the entry key a purge names', async () => {
    const stored = await t.store.list(keys.modelCacheOf('node-b'));
    const byName = new Map<string, string>();
    for (const kv of stored.items) {
      const e = JSON.parse(kv.value) as { model_name: string };
      byName.set(e.model_name, kv.key.slice(keys.modelCacheOf('node-b').length));
    }
    expect(byName.size).toBe(2);
    type Entry = { model_name: string; name_hash: string };
    const pairs = (items: Entry[]) => items.map((e): [string, string] => [e.model_name, e.name_hash]);
    const cache = await t.json('GET', '/api/v2/nodes/node-b/cache', { token: v() });
    expect(new Map(pairs(cache.items))).toEqual(byName);
    const detail = await t.json('GET', '/api/v2/nodes/node-b', { token: v() });
    expect(new Map(pairs(detail.cache))).toEqual(byName);
    const model = await t.json('GET', '/api/v2/models/m1', { token: v() });
    const onB = model.cache.filter((e: { node_id: string }) => e.node_id === 'node-b');
    expect(pairs(onB)).toEqual([['Qwen/Qwen2.5-7B-Instruct', byName.get('Qwen/Qwen2.5-7B-Instruct')]]);
    const s = await t.json('GET', '/api/v2/cache/summary', { token: v() });
    for (const item of s.items as { model_name: string; nodes: { node_id: string; name_hash: string }[] }[]) {
      const b = item.nodes.find((n) => n.node_id === 'node-b');
      expect(b?.name_hash).toBe(byName.get(item.model_name));
    }
  });

  it('alerts: critical first, filters', async () => {
    await putDisk(t.store, 'node-a', 90);
    const all = await t.json('GET', '/api/v2/alerts', { token: v() });
    expect(all.items.map((a: { node_id: string; level: string }) => `${a.node_id}:${a.level}`)).toEqual([
      'node-b:critical',
      'node-a:warning',
    ]);
    const w = await t.json('GET', '/api/v2/alerts?level=warning', { token: v() });
    expect(w.items).toHaveLength(1);
    const nb = await t.json('GET', '/api/v2/alerts?node_id=node-b', { token: v() });
    expect(nb.items).toHaveLength(1);
  });

  it('events: global newest first, per model, limits', async () => {
    await t.json('PUT', '/api/v2/models/m1/scale', { token: t.tokens.operator, body: { replicas: 3 } });
    await t.json('POST', '/api/v2/models', {
      token: t.tokens.operator,
      body: { model_uid: 'm3', model_name: 'a/b', model_source: 'huggingface', engine_type: 'vllm' },
    });
    const all = await t.json('GET', '/api/v2/events', { token: v() });
    // A hub model's create also records what its files said (here: the hub is unreachable, so why not).
    expect(all.items.map((e: { model_uid: string; type: string }) => `${e.model_uid}:${e.type}`)).toEqual([
      'm3:facts',
      'm3:created',
      'm1:scaled',
      'm1:facts',
      'm1:created',
    ]);
    const one = await t.json('GET', '/api/v2/events?model_uid=m1&limit=1', { token: v() });
    expect(one.items.map((e: { type: string }) => e.type)).toEqual(['scaled']);
    const m = await t.json('GET', '/api/v2/models/m1/events?limit=10', { token: v() });
    expect(m.items).toHaveLength(3); // created, facts, scaled
    expect((await t.call('GET', '/api/v2/models/ghost/events', { token: v() })).status).toBe(404);
    expect((await t.call('GET', '/api/v2/events?limit=5000', { token: v() })).status).toBe(400);
  });
});
