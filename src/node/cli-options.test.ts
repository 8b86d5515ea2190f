import { describe, expect, it } from 'vitest';
import { defaultNodeId, parseLabels, resolveCacheEvict, resolveNodeCliConfig } from './cli-options.js';

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
    [{ etcd: 'http://a:1', restartBackoffMs: 'soon' }, /--restart-backoff-ms/],
    [{ etcd: 'http://a:1', stopGraceMs: '-5' }, /--stop-grace-ms/],
    [{ etcd: 'http://a:1', stopGraceMs: '12d' }, /--stop-grace-ms: "12d" is longer/],
    [{ etcd: 'http://a:1', adminTokenFile: '/nonexistent/token' }, /--admin-token-file/],
    [{ etcd: 'http://a:1', cacheEvict: 'fifo' }, /--cache-evict: "fifo" is not one of off, lru/],
  ])('rejects %o', (flags, msg) => {
    expect(() => resolveNodeCliConfig(flags, {})).toThrow(msg);
  });

  it('parses labels and node ids from hostnames', () => {
    expect(parseLabels('')).toEqual({});
    expect(parseLabels(' a=1 , b.c/d=x=y ')).toEqual({ a: '1', 'b.c/d': 'x=y' });
    expect(defaultNodeId('My Host!.local')).toBe('My-Host-.local');
    expect(defaultNodeId('***')).toBe('node');
  });

  it('--cache-evict / NEBULA_CACHE_EVICT switch LRU eviction of the cache manager on (default off)', () => {
    const base = { etcd: 'http://a:2379' };
    expect(resolveNodeCliConfig(base, {}).agent.evictLru).toBe(false);
    expect(resolveNodeCliConfig({ ...base, cacheEvict: 'lru' }, {}).agent.evictLru).toBe(true);
    expect(resolveNodeCliConfig({ ...base, cacheEvict: 'LRU' }, {}).agent.evictLru).toBe(true);
    expect(resolveNodeCliConfig(base, { NEBULA_CACHE_EVICT: 'lru' }).agent.evictLru).toBe(true);
    // the flag wins over the environment
    expect(
      resolveNodeCliConfig({ ...base, cacheEvict: 'off' }, { NEBULA_CACHE_EVICT: 'lru' }).agent.evictLru,
    ).toBe(false);
    expect(() => resolveCacheEvict(undefined, { NEBULA_CACHE_EVICT: 'yes' })).toThrow(/--cache-evict/);
  });

  it('reads the restart backoff as durations, keeping --restart-backoff-ms as the old spelling', () => {
    const base = { etcd: 'http://a:1' };
    expect(resolveNodeCliConfig(base, {}).agent.timing).toBeUndefined();
    expect(
      resolveNodeCliConfig(
        { ...base, restartBackoffInitial: '2s', restartBackoffMax: '1m', restartBackoffReset: '15m' },
        {},
      ).agent.timing?.backoff,
    ).toEqual({ initialMs: 2_000, maxMs: 60_000, resetAfterMs: 900_000 });
    expect(resolveNodeCliConfig({ ...base, restartBackoffMs: '200' }, {}).agent.timing?.backoff).toEqual({
      initialMs: 200,
      maxMs: 300_000,
      resetAfterMs: 600_000,
    });
    expect(
      resolveNodeCliConfig(base, { NEBULA_NODE_RESTART_BACKOFF_MAX: '30s' }).agent.timing?.backoff,
    ).toEqual({ initialMs: 10_000, maxMs: 30_000, resetAfterMs: 600_000 });
    expect(resolveNodeCliConfig({ ...base, orphanGrace: '5s' }, {}).agent.orphanGraceMs).toBe(5_000);
    expect(() => resolveNodeCliConfig({ ...base, restartBackoffInitial: 'soon' }, {})).toThrow(
      /--restart-backoff-initial: "soon" is not a duration/,
    );
    expect(() =>
      resolveNodeCliConfig({ ...base, restartBackoffInitial: '1m', restartBackoffMax: '10s' }, {}),
    ).toThrow(/--restart-backoff-max/);
    expect(() => resolveNodeCliConfig({ ...base, restartBackoffInitial: '0s' }, {})).toThrow(
      /--restart-backoff-initial/,
    );
    expect(() => resolveNodeCliConfig({ ...base, orphanGrace: 'x' }, {})).toThrow(/--orphan-grace/);
  });

  it('reads the -ms flags as durations too, a bare number still in milliseconds', () => {
    const base = { etcd: 'http://a:1' };
    const initial = (restartBackoffMs: string) =>
      resolveNodeCliConfig({ ...base, restartBackoffMs }, {}).agent.timing?.backoff?.initialMs;
    expect(['1s', '1500ms', '1m30s', '250'].map(initial)).toEqual([1_000, 1_500, 90_000, 250]);
    const grace = (stopGraceMs: string, env: NodeJS.ProcessEnv = {}) =>
      resolveNodeCliConfig({ ...base, ...(stopGraceMs ? { stopGraceMs } : {}) }, env).agent.timing
        ?.stopGraceMs;
    expect(grace('2000')).toBe(2_000);
    expect(grace('20s')).toBe(20_000);
    expect(grace('0')).toBe(0);
    expect(grace('', { NEBULA_NODE_STOP_GRACE_MS: '1m' })).toBe(60_000);
    const settle = (drainSettleMs: string, env: NodeJS.ProcessEnv = {}) =>
      resolveNodeCliConfig({ ...base, ...(drainSettleMs ? { drainSettleMs } : {}) }, env).agent.timing
        ?.drainSettleMs;
    expect(settle('2s')).toBe(2_000);
    expect(settle('', { NEBULA_NODE_DRAIN_SETTLE_MS: '500' })).toBe(500);
    expect(settle('')).toBeUndefined();
    expect(() => settle('-1')).toThrow(/--drain-settle-ms/);
    expect(initial('2d')).toBe(172_800_000);
    expect(() => initial('0')).toThrow(/must be more than 0/);
  });
});
