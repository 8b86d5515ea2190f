import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../../src/client/index.js';
import { silentLogger } from '../../src/core/logger.js';
import { createMetricsRegistry } from '../../src/core/metrics.js';
import { startServer, type ServerHandle } from '../../src/server/server.js';
import { openEtcdStore } from '../../src/store/etcd/index.js';
import type { Store } from '../../src/store/types.js';
import { startEtcd, type EtcdProcess } from '../helpers/etcd.js';
import { putEndpoint, putPlan } from './fixtures.js';

describe('the server on a real etcd (view cache over a watch)', () => {
  let etcd: EtcdProcess;
  let store: Store;
  let server: ServerHandle;
  beforeAll(async () => {
    etcd = await startEtcd();
    store = await openEtcdStore({
      endpoints: [etcd.endpoint],
      namespace: '/t-server',
      logger: silentLogger(),
    });
    server = await startServer(
      { port: 0, host: '127.0.0.1', env: {}, webDir: '/nonexistent' },
      {
        store,
        logger: silentLogger(),
        registry: createMetricsRegistry({ role: 'server', processMetrics: false }),
      },
    );
  });
  afterAll(async () => {
    await server?.stop();
    await store?.close();
    await etcd?.destroy();
  });

  it('creates, lists at once, sees writes of other components, keeps versions and audit', async () => {
    const c = createClient({ baseUrl: server.url, token: server.bootstrap?.apiKey });
    const m = await c.models.create({
      model_uid: 'etcd-model',
      model_name: 'Qwen/Qwen2.5-7B-Instruct',
      model_source: 'huggingface',
      engine_type: 'vllm',
      auto_start: true,
    });
    expect((await c.models.list()).items.map((x) => x.model_uid)).toEqual(['etcd-model']);
    await putPlan(store, 'etcd-model', [{ replica: 0, node: 'n1' }]);
    await putEndpoint(store, 'etcd-model', 0, 'ready', { node: 'n1' });
    expect((await c.models.list()).items[0]).toMatchObject({ state: 'running', ready_replicas: 1 });
    await c.models.scale('etcd-model', 2, { resource_version: m.resource_version });
    await expect(
      c.models.scale('etcd-model', 3, { resource_version: m.resource_version }),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
    expect((await c.models.list()).items[0]).toMatchObject({ state: 'degraded', desired_replicas: 2 });
    expect((await c.v1.overview()).models.by_state).toEqual({ degraded: 1 });
    const audit = await c.audit.list({ action: 'model.' });
    expect(audit.items.map((e) => `${e.action}:${e.status_code}`)).toEqual([
      'model.scale:409',
      'model.scale:200',
      'model.create:201',
    ]);
    await c.models.delete('etcd-model');
    expect((await c.models.list()).total).toBe(0);
  });
});
