import { createServer } from 'node:http';
import { describe, expect, it } from 'vitest';
import { Endpoint, ModelSpec } from '../../core/domain/index.js';
import { engineModelSelection } from '../../engines/lora-routing.js';
import { EndpointTable } from './endpoint-table.js';
import { LoadScraper } from './load-scraper.js';
import { waitFor } from '../../../test/helpers/wait-for.js';
import { PoolSet } from './pool-set.js';
import { buildManagedModels } from './store-source.js';

const now = '2026-01-01T00:00:00.000Z';

function spec(engine: 'llamacpp' | 'vllm', adapters: string[]): ModelSpec {
  return ModelSpec.parse({
    model_uid: 'base',
    model_name: 'org/base',
    model_source: 'huggingface',
    engine_type: engine,
    served_model_name: 'chat',
    adapters: adapters.map((name) => ({ name, source: 'huggingface', model_id: `org/${name}` })),
    created_at: now,
    updated_at: now,
  });
}

function ep(replica: number, engine: 'llamacpp' | 'vllm', adapters: string[], status = 'ready'): Endpoint {
  return Endpoint.parse({
    model_uid: 'base',
    replica_id: replica,
    node_id: 'n1',
    address: '127.0.0.1',
    port: 41000 + replica,
    engine_type: engine,
    served_model_name: 'chat',
    status,
    plan_version: 1,
    adapters: adapters.map((name, id) => ({ name, id })),
    updated_at: now,
  });
}

const table = () =>
  new EndpointTable({
    pools: new PoolSet({
      connectTimeoutMs: 1000,
      firstByteTimeoutMs: 1000,
      idleTimeoutMs: 1000,
      keepAliveTimeoutMs: 1000,
    }),
    defaultPolicy: 'prefix-aware',
  });

describe('LoRA adapters in the routing table', () => {
  it('llama.cpp: the base name plus the adapter selected by id; the base with every adapter at 0', () => {
    expect(
      engineModelSelection(
        'llamacpp',
        'chat',
        [
          { name: 'sql', id: 0 },
          { name: 'fr', id: 1 },
        ],
        'fr',
      ),
    ).toEqual({
      servedName: 'chat',
      bodyFields: {
        lora: [
          { id: 0, scale: 0 },
          { id: 1, scale: 1 },
        ],
      },
    });
    expect(engineModelSelection('llamacpp', 'chat', [{ name: 'sql', id: 0 }], undefined)).toEqual({
      servedName: 'chat',
      bodyFields: { lora: [{ id: 0, scale: 0 }] },
    });
    expect(engineModelSelection('llamacpp', 'chat', [], undefined)).toEqual({ servedName: 'chat' });
    expect(engineModelSelection('vllm', 'chat', [{ name: 'sql', id: 0 }], 'sql')).toEqual({
      servedName: 'sql',
    });
    expect(engineModelSelection('vllm', 'chat', [{ name: 'sql', id: 0 }], undefined)).toEqual({
      servedName: 'chat',
    });
  });

  it('an adapter resolves to the replicas of its base that loaded it, listed with its parent', () => {
    const specs = new Map([['base', spec('vllm', ['sql', 'fr'])]]);
    // Replica 1 runs an older launch without "fr"; replica 2 is not ready.
    const models = buildManagedModels(
      [ep(0, 'vllm', ['sql', 'fr']), ep(1, 'vllm', ['sql']), ep(2, 'vllm', ['sql', 'fr'], 'starting')],
      specs,
      0,
    );
    const t = table();
    t.setManaged(models);
    const sql = t.lookup('sql')!;
    const fr = t.lookup('fr')!;
    const base = t.lookup('chat')!;
    expect(sql.replicas.map((r) => r.target.origin)).toEqual([
      'http://127.0.0.1:41000',
      'http://127.0.0.1:41001',
    ]);
    expect(fr.replicas.map((r) => r.target.servedName)).toEqual(['fr']);
    expect(base.replicas.map((r) => r.target.servedName)).toEqual(['chat', 'chat']);
    // Metrics per adapter, balancers (prefix tables) apart from the base's.
    expect([sql.label, fr.label, base.label]).toEqual(['sql', 'fr', 'base']);
    expect(sql.balancer).not.toBe(base.balancer);
    expect(new Set([...sql.replicas, ...base.replicas].map((r) => r.id)).size).toBe(4);
    // One engine, one load: adapter replicas are not engines of their own (scrapes and engine gauges).
    expect([...t.engineReplicas()].map((r) => r.id)).toEqual(['base/0', 'base/1']);
    const list = JSON.parse(t.modelsListBody()) as { data: { id: string; parent?: string }[] };
    expect(list.data.map((d) => [d.id, d.parent])).toEqual([
      ['chat', undefined],
      ['fr', 'chat'],
      ['sql', 'chat'],
    ]);
    t.clear();
  });

  it('an adapter removed from the spec is gone at once, while replicas still load it', () => {
    const t = table();
    t.setManaged(
      buildManagedModels([ep(0, 'llamacpp', ['sql'])], new Map([['base', spec('llamacpp', [])]]), 0),
    );
    expect(t.lookup('sql')).toBeUndefined();
    expect(t.lookup('chat')?.replicas[0]?.target.bodyFields).toEqual({ lora: [{ id: 0, scale: 0 }] });
    t.clear();
  });
});

describe('load scrapes with adapters', () => {
  it('scrape each engine once and give its load to the adapter routes on it', async () => {
    let scrapes = 0;
    const srv = createServer((_req, res) => {
      scrapes++;
      res.end('vllm:num_requests_running 3\nvllm:num_requests_waiting 2\n');
    });
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
    const port = (srv.address() as { port: number }).port;
    const t = table();
    const e = { ...ep(0, 'vllm', ['sql', 'fr']), port };
    t.setManaged(buildManagedModels([e], new Map([['base', spec('vllm', ['sql', 'fr'])]]), 0));
    const scraper = new LoadScraper(() => t.allReplicas(), { intervalMs: 60_000, timeoutMs: 2_000 });
    scraper.scrapeAll();
    const all = [...t.allReplicas()];
    expect(all).toHaveLength(3);
    await waitFor(() => all.every((r) => r.loadAt > 0), { timeoutMs: 5_000, what: 'the scraped loads' });
    expect(scrapes).toBe(1);
    expect(all.map((r) => [r.running, r.waiting])).toEqual([
      [3, 2],
      [3, 2],
      [3, 2],
    ]);
    scraper.stop();
    t.clear();
    await new Promise((r) => srv.close(r));
  });
});
