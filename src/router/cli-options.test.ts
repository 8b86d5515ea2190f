import { describe, expect, it } from 'vitest';
import { resolveRouterCli } from './cli-options.js';

describe('resolveRouterCli', () => {
  it('takes flags before NEBULA_* variables before defaults', () => {
    const cfg = resolveRouterCli(
      { etcd: 'http://a:2379', port: '9000', policy: 'round-robin' },
      { NEBULA_ROUTER_PORT: '7000', NEBULA_ROUTER_POLICY: 'prefix-aware', NEBULA_ROUTER_GRPC_PORT: '7001' },
    );
    expect(cfg.etcd).toEqual(['http://a:2379']);
    expect(cfg.options).toMatchObject({
      host: '0.0.0.0',
      port: 9000,
      grpcPort: 7001,
      policy: 'round-robin',
      noAuth: false,
    });
    const env = resolveRouterCli(
      {},
      { NEBULA_ETCD: 'http://b:2379', NEBULA_NO_AUTH: '1', NEBULA_ETCD_NAMESPACE: '/ns' },
    );
    expect(env.options).toMatchObject({ port: 8000, grpcPort: 8001, noAuth: true });
    expect(env.etcdNamespace).toBe('/ns');
  });

  it('builds the lite upstream from NEBULA_UPSTREAM_URL and turns off gRPC and auth on request', () => {
    const cfg = resolveRouterCli(
      { grpc: false, auth: false, rateLimitRps: '2.5', rateLimitBurst: '5', maxBody: '1MiB' },
      { NEBULA_UPSTREAM_URL: 'http://127.0.0.1:9000', NEBULA_UPSTREAM_MODEL: 'qwen' },
    );
    expect(cfg.etcd).toBeUndefined();
    expect(cfg.options).toMatchObject({
      grpcPort: null,
      noAuth: true,
      rateLimitRps: 2.5,
      rateLimitBurst: 5,
      maxBodyBytes: 1024 * 1024,
      staticUpstreams: [{ name: 'qwen', targets: [{ origin: 'http://127.0.0.1:9000', basePath: '' }] }],
    });
  });

  it('refuses bad values with a one-line reason', () => {
    expect(() => resolveRouterCli({}, {})).toThrow(/--etcd/);
    expect(() => resolveRouterCli({ etcd: 'http://a:1', policy: 'random' }, {})).toThrow(/--policy/);
    expect(() => resolveRouterCli({ etcd: 'http://a:1', port: '99999' }, {})).toThrow(/outside/);
    expect(() => resolveRouterCli({ etcd: 'nope' }, {})).toThrow(/not a URL/);
    expect(() => resolveRouterCli({ etcd: 'http://a:1', rateLimitRps: '-1' }, {})).toThrow(/rate-limit-rps/);
    expect(() => resolveRouterCli({ etcd: 'http://a:1', rateLimitBurst: '1.5' }, {})).toThrow(
      /rate-limit-burst/,
    );
    expect(() => resolveRouterCli({ upstreamUrl: 'ftp://x' }, {})).toThrow(/http/);
  });

  it('reads the proxy timeout defaults as durations', () => {
    const cfg = resolveRouterCli(
      { etcd: 'http://a:2379', firstByteTimeout: '5m' },
      { NEBULA_ROUTER_IDLE_TIMEOUT: '45s' },
    );
    expect(cfg.options).toMatchObject({ firstByteTimeoutMs: 300_000, idleTimeoutMs: 45_000 });
    expect(resolveRouterCli({ etcd: 'http://a:2379' }, {}).options.firstByteTimeoutMs).toBeUndefined();
    expect(() => resolveRouterCli({ etcd: 'http://a:2379', idleTimeout: 'never' }, {})).toThrow(
      /--idle-timeout: "never" is not a duration/,
    );
    expect(() => resolveRouterCli({ etcd: 'http://a:2379', firstByteTimeout: '10ms' }, {})).toThrow(
      /--first-byte-timeout/,
    );
  });
});
