import { describe, expect, it } from 'vitest';
import type { Endpoint } from '../../core/domain/endpoint.js';
import { ModelSpec } from '../../core/domain/model.js';
import { EndpointTable } from './endpoint-table.js';
import { PoolSet } from './pool-set.js';
import { parseEngineLoad } from './prom-text.js';
import { parseStaticUpstreams, upstreamFromEnv, WILDCARD_MODEL } from './static-upstreams.js';
import { buildManagedModels, originOf } from './store-source.js';

describe('parseEngineLoad', () => {
  it('reads vLLM gauges, summing queues over series and taking the highest KV usage', () => {
    const text = [
      '# HELP vllm:num_requests_waiting Number of requests waiting.',
      '# TYPE vllm:num_requests_waiting gauge',
      'vllm:num_requests_waiting{engine="0",model_name="a"} 3.0',
      'vllm:num_requests_waiting{engine="1",model_name="a"} 2',
      'vllm:num_requests_running{model_name="a"} 7',
      'vllm:kv_cache_usage_perc{model_name="a"} 0.25',
      'vllm:gpu_cache_usage_perc{model_name="a"} 0.5 1712345678',
      'vllm:prompt_tokens_total{model_name="a"} 999',
      'other_metric 5',
    ].join('\n');
    expect(parseEngineLoad(text)).toEqual({ waiting: 5, running: 7, kvUsage: 0.5 });
  });

  it('handles SGLang names, percentages, labels with spaces and garbage', () => {
    expect(parseEngineLoad('sglang:num_queue_reqs{name="x y"} 4\nsglang:token_usage 42\n')).toEqual({
      waiting: 4,
      kvUsage: 0.42,
    });
    expect(parseEngineLoad('vllm:num_requests_waiting NaN\nvllm:num_requests_waiting{a="}"} 1\n')).toEqual({
      waiting: 1,
    });
    expect(parseEngineLoad('')).toEqual({});
  });

  it("reads llama-server's own /metrics (node-llama-cpp 3.22.1's llama.cpp, --metrics)", () => {
    // Captured from the real llama-server while one request decoded and one waited for a slot.
    const text = [
      '# HELP llamacpp:prompt_tokens_total Number of prompt tokens processed.',
      '# TYPE llamacpp:prompt_tokens_total counter',
      'llamacpp:prompt_tokens_total 29',
      'llamacpp:tokens_predicted_total 8',
      'llamacpp:n_decode_total 9',
      'llamacpp:n_tokens_max 37',
      'llamacpp:prompt_tokens_seconds 1234.5',
      '# HELP llamacpp:requests_processing Number of requests processing.',
      '# TYPE llamacpp:requests_processing gauge',
      'llamacpp:requests_processing 1',
      '# HELP llamacpp:requests_deferred Number of requests deferred.',
      '# TYPE llamacpp:requests_deferred gauge',
      'llamacpp:requests_deferred 2',
      'llamacpp:n_busy_slots_per_decode 1',
    ].join('\n');
    expect(parseEngineLoad(text)).toEqual({ running: 1, waiting: 2 });
  });
});

describe('static upstreams', () => {
  it('parses lists and objects, optionally under models:', () => {
    const env = { KEY_VAR: 'from-env' };
    const out = parseStaticUpstreams(
      {
        models: {
          a: ['http://h1:8000', 'https://h2/v/'],
          b: {
            urls: ['http://h3:1'],
            policy: 'round-robin',
            served_model_name: 'real',
            api_key_env: 'KEY_VAR',
          },
        },
      },
      'test',
      env,
    );
    expect(out).toEqual([
      {
        name: 'a',
        targets: [
          { origin: 'http://h1:8000', basePath: '' },
          { origin: 'https://h2', basePath: '/v' },
        ],
      },
      {
        name: 'b',
        targets: [{ origin: 'http://h3:1', basePath: '' }],
        policy: 'round-robin',
        servedName: 'real',
        authorization: 'Bearer from-env',
      },
    ]);
    expect(parseStaticUpstreams(null, 'x')).toEqual([]);
  });

  it('refuses what could address anything else', () => {
    expect(() => parseStaticUpstreams({ a: ['ftp://h'] }, 'f')).toThrow(/http/);
    expect(() => parseStaticUpstreams({ a: ['http://u:p@h'] }, 'f')).toThrow(/credentials/);
    expect(() => parseStaticUpstreams({ a: ['http://h/?x=1'] }, 'f')).toThrow(/query/);
    expect(() => parseStaticUpstreams({ a: [] }, 'f')).toThrow();
    expect(() => parseStaticUpstreams({ a: ['not a url'] }, 'f')).toThrow(/not a URL/);
    expect(() => parseStaticUpstreams({ 'bad name!': ['http://h'] }, 'f')).toThrow(/invalid model name/);
    expect(() =>
      parseStaticUpstreams({ a: { urls: ['http://h'], api_key_env: 'MISSING' } }, 'f', {}),
    ).toThrow(/not set/);
    expect(() => parseStaticUpstreams({ a: { urls: ['http://h'], policy: 'random' } }, 'f')).toThrow();
  });

  it('builds the lite upstream from the environment', () => {
    expect(upstreamFromEnv(undefined, 'm')).toEqual([]);
    expect(upstreamFromEnv(' ', 'm')).toEqual([]);
    expect(upstreamFromEnv('http://a:1, http://b:2', undefined)).toEqual([
      {
        name: WILDCARD_MODEL,
        targets: [
          { origin: 'http://a:1', basePath: '' },
          { origin: 'http://b:2', basePath: '' },
        ],
      },
    ]);
    expect(upstreamFromEnv('http://a:1', 'qwen')[0]?.name).toBe('qwen');
  });
});

const ts = '2026-01-01T00:00:00.000Z';
function ep(
  uid: string,
  replica: number,
  status: Endpoint['status'],
  port = 9000 + replica,
  served = uid,
): Endpoint {
  return {
    model_uid: uid,
    replica_id: replica,
    node_id: 'n1',
    address: '10.0.0.1',
    port,
    engine_type: 'sim',
    served_model_name: served,
    status,
    plan_version: 1,
    gpu_indices: [],
    restarts: 0,
    updated_at: ts,
  };
}
function spec(uid: string, extra: Partial<ModelSpec> = {}): ModelSpec {
  // The schema fills in the rest (revision, engine_config, labels), as a stored spec has them.
  return ModelSpec.parse({
    model_uid: uid,
    model_name: 'org/m',
    model_source: 'local',
    engine_type: 'sim',
    resources: { gpu_count: 0 },
    created_at: ts,
    updated_at: ts,
    ...extra,
  });
}

describe('buildManagedModels', () => {
  it('keeps ready replicas, knows models by spec or endpoints, and reads policy and served name', () => {
    const models = buildManagedModels(
      [
        ep('a', 1, 'ready'),
        ep('a', 0, 'ready'),
        ep('a', 2, 'starting'),
        ep('b', 0, 'failed'),
        ep('c', 0, 'ready', 1, 'Org/C'),
      ],
      new Map([
        ['a', spec('a', { routing_policy: 'prefix-aware', served_model_name: 'alpha' })],
        ['d', spec('d')],
      ]),
      0,
    );
    expect(models.map((m) => m.modelUid)).toEqual(['a', 'b', 'c', 'd']);
    const a = models[0]!;
    expect(a.ready.map((r) => r.replicaId)).toEqual([0, 1]);
    expect(a.policy).toBe('prefix-aware');
    expect(a.listName).toBe('alpha');
    expect(a.aliases).toEqual(['alpha']);
    expect(a.created).toBe(Date.parse(ts) / 1000);
    expect(a.ready[0]?.target).toEqual({ origin: 'http://10.0.0.1:9000', basePath: '', servedName: 'a' });
    expect(models[1]?.ready).toEqual([]);
    expect(models[2]?.aliases).toEqual(['Org/C']);
    expect(models[3]?.ready).toEqual([]);
  });

  it('never routes to a draining replica (graceful retirement: the router drops it before the engine stops)', () => {
    const [a] = buildManagedModels(
      [ep('a', 0, 'ready'), ep('a', 1, 'draining'), ep('a', 2, 'stopping')],
      new Map([['a', spec('a')]]),
      0,
    );
    expect(a?.ready.map((r) => r.replicaId)).toEqual([0]);
  });

  it("carries a spec's proxy timeouts to the route, in ms", () => {
    const [a, b] = buildManagedModels(
      [ep('a', 0, 'ready'), ep('b', 0, 'ready')],
      new Map([
        ['a', spec('a', { proxy_timeouts: { first_byte: '15m', idle: '1500ms' } })],
        ['b', spec('b', { proxy_timeouts: { idle: '30s' } })],
      ]),
      0,
    );
    expect(a?.timeouts).toEqual({ firstByteMs: 900_000, idleMs: 1_500 });
    expect(b?.timeouts).toEqual({ firstByteMs: undefined, idleMs: 30_000 });
    const t = new EndpointTable({
      pools: new PoolSet({
        connectTimeoutMs: 1000,
        firstByteTimeoutMs: 1000,
        idleTimeoutMs: 1000,
        keepAliveTimeoutMs: 1000,
      }),
      defaultPolicy: 'round-robin',
    });
    t.setManaged([a!, b!]);
    expect(t.lookup('a')?.timeouts).toEqual({ firstByteMs: 900_000, idleMs: 1_500 });
    t.setManaged([{ ...a!, timeouts: undefined }, b!]);
    expect(t.lookup('a')?.timeouts).toBeUndefined();
    t.clear();
  });

  it('brackets IPv6 addresses', () => {
    expect(originOf('::1', 80)).toBe('http://[::1]:80');
    expect(originOf('host', 80)).toBe('http://host:80');
  });
});

describe('EndpointTable', () => {
  const pools = () =>
    new PoolSet({
      connectTimeoutMs: 1000,
      firstByteTimeoutMs: 1000,
      idleTimeoutMs: 1000,
      keepAliveTimeoutMs: 1000,
    });
  const managed = (
    uid: string,
    ports: number[],
    extra: { aliases?: string[]; policy?: 'round-robin' } = {},
  ) => ({
    modelUid: uid,
    aliases: extra.aliases ?? [],
    listName: extra.aliases?.[0] ?? uid,
    policy: extra.policy,
    ready: ports.map((p, i) => ({
      replicaId: i,
      target: { origin: `http://127.0.0.1:${p}`, basePath: '', servedName: uid },
    })),
    created: 1,
  });

  it('resolves uids, aliases, static names and the wildcard; lists models with ready replicas', async () => {
    const ps = pools();
    let ready: ReadonlyMap<string, number> | undefined;
    const t = new EndpointTable({
      pools: ps,
      defaultPolicy: 'least-outstanding',
      onChange: (r) => (ready = r),
    });
    t.setManaged([managed('a', [1, 2], { aliases: ['Org/A'] }), managed('b', [])]);
    t.setStatic([
      { name: 'ext', targets: [{ origin: 'http://127.0.0.1:3', basePath: '' }] },
      { name: 'a', targets: [{ origin: 'http://127.0.0.1:4', basePath: '' }] },
    ]);
    expect(t.lookup('a')?.model).toBe('a');
    expect(t.lookup('Org/A')?.model).toBe('a');
    expect(t.lookup('ext')?.model).toBe('static:ext');
    expect(t.lookup('b')?.replicas).toHaveLength(0);
    expect(t.lookup('zzz')).toBeUndefined();
    expect(JSON.parse(t.modelsListBody())).toEqual({
      object: 'list',
      data: [
        { id: 'Org/A', object: 'model', created: 1, owned_by: 'nebula' },
        { id: 'ext', object: 'model', created: expect.any(Number), owned_by: 'nebula' },
      ],
    });
    expect(ready?.get('a')).toBe(2);
    expect(t.counts()).toEqual({ models: 3, ready_models: 2, ready_replicas: 3 });
    t.setStatic([{ name: WILDCARD_MODEL, targets: [{ origin: 'http://127.0.0.1:5', basePath: '' }] }]);
    expect(t.lookup('zzz')?.model).toBe('static:*');
    expect(ps.size).toBe(3);
    t.clear();
    expect(ps.size).toBe(0);
    await ps.destroyAll();
  });

  it('keeps replica objects, arrays and balancers across unrelated rebuilds', async () => {
    const ps = pools();
    const t = new EndpointTable({ pools: ps, defaultPolicy: 'least-outstanding' });
    t.setManaged([managed('a', [1, 2])]);
    const route = t.lookup('a')!;
    const arr = route.replicas;
    const r0 = arr[0]!;
    r0.outstanding = 3;
    const balancer = route.balancer;
    t.setManaged([managed('a', [1, 2])]);
    expect(t.lookup('a')).toBe(route);
    expect(route.replicas).toBe(arr);
    expect(route.balancer).toBe(balancer);
    expect(route.replicas[0]?.outstanding).toBe(3);
    // A moved replica is a new object; a policy change is a new balancer.
    t.setManaged([managed('a', [1, 9], { policy: 'round-robin' })]);
    expect(route.replicas).not.toBe(arr);
    expect(route.replicas[0]).toBe(r0);
    expect(route.replicas[1]?.target.origin).toBe('http://127.0.0.1:9');
    expect(route.balancer.policy).toBe('round-robin');
    expect(ps.size).toBe(2);
    t.clear();
    await ps.destroyAll();
  });
});
