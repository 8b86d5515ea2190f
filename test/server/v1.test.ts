import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Hono } from 'hono';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ComponentStatus, LeaderRecord, ModelRequest } from '../../src/core/domain/index.js';
import { keys } from '../../src/core/keys.js';
import { createMetricsRegistry } from '../../src/core/metrics.js';
import { createAdminApp, startAdminServer, type AdminServer } from '../../src/node/admin-api.js';
import { replicaLogPath } from '../../src/node/engine/index.js';
import { encode } from '../../src/store/json.js';
import { JumpClock } from '../helpers/jump-clock.js';
import { tempDir } from '../helpers/tmp.js';
import { makeApp, type TestApp } from './helpers.js';
import { putEndpoint, putNode, putPlan, specFor } from './fixtures.js';

const ROUTER_METRICS = (n: number) => `# HELP nebula_router_requests_total Requests.
# TYPE nebula_router_requests_total counter
nebula_router_requests_total{model="m1",status="200",route="/v1/chat/completions"} ${90 + n}
nebula_router_requests_total{model="m1",status="500",route="/v1/chat/completions"} 10
nebula_router_requests_total{model="m2",status="200",route="/v1/embeddings"} 5
# TYPE nebula_router_request_duration_seconds histogram
nebula_router_request_duration_seconds_bucket{model="m1",route="/v1/chat/completions",le="0.1"} 50
nebula_router_request_duration_seconds_bucket{model="m1",route="/v1/chat/completions",le="0.5"} 90
nebula_router_request_duration_seconds_bucket{model="m1",route="/v1/chat/completions",le="1"} 100
nebula_router_request_duration_seconds_bucket{model="m1",route="/v1/chat/completions",le="+Inf"} 100
nebula_router_request_duration_seconds_sum{model="m1",route="/v1/chat/completions"} 30
nebula_router_request_duration_seconds_count{model="m1",route="/v1/chat/completions"} 100
# TYPE nebula_router_time_to_first_token_seconds histogram
nebula_router_time_to_first_token_seconds_bucket{model="m1",le="0.05"} 80
nebula_router_time_to_first_token_seconds_bucket{model="m1",le="0.25"} 100
nebula_router_time_to_first_token_seconds_bucket{model="m1",le="+Inf"} 100
# TYPE nebula_router_prompt_tokens_total counter
nebula_router_prompt_tokens_total{model="m1"} 1000
# TYPE nebula_router_completion_tokens_total counter
nebula_router_completion_tokens_total{model="m1"} ${2000 + n}
# TYPE nebula_router_active_streams gauge
nebula_router_active_streams 3
`;

describe('v1 API', () => {
  let t: TestApp;
  let router: Server;
  let routerUrl: string;
  let scrapes = 0;
  let routerTrace: string | undefined;
  let admin: AdminServer;
  const stops: { uid: string; rid: number | undefined }[] = [];
  const dataDir = tempDir('nebula-v1-');
  let adminAuth: string | undefined;
  // The server's clock: real time, moved ahead where a test would otherwise wait (the metrics cache).
  const clock = new JumpClock();

  beforeAll(async () => {
    router = createServer((req, res) => {
      routerTrace = req.headers['traceparent'] as string | undefined;
      if (req.url === '/healthz') return void res.end('ok');
      if (req.url === '/metrics') {
        scrapes++;
        res.setHeader('content-type', 'text/plain; version=0.0.4');
        return void res.end(ROUTER_METRICS(scrapes === 1 ? 0 : 10));
      }
      res.statusCode = 404;
      res.end();
    });
    await new Promise<void>((r) => router.listen(0, '127.0.0.1', r));
    routerUrl = `http://127.0.0.1:${(router.address() as AddressInfo).port}`;
    const nodeApp = createAdminApp({
      nodeId: 'node-a',
      dataDir: dataDir.path,
      token: 'node-secret',
      registry: createMetricsRegistry({ role: 'node', processMetrics: false }),
      replicas: () => [],
      forceStop: async (uid, rid) => {
        stops.push({ uid, rid });
        return uid === 'm1' ? [0, 1] : [];
      },
      followPollMs: 50,
    });
    const outer = new Hono();
    outer.use('*', async (c, next) => {
      adminAuth = c.req.header('authorization');
      await next();
    });
    outer.route('/', nodeApp);
    admin = await startAdminServer(outer, '127.0.0.1', 0);
    t = await makeApp({ routerUrl, nodeToken: 'node-secret' }, { clock });
    await putNode(t.store, 'node-a', { adminPort: admin.port });
    await putNode(t.store, 'node-dead', { adminPort: 9 });
    const log = replicaLogPath(dataDir.path, 'm1', 0, 0);
    mkdirSync(dirname(log), { recursive: true });
    writeFileSync(log, Array.from({ length: 50 }, (_, i) => `line ${i}`).join('\n') + '\n');
  });
  afterAll(async () => {
    await t.close();
    await admin.close();
    await new Promise<void>((r) => router.close(() => r()));
    dataDir.cleanup();
  });
  const v = () => t.tokens.viewer;

  it('load writes a Pending request with the spec inline; unload marks it Unloading', async () => {
    const req = await t.json('POST', '/api/models/load', {
      token: t.tokens.operator,
      body: {
        model_uid: 'legacy',
        model_name: 'Qwen/Qwen2.5-0.5B',
        model_source: 'huggingface',
        engine_type: 'vllm',
        replicas: 2,
      },
    });
    expect(req).toMatchObject({
      status: 'Pending',
      replicas: 2,
      spec: { model_uid: 'legacy', model_name: 'Qwen/Qwen2.5-0.5B', resources: { gpu_count: 1 } },
    });
    expect(req.request_id).toMatch(/^req-[0-9a-f]{12}$/);
    const stored = JSON.parse((await t.store.get(keys.modelRequest(req.request_id)))?.value ?? '{}');
    expect(stored.status).toBe('Pending');
    const list = await t.json('GET', '/api/requests', { token: v() });
    expect(list.items).toHaveLength(1);
    const un = await t.json('POST', '/api/models/unload', {
      token: t.tokens.operator,
      body: { model_uid: 'legacy' },
    });
    expect(un.items[0].status).toBe('Unloading');
    const again = await t.json('DELETE', `/api/requests/${req.request_id}`, { token: t.tokens.operator });
    expect(again.status).toBe('Unloading');
    expect(
      (await t.call('POST', '/api/models/unload', { token: t.tokens.operator, body: { request_id: 'nope' } }))
        .status,
    ).toBe(404);
    expect((await t.call('POST', '/api/models/unload', { token: t.tokens.operator, body: {} })).status).toBe(
      422,
    );
    expect(
      (await t.call('POST', '/api/models/load', { token: t.tokens.operator, body: { model_name: 'x/y' } }))
        .status,
    ).toBe(422);
    const dup = await t.call('POST', '/api/models/load', {
      token: t.tokens.operator,
      body: {
        request_id: req.request_id,
        model_uid: 'legacy',
        model_name: 'a/b',
        model_source: 'huggingface',
        engine_type: 'vllm',
      },
    });
    expect(dup.status).toBe(409);
  });

  it('lists nodes, endpoints, placements and v1 models', async () => {
    await putPlan(
      t.store,
      'm1',
      [
        { replica: 0, node: 'node-a' },
        { replica: 1, node: 'node-a', gpus: [1] },
      ],
      { planVersion: 3 },
    );
    await putEndpoint(t.store, 'm1', 0, 'ready', { planVersion: 3 });
    await putEndpoint(t.store, 'm1', 1, 'ready', { planVersion: 2 });
    const nodes = await t.json('GET', '/api/nodes', { token: v() });
    expect(nodes.items.map((n: { node_id: string }) => n.node_id)).toEqual(['node-a', 'node-dead']);
    expect(nodes.items[0]).toMatchObject({ cordoned: false, heartbeat_age_seconds: expect.any(Number) });
    expect((await t.json('GET', '/api/endpoints', { token: v() })).items).toHaveLength(2);
    expect((await t.json('GET', '/api/placements', { token: v() })).items[0].plan_version).toBe(3);
    const models = await t.json('GET', '/api/models', { token: v() });
    expect(
      models.items.map((m: { model_uid: string; origin: string }) => `${m.model_uid}:${m.origin}`),
    ).toEqual(['legacy:request', 'm1:placement']);
    expect(models.items[1]).toMatchObject({ ready_replicas: 2, state: 'running' });
  });

  it('overview counts nodes, GPUs, endpoints, placements, requests, models', async () => {
    await t.store.put(
      keys.leader('scheduler'),
      encode(LeaderRecord, { holder: 'sched-1', since: new Date().toISOString() }),
    );
    const o = await t.json('GET', '/api/overview', { token: v() });
    expect(o).toMatchObject({
      nodes: { total: 2, online: 2, offline: 0, cordoned: 0 },
      gpus: { total: 4 },
      endpoints: { total: 2, by_status: { ready: 2 } },
      placements: { total: 1, unplaced: 0, replicas: 2 },
      requests: { total: 1, by_status: { Unloading: 1 } },
      models: { total: 0 },
      scheduler_leader: 'sched-1',
    });
  });

  it('health: store, router, scheduler leader, heartbeats, plan_version consistency, components', async () => {
    await t.store.put(
      keys.component('router', 'r1'),
      encode(ComponentStatus, {
        role: 'router',
        instance_id: 'r1',
        address: '127.0.0.1',
        port: 8000,
        version: '0.1.0',
        started_at: new Date().toISOString(),
        heartbeat_at: new Date().toISOString(),
      }),
    );
    const h = await t.json('GET', '/api/health', {
      token: v(),
      headers: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' },
    });
    expect(h.store).toMatchObject({ ok: true, kind: 'embedded' });
    expect(h.router).toMatchObject({ ok: true, url: routerUrl, status: 200 });
    expect(routerTrace).toMatch(/^00-0af7651916cd43dd8448eb211c80319c-[0-9a-f]{16}-01$/);
    expect(h.scheduler.leader).toBe('sched-1');
    expect(h.nodes.every((n: { healthy: boolean }) => n.healthy)).toBe(true);
    expect(h.plan_consistency).toEqual({
      consistent: false,
      lagging: [
        { model_uid: 'm1', replica_id: 1, node_id: 'node-a', endpoint_plan_version: 2, plan_version: 3 },
      ],
    });
    expect(h.components.map((c: { role: string }) => c.role)).toEqual(['router']);
    // lag is reported, not fatal: replicas catch up with a new plan within seconds
    expect(h.status).toBe('ok');
  });

  it('router metrics as JSON: totals, per model, rates between scrapes, quantiles', async () => {
    const first = await t.json('GET', '/api/metrics/router', { token: v() });
    expect(first.url).toBe(routerUrl);
    const m1 = first.models.find((m: { model: string }) => m.model === 'm1');
    expect(m1).toMatchObject({
      requests_total: 100,
      errors_total: 10,
      prompt_tokens_total: 1000,
      completion_tokens_total: 2000,
      request_rate: null,
    });
    expect(m1.latency_seconds.p50).toBeCloseTo(0.1, 5);
    expect(m1.latency_seconds.p90).toBeCloseTo(0.5, 5);
    expect(m1.ttft_seconds.p50).toBeCloseTo(0.03125, 5);
    expect(first.totals.requests_total).toBe(105);
    expect(first.families).toEqual(
      expect.arrayContaining(['nebula_router_requests_total', 'nebula_router_time_to_first_token_seconds']),
    );
    // Scrapes less than a second apart share one result: the next one is due 1.1 s later on the server's clock.
    await clock.jump(1100);
    const second = await t.json('GET', '/api/metrics/router', { token: v() });
    const r = second.models.find((m: { model: string }) => m.model === 'm1');
    expect(r.request_rate).toBeGreaterThan(0);
    expect(r.tokens_rate).toBeGreaterThan(0);
  });

  it('force-stop goes to the registered node admin API with the node token; unknown nodes and dead nodes fail cleanly', async () => {
    const r = await t.json('POST', '/api/nodes/node-a/models/m1/stop', { token: t.tokens.operator });
    expect(r).toMatchObject({
      node_id: 'node-a',
      model_uid: 'm1',
      node_status: 200,
      result: { stopped: [0, 1] },
    });
    expect(stops).toEqual([{ uid: 'm1', rid: undefined }]);
    expect(adminAuth).toBe('Bearer node-secret');
    // One replica only (the CLI's `drain --model-uid m1 --replica-id 1`).
    await t.json('POST', '/api/nodes/node-a/models/m1/stop?replica_id=1', { token: t.tokens.operator });
    expect(stops[1]).toEqual({ uid: 'm1', rid: 1 });
    const badReplica = await t.call('POST', '/api/nodes/node-a/models/m1/stop?replica_id=-1', {
      token: t.tokens.operator,
    });
    expect([400, 422]).toContain(badReplica.status);
    expect(stops).toHaveLength(2);
    const none = await t.call('POST', '/api/nodes/node-a/models/other/stop', { token: t.tokens.operator });
    expect(none.status).toBe(404);
    expect((await none.json()).error.code).toBe('REPLICA_NOT_FOUND');
    const unknown = await t.call('POST', '/api/nodes/ghost/models/m1/stop', { token: t.tokens.operator });
    expect(unknown.status).toBe(404);
    expect((await unknown.json()).error.code).toBe('NODE_NOT_FOUND');
    const wrongToken = await makeApp({ nodeToken: 'not-the-secret' }, { store: t.store });
    const refused = await wrongToken.call('POST', '/api/nodes/node-a/models/m1/stop', {
      token: t.tokens.operator,
    });
    expect(refused.status).toBe(502);
    expect((await refused.json()).error.message).toMatch(/admin token/);
    const dead = await t.call('POST', '/api/nodes/node-dead/models/m1/stop', { token: t.tokens.operator });
    expect(dead.status).toBe(502);
    expect((await dead.json()).error.code).toBe('NODE_UNREACHABLE');
  });

  it('replica logs: tail through the node admin API, and follow as SSE', async () => {
    const tail = await t.call('GET', '/api/v2/models/m1/replicas/0/logs?tail=3', { token: v() });
    expect(tail.status).toBe(200);
    expect(tail.headers.get('x-nebula-node')).toBe('node-a');
    expect(await tail.text()).toBe('line 47\nline 48\nline 49\n');
    const ctrl = new AbortController();
    const res = await t.call('GET', '/api/v2/models/m1/replicas/0/logs?tail=2&follow=true', {
      token: v(),
      headers: {},
    });
    expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
    const reader = res.body?.getReader();
    let text = '';
    while (reader && !text.includes('line 49')) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
    }
    expect(text).toContain('data: line 48');
    expect(text).toContain('data: line 49');
    await reader?.cancel();
    ctrl.abort();
    const missing = await t.call('GET', '/api/v2/models/m1/replicas/7/logs', { token: v() });
    expect(missing.status).toBe(404);
    expect((await missing.json()).error.code).toBe('REPLICA_NOT_FOUND');
    const bad = await t.call('GET', '/api/v2/models/m1/replicas/x/logs', { token: v() });
    expect(bad.status).toBe(400);
  });
});

describe('v2 migration', () => {
  it('moves v1 requests to spec + deployment, idempotently', async () => {
    const t = await makeApp();
    try {
      const now = new Date().toISOString();
      const put = (id: string, uid: string, status: ModelRequest['status'], replicas = 1) =>
        t.store.put(
          keys.modelRequest(id),
          encode(ModelRequest, {
            request_id: id,
            spec: specFor(uid),
            replicas,
            status,
            created_at: now,
            updated_at: now,
          }),
        );
      await put('r1', 'run-a', 'Running', 2);
      await put('r2', 'sched-b', 'Scheduled');
      await put('r3', 'pend-c', 'Pending');
      await put('r4', 'fail-d', 'Failed');
      await put('r5', 'run-a', 'Running');
      await t.store.put(keys.modelRequest('r6'), '{"broken": true}');
      await t.json('POST', '/api/v2/models', {
        token: t.tokens.operator,
        body: { model_uid: 'fail-d', model_name: 'x/y', model_source: 'huggingface', engine_type: 'vllm' },
      });
      const first = await t.json('POST', '/api/v2/migrate', { token: t.tokens.admin });
      expect(first).toMatchObject({ total: 6, migrated: 3, skipped: 2, failed: 1 });
      const byId = Object.fromEntries(first.details.map((d: { request_id: string }) => [d.request_id, d]));
      expect(byId['r1']).toMatchObject({ result: 'migrated', model_uid: 'run-a' });
      expect(byId['r4']).toMatchObject({ result: 'skipped' });
      expect(byId['r6']).toMatchObject({ result: 'failed' });
      const models = await t.json('GET', '/api/v2/models', { token: t.tokens.viewer });
      const dep = Object.fromEntries(
        models.items.map((m: { model_uid: string; deployment: unknown }) => [m.model_uid, m.deployment]),
      );
      expect(dep['run-a']).toMatchObject({ desired_state: 'running', replicas: 2 });
      expect(dep['sched-b']).toMatchObject({ desired_state: 'running' });
      expect(dep['pend-c']).toMatchObject({ desired_state: 'stopped' });
      const rev = await t.store.revision();
      const second = await t.json('POST', '/api/v2/migrate', { token: t.tokens.admin });
      expect(second).toMatchObject({ total: 6, migrated: 0, skipped: 5, failed: 1 });
      const changed = (await t.store.list('/')).items.filter(
        (kv) => kv.modRevision > rev && !kv.key.startsWith('/audit/'),
      );
      expect(changed).toEqual([]);
      expect((await t.call('POST', '/api/v2/migrate', { token: t.tokens.operator })).status).toBe(403);
    } finally {
      await t.close();
    }
  });
});
