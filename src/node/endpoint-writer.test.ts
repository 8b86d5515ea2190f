import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Endpoint } from '../core/domain/index.js';
import { keys } from '../core/keys.js';
import { openEmbeddedStore } from '../store/embedded/index.js';
import type { Store } from '../store/types.js';
import { EndpointWriter } from './endpoint-writer.js';

function ep(nodeId: string, status: Endpoint['status'] = 'ready'): Endpoint {
  return {
    model_uid: 'm1',
    replica_id: 0,
    node_id: nodeId,
    address: `${nodeId}.local`,
    port: 40001,
    engine_type: 'sim',
    served_model_name: 'm1',
    status,
    plan_version: 1,
    gpu_indices: [],
    restarts: 0,
    updated_at: '2026-01-01T00:00:00.000Z',
  };
}

describe('EndpointWriter', () => {
  let store: Store;
  let a: EndpointWriter;
  let b: EndpointWriter;
  let leaseA: string;

  beforeEach(async () => {
    store = await openEmbeddedStore({});
    leaseA = await store.grantLease(30);
    const leaseB = await store.grantLease(30);
    a = new EndpointWriter(store, 'node-a', () => leaseA);
    b = new EndpointWriter(store, 'node-b', () => leaseB);
  });
  afterEach(async () => store.close());

  const owner = async () => {
    const kv = await store.get(keys.endpoint('m1', 0));
    return kv ? (JSON.parse(kv.value) as Endpoint).node_id : undefined;
  };

  it('writes under the node lease', async () => {
    expect(await a.publish(ep('node-a'), true)).toBe(true);
    expect((await store.get(keys.endpoint('m1', 0)))?.lease).toBe(leaseA);
  });

  it('leaves a key held by another node alone unless it takes the replica over', async () => {
    await a.publish(ep('node-a'), true);
    expect(await b.publish(ep('node-b', 'stopping'), false)).toBe(false);
    expect(await owner()).toBe('node-a');
    expect(await b.publish(ep('node-b', 'starting'), true)).toBe(true);
    expect(await owner()).toBe('node-b');
    // The old node, stopping its copy, neither overwrites nor deletes the new owner's endpoint.
    expect(await a.publish(ep('node-a', 'stopping'), false)).toBe(false);
    await a.remove('m1', 0);
    expect(await owner()).toBe('node-b');
    await b.remove('m1', 0);
    expect(await owner()).toBeUndefined();
  });

  it('keeps concurrent writes to one key in call order', async () => {
    const statuses: Endpoint['status'][] = [
      'downloading',
      'starting',
      'ready',
      'failed',
      'starting',
      'ready',
    ];
    await Promise.all(statuses.map((s) => a.publish(ep('node-a', s), true)));
    const kv = await store.get(keys.endpoint('m1', 0));
    expect((JSON.parse(kv!.value) as Endpoint).status).toBe('ready');
    expect(kv?.version).toBe(statuses.length);
  });

  it('re-publishes everything after the lease was lost', async () => {
    await a.publish(ep('node-a'), true);
    await store.revokeLease(leaseA);
    expect(await store.get(keys.endpoint('m1', 0))).toBeUndefined();
    leaseA = await store.grantLease(30);
    await a.republishAll();
    const kv = await store.get(keys.endpoint('m1', 0));
    expect(kv?.lease).toBe(leaseA);
    // A removed endpoint is not brought back.
    await a.remove('m1', 0);
    await a.republishAll();
    expect(await store.get(keys.endpoint('m1', 0))).toBeUndefined();
  });
});
