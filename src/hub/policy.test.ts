import { describe, expect, it } from 'vitest';
import {
  allowedUrl,
  checkRedirect,
  DEFAULT_REDIRECT_HOSTS,
  hubPolicies,
  hubUrl,
  isLoopback,
  parseBaseUrl,
  type UrlPolicy,
} from './policy.js';

const hf: UrlPolicy = { base: new URL('https://huggingface.co'), redirectHosts: DEFAULT_REDIRECT_HOSTS };
const local: UrlPolicy = { base: new URL('http://127.0.0.1:8080'), redirectHosts: ['localhost'] };
const from = new URL('https://huggingface.co/org/m/resolve/main/model.safetensors');

describe('redirect policy', () => {
  it.each([
    'https://cdn-lfs.huggingface.co/repos/ab/cd/sha?x=1',
    'https://cdn-lfs-us-1.hf.co/repos/x',
    'https://cas-bridge.xethub.hf.co/xet-bridge-us/x',
    '/api/other',
  ])('follows %s', (loc) => {
    expect(checkRedirect(hf, from, loc).href).toBe(new URL(loc, from).href);
  });
  it.each([
    ['http://cdn-lfs.huggingface.co/x', /non-https/],
    ['https://evil.example.com/x', /not an allowlisted/],
    ['https://huggingface.co.evil.com/x', /not an allowlisted/],
    ['https://hf.co.evil.com/x', /not an allowlisted/],
    ['https://user:pw@cdn-lfs.hf.co/x', /credentials/],
    ['http://169.254.169.254/latest/meta-data', /non-https/],
    ['file:///etc/passwd', /non-https/],
  ])('refuses %s', (loc, why) => {
    expect(() => checkRedirect(hf, from, loc)).toThrow(why);
  });
  it('allows plain http only between loopback hosts', () => {
    const f = new URL('http://127.0.0.1:8080/a');
    expect(checkRedirect(local, f, 'http://localhost:8080/cdn').hostname).toBe('localhost');
    expect(() => checkRedirect(local, f, 'http://10.0.0.1/cdn')).toThrow(/non-https/);
    const lan: UrlPolicy = { base: new URL('http://10.0.0.5:8080'), redirectHosts: ['10.0.0.6'] };
    expect(() => checkRedirect(lan, new URL('http://10.0.0.5:8080/a'), 'http://10.0.0.6/x')).toThrow(
      /non-https/,
    );
    expect(isLoopback('[::1]')).toBe(true);
    expect(isLoopback('127.1.2.3')).toBe(true);
    expect(isLoopback('127.0.0.1.evil.com')).toBe(false);
  });
});

describe('base URLs', () => {
  it('keeps a mirror path prefix', () => {
    const p: UrlPolicy = { base: parseBaseUrl('https://mirror.example.com/hf/', 'x'), redirectHosts: [] };
    expect(hubUrl(p, '/api/models/a/b').href).toBe('https://mirror.example.com/hf/api/models/a/b');
  });
  it.each(['ftp://x', 'not a url', 'https://u:p@x.com', 'https://x.com/?a=1', 'javascript:alert(1)'])(
    'refuses %s',
    (raw) => {
      expect(() => parseBaseUrl(raw, 'endpoint')).toThrow(
        expect.objectContaining({ code: 'INVALID_MODEL_REFERENCE' }),
      );
    },
  );
});

describe('first hop (was the catalog allowlist)', () => {
  const { huggingface: p } = hubPolicies({
    hfEndpoint: 'https://hf-mirror.example',
    modelscopeEndpoint: 'http://127.0.0.1:4000',
  });
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
  it.each(cases)('%s -> %s', (url, ok) => expect(allowedUrl(p, new URL(url))).toBe(ok));

  it('a configured plain-http base (a private mirror) is the operator choice; other http hosts are not', () => {
    const { huggingface: lan } = hubPolicies({
      hfEndpoint: 'http://10.0.0.5:8080',
      modelscopeEndpoint: 'https://www.modelscope.cn',
    });
    expect(allowedUrl(lan, new URL('http://10.0.0.5:8080/api/models'))).toBe(true);
    expect(allowedUrl(lan, new URL('http://10.0.0.6:8080/api/models'))).toBe(false);
  });
});
