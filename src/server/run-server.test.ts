import { describe, expect, it } from 'vitest';
import { resolveServerCli } from './run-server.js';

describe('nebula server flags', () => {
  it('needs --etcd (or NEBULA_ETCD)', () => {
    expect(() => resolveServerCli({}, {})).toThrow(/--etcd/);
  });
  it('flags win over environment, environment over defaults', () => {
    const env = {
      NEBULA_ETCD: 'http://e:2379',
      NEBULA_SERVER_PORT: '9000',
      HF_ENDPOINT: 'https://hf-mirror.com',
      NEBULA_NODE_TOKEN: 'tok',
    };
    const a = resolveServerCli({}, env);
    expect(a.etcd).toEqual(['http://e:2379']);
    expect(a.options).toMatchObject({
      port: 9000,
      host: '0.0.0.0',
      hfEndpoint: 'https://hf-mirror.com',
      nodeToken: 'tok',
    });
    const b = resolveServerCli(
      {
        etcd: 'http://a:2379,http://b:2379',
        port: '8081',
        hfEndpoint: 'http://127.0.0.1:5000',
        dataDir: 'rel/dir',
      },
      env,
    );
    expect(b.etcd).toEqual(['http://a:2379', 'http://b:2379']);
    expect(b.options.port).toBe(8081);
    expect(b.options.hfEndpoint).toBe('http://127.0.0.1:5000');
    expect(b.options.dataDir).toMatch(/^\/.*rel\/dir$/);
    expect(resolveServerCli({ etcd: 'http://e:1' }, {}).options.port).toBe(8080);
  });
  it('refuses bad values with a one-line reason', () => {
    expect(() => resolveServerCli({ etcd: 'http://e:1', port: 'eighty' }, {})).toThrow(/--port/);
    expect(() => resolveServerCli({ etcd: 'ftp://e:1' }, {})).toThrow(/http/);
    expect(() => resolveServerCli({ etcd: 'http://e:1', routerUrl: 'not a url' }, {})).toThrow(
      /--router-url/,
    );
    expect(() => resolveServerCli({ etcd: 'http://e:1', hfEndpoint: 'file:///etc' }, {})).toThrow(
      /--hf-endpoint/,
    );
  });
});
