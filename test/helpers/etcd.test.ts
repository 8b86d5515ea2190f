import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEtcd, type EtcdProcess } from './etcd.js';

describe('test etcd helper', () => {
  let etcd: EtcdProcess;
  beforeAll(async () => {
    etcd = await startEtcd();
  });
  afterAll(async () => {
    await etcd?.destroy();
  });

  it('serves /health and survives a restart', async () => {
    expect((await fetch(`${etcd.endpoint}/health`)).ok).toBe(true);
    await etcd.stop();
    await expect(fetch(`${etcd.endpoint}/health`)).rejects.toThrow();
    await etcd.start();
    expect((await fetch(`${etcd.endpoint}/health`)).ok).toBe(true);
  });
});
