import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ComponentStatus } from '../../src/core/domain/index.js';
import { keys } from '../../src/core/keys.js';
import { silentLogger } from '../../src/core/logger.js';
import { createMetricsRegistry } from '../../src/core/metrics.js';
import { createClient, ApiError, type NebulaClient } from '../../src/client/index.js';
import { createAdminApp, startAdminServer, type AdminServer } from '../../src/node/admin-api.js';
import { replicaLogPath } from '../../src/node/engine/index.js';
import { startServer, type ServerHandle } from '../../src/server/server.js';
import { openEmbeddedStore } from '../../src/store/embedded/index.js';
import { listJson } from '../../src/store/json.js';
import type { Store } from '../../src/store/types.js';
import { tempDir } from '../helpers/tmp.js';
import { putNode, putPlan } from './fixtures.js';

describe('startServer over real HTTP, with the typed client', () => {
  let store: Store;
  let server: ServerHandle;
  let client: NebulaClient;
  let admin: AdminServer;
  const dir = tempDir('nebula-server-');
  const web = join(dir.path, 'web');

  beforeAll(async () => {
    mkdirSync(join(web, 'assets'), { recursive: true });
    writeFileSync(
      join(web, 'index.html'),
      '<!doctype html><title>Nebula console</title><div id="root"></div>',
    );
    writeFileSync(join(web, 'assets', 'app-1234.js'), 'console.log("nebula")');
    writeFileSync(join(dir.path, 'secret.txt'), 'do not serve me');
    store = await openEmbeddedStore({});
    server = await startServer(
      {
        port: 0,
        host: '127.0.0.1',
        dataDir: join(dir.path, 'data'),
        webDir: web,
        instanceId: 'test-server',
        env: {},
      },
      {
        store,
        logger: silentLogger(),
        registry: createMetricsRegistry({ role: 'server', processMetrics: false }),
      },
    );
    admin = await startAdminServer(
      createAdminApp({
        nodeId: 'node-a',
        dataDir: dir.path,
        registry: createMetricsRegistry({ role: 'node', processMetrics: false }),
        replicas: () => [],
        forceStop: async () => [],
        followPollMs: 50,
      }),
      '127.0.0.1',
      0,
    );
    await putNode(store, 'node-a', { adminPort: admin.port });
    await putPlan(store, 'sim-demo', [{ replica: 0, node: 'node-a', gpus: [] }]);
    const log = replicaLogPath(dir.path, 'sim-demo', 0, 0);
    mkdirSync(dirname(log), { recursive: true });
    writeFileSync(log, 'booting\nready\n');
  });
  afterAll(async () => {
    await server?.stop();
    await admin?.close();
    await store?.close();
    dir.cleanup();
  });

  it('bootstraps the admin once: password returned, API key written 0600', async () => {
    expect(server.bootstrap).toMatchObject({ created: true, username: 'admin' });
    expect(server.adminKeyPath).toBe(join(dir.path, 'data', 'admin.key'));
    expect(statSync(server.adminKeyPath ?? '').mode & 0o777).toBe(0o600);
    const key = readFileSync(server.adminKeyPath ?? '', 'utf8').trim();
    expect(key).toBe(server.bootstrap?.apiKey);
    const anon = createClient({ baseUrl: server.url });
    const session = await anon.auth.login('admin', server.bootstrap?.password ?? '');
    client = anon.withToken(session.token);
    expect(await client.auth.whoami()).toMatchObject({ username: 'admin', auth_method: 'jwt' });
    expect(await anon.withToken(key).auth.whoami()).toMatchObject({
      username: 'admin',
      auth_method: 'api_key',
    });
  });

  it('registers itself at /components/server/{id} under a lease', async () => {
    const comps = await listJson(store, keys.componentsOf('server'), ComponentStatus);
    expect(comps.items).toHaveLength(1);
    expect(comps.items[0]?.value).toMatchObject({
      role: 'server',
      instance_id: 'test-server',
      port: server.port,
    });
    expect(comps.items[0]?.lease).toBeDefined();
  });

  it('the client covers models end to end and throws ApiError with stable codes', async () => {
    const m = await client.templates.deploy('sim-demo', { model_uid: 'sim-demo', replicas: 1 });
    expect(m.state).toBe('starting');
    const list = await client.models.list({ state: 'starting' });
    expect(list.items.map((x) => x.model_uid)).toEqual(['sim-demo']);
    expect(await client.models.listAll()).toHaveLength(1);
    const scaled = await client.models.scale('sim-demo', 2, { resource_version: m.resource_version });
    expect(scaled.desired_replicas).toBe(2);
    const err = await client.models
      .scale('sim-demo', 3, { resource_version: m.resource_version })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 409, code: 'CONFLICT' });
    const missing = await client.models.get('ghost').catch((e: unknown) => e);
    expect(missing).toMatchObject({ status: 404, code: 'MODEL_NOT_FOUND' });
    const detail = await client.models.get('sim-demo');
    expect(detail.plan?.assignments).toHaveLength(1);
    expect((await client.templates.list()).items.length).toBeGreaterThanOrEqual(6);
    expect((await client.nodes.list()).items[0]?.node_id).toBe('node-a');
    expect((await client.v1.overview()).nodes.online).toBe(1);
    const unreachable = await createClient({ baseUrl: 'http://127.0.0.1:9', timeoutMs: 2000 })
      .system.healthz()
      .catch((e: unknown) => e);
    expect(unreachable).toMatchObject({ code: 'UNREACHABLE', status: 0 });
  });

  it('tails and follows replica logs through the server (SSE helper)', async () => {
    expect(await client.models.logs('sim-demo', 0, { tail: 1 })).toBe('ready\n');
    const ctrl = new AbortController();
    const seen: string[] = [];
    const log = replicaLogPath(dir.path, 'sim-demo', 0, 0);
    setTimeout(() => writeFileSync(log, 'booting\nready\nserving request 1\n'), 200);
    for await (const line of client.models.followLogs('sim-demo', 0, { tail: 2, signal: ctrl.signal })) {
      seen.push(line);
      if (line === 'serving request 1') break;
    }
    ctrl.abort();
    expect(seen).toEqual(['booting', 'ready', 'serving request 1']);
  });

  it('serves /healthz, /metrics (route templates as labels), the OpenAPI document and the docs page', async () => {
    expect(await client.system.healthz()).toMatchObject({ status: 'ok', store: 'embedded' });
    const metrics = await client.system.metrics();
    expect(metrics).toContain(
      'nebula_server_requests_total{route="/api/v2/models",method="GET",status="200"',
    );
    expect(metrics).toContain('nebula_server_request_duration_seconds_bucket');
    expect(metrics).toContain('nebula_server_audit_writes_total{result="ok"');
    expect(metrics).toContain('nebula_server_auth_failures_total');
    expect(metrics).not.toContain('ghost');
    const doc = await client.system.openapi();
    expect(doc['openapi']).toBe('3.0.3');
    expect(JSON.stringify(doc)).toContain('"ModelView"');
    const docs = await fetch(`${server.url}/api/docs`);
    expect(docs.headers.get('content-type')).toMatch(/text\/html/);
    const html = await docs.text();
    expect(html).toContain('/api/openapi.json');
    expect(html).not.toMatch(/<script[^>]+src=|<link[^>]+href="http/);
  });

  it('serves the console with SPA fallback and never outside its directory', async () => {
    const root = await fetch(`${server.url}/`);
    expect(await root.text()).toContain('Nebula console');
    const route = await fetch(`${server.url}/models/sim-demo`);
    expect(await route.text()).toContain('Nebula console');
    const asset = await fetch(`${server.url}/assets/app-1234.js`);
    expect(asset.headers.get('content-type')).toMatch(/javascript/);
    expect(asset.headers.get('cache-control')).toContain('immutable');
    expect((await fetch(`${server.url}/assets/missing.js`)).status).toBe(404);
    for (const p of [
      '/../secret.txt',
      '/%2e%2e/secret.txt',
      '/..%2fsecret.txt',
      '/assets/%2e%2e/%2e%2e/secret.txt',
    ]) {
      const res = await fetch(`${server.url}${p}`);
      expect(await res.text(), p).not.toContain('do not serve me');
    }
    const api = await fetch(`${server.url}/api/v2/nothing`);
    expect(api.status).toBe(401);
  });

  it('stop() revokes the registration', async () => {
    await server.stop();
    const comps = await listJson(store, keys.componentsOf('server'), ComponentStatus);
    expect(comps.items).toHaveLength(0);
  });
});

describe('console not built', () => {
  it('answers a plain page that says so', async () => {
    const store = await openEmbeddedStore({});
    const s = await startServer(
      { port: 0, host: '127.0.0.1', webDir: '/nonexistent-dir', env: {} },
      { store, logger: silentLogger() },
    );
    try {
      expect(s.adminKeyPath).toBeUndefined();
      const res = await fetch(`${s.url}/`);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('web console was not built');
    } finally {
      await s.stop();
      await store.close();
    }
  });
});
