import { describe, expect, it } from 'vitest';
import { defaultNodeId, parseLabels, resolveNodeCliConfig } from './cli-options.js';

describe('nebula node options', () => {
  it('takes flags over NEBULA_* env over defaults', () => {
    const env = {
      NEBULA_ETCD: 'http://e1:2379',
      NEBULA_NODE_ID: 'from-env',
      NEBULA_GPUS: 'sim:1x24GiB',
      NEBULA_NODE_TOKEN: 's3cret',
    };
    const cfg = resolveNodeCliConfig(
      { nodeId: 'gpu-1', adminPort: '9100', labels: 'zone=a,gpu=h100', dataDir: '/tmp/n1' },
      env,
    );
    expect(cfg.etcd).toEqual(['http://e1:2379']);
    expect(cfg.agent).toMatchObject({
      nodeId: 'gpu-1',
      gpus: 'sim:1x24GiB',
      adminPort: 9100,
      address: '127.0.0.1',
      portRange: { start: 40000, end: 40999 },
      labels: { zone: 'a', gpu: 'h100' },
      dataDir: '/tmp/n1',
      adminToken: 's3cret',
    });
    expect(cfg.keepEnginesOnExit).toBe(false);
  });

  it('takes --engine-bin (repeatable) over NEBULA_ENGINE_BINS and refuses relative paths', () => {
    const cfg = resolveNodeCliConfig(
      { etcd: 'http://a:2379', engineBin: ['llamacpp=/opt/llama/bin/llama-server'] },
      { NEBULA_ENGINE_BINS: 'vllm=/opt/venv/bin/vllm,llamacpp=/env/llama-server' },
    );
    expect(cfg.agent.engineBins).toEqual({
      llamacpp: '/opt/llama/bin/llama-server',
      vllm: '/opt/venv/bin/vllm',
    });
    expect(resolveNodeCliConfig({ etcd: 'http://a:2379' }, {}).agent.engineBins).toBeUndefined();
    expect(() =>
      resolveNodeCliConfig({ etcd: 'http://a:2379', engineBin: ['llamacpp=./llama-server'] }, {}),
    ).toThrow('--engine-bin: llamacpp: "./llama-server" is not an absolute path');
  });

  it('applies defaults', () => {
    const cfg = resolveNodeCliConfig({ etcd: 'http://a:2379,http://b:2379' }, {});
    expect(cfg.etcd).toHaveLength(2);
    expect(cfg.agent.adminPort).toBe(9092);
    expect(cfg.agent.gpus).toBe('auto');
    expect(cfg.agent.adminToken).toBeUndefined();
    expect(cfg.agent.nodeId).toBe(defaultNodeId());
  });

  it.each([
    [{}, /--etcd is required/],
    [{ etcd: 'ftp://x' }, /http/],
    [{ etcd: 'http://a:1', nodeId: 'bad/id' }, /--node-id/],
    [{ etcd: 'http://a:1', gpus: 'lots' }, /--gpus/],
    [{ etcd: 'http://a:1', portRange: '5-1' }, /port range/],
    [{ etcd: 'http://a:1', adminPort: '70000' }, /outside/],
    [{ etcd: 'http://a:1', labels: 'novalue' }, /--labels/],
    [{ etcd: 'http://a:1', labels: '-bad=1' }, /--labels/],
    [{ etcd: 'http://a:1', restartBackoffMs: '1s' }, /--restart-backoff-ms/],
    [{ etcd: 'http://a:1', adminTokenFile: '/nonexistent/token' }, /--admin-token-file/],
  ])('rejects %o', (flags, msg) => {
    expect(() => resolveNodeCliConfig(flags, {})).toThrow(msg);
  });

  it('parses labels and node ids from hostnames', () => {
    expect(parseLabels('')).toEqual({});
    expect(parseLabels(' a=1 , b.c/d=x=y ')).toEqual({ a: '1', 'b.c/d': 'x=y' });
    expect(defaultNodeId('My Host!.local')).toBe('My-Host-.local');
    expect(defaultNodeId('***')).toBe('node');
  });
});
