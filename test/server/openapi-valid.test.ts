import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/logger.js';
import { createMetricsRegistry } from '../../src/core/metrics.js';
import { startServer, type ServerHandle } from '../../src/server/server.js';
import { openEmbeddedStore } from '../../src/store/embedded/index.js';
import type { Store } from '../../src/store/types.js';

/** The live OpenAPI document, fetched from a listening server, passes a standard OpenAPI 3 validator. */
describe('GET /api/openapi.json', () => {
  let store: Store;
  let server: ServerHandle;

  beforeAll(async () => {
    store = await openEmbeddedStore({});
    server = await startServer(
      { port: 0, host: '127.0.0.1', instanceId: 'openapi-test', webDir: '/nonexistent-web-dir', env: {} },
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
  });

  it('validates against the OpenAPI 3.0 schema', async () => {
    const res = await fetch(`${server.url}/api/openapi.json`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as Record<string, unknown>;
    const validator = new Validator();
    const result = await validator.validate(doc);
    const errs =
      typeof result.errors === 'string' ? [{ instancePath: result.errors }] : (result.errors ?? []);
    const where = [...new Set(errs.map((e) => e.instancePath))].slice(0, 10);
    expect(where).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.0');
  });

  it('declares every path parameter as required and non-null (the replica logs route included)', async () => {
    const doc = (await (await fetch(`${server.url}/api/openapi.json`)).json()) as {
      paths: Record<
        string,
        Record<
          string,
          { parameters?: { in: string; name: string; required?: boolean; schema?: { nullable?: boolean } }[] }
        >
      >;
    };
    const logs = doc.paths['/api/v2/models/{uid}/replicas/{replica_id}/logs']?.['get'];
    const rid = logs?.parameters?.find((p) => p.name === 'replica_id');
    expect(rid).toMatchObject({ in: 'path', required: true });
    expect(rid?.schema?.nullable).toBeUndefined();
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const op of Object.values(ops)) {
        for (const p of op.parameters ?? []) {
          if (p.in === 'path')
            expect({ path, name: p.name, required: p.required }).toEqual({
              path,
              name: p.name,
              required: true,
            });
        }
      }
    }
  });
});
