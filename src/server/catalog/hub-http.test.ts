import { describe, expect, it } from 'vitest';
import { HubHttp } from './hub-http.js';

const http = new HubHttp(globalThis.fetch, {
  bases: ['https://hf-mirror.example', 'http://127.0.0.1:4000'],
  timeoutMs: 1000,
});

describe('HubHttp.allowed (SSRF allowlist)', () => {
  const cases: [string, boolean][] = [
    ['https://hf-mirror.example/api/models', true],
    ['https://huggingface.co/api/models', true],
    ['https://cdn-lfs.huggingface.co/x', true],
    ['https://modelscope.cn/api/v1/models', true],
    ['http://127.0.0.1:4000/api/models', true],
    ['http://127.0.0.1:4001/api/models', false],
    ['http://localhost:4000/api/models', false],
    ['http://huggingface.co/api/models', false],
    ['http://hf-mirror.example/api/models', false],
    ['https://evil.example/api/models', false],
    ['https://huggingface.co.evil.example/', false],
    ['https://user:pw@huggingface.co/', false],
    ['https://169.254.169.254/latest/meta-data', false],
    ['file:///etc/passwd', false],
    ['ftp://huggingface.co/', false],
  ];
  for (const [url, ok] of cases)
    it(`${url} -> ${ok ? 'allowed' : 'refused'}`, () => expect(http.allowed(new URL(url))).toBe(ok));

  it('never allows http to a configured base that is not loopback', () => {
    const h = new HubHttp(globalThis.fetch, { bases: ['http://10.0.0.5:8080'], timeoutMs: 1000 });
    expect(h.allowed(new URL('http://10.0.0.5:8080/api/models'))).toBe(false);
    expect(h.allowed(new URL('https://10.0.0.5:8080/api/models'))).toBe(true);
  });
});
