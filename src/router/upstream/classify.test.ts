import { describe, expect, it } from 'vitest';
import { classifyUpstreamError } from './classify.js';
import { UpstreamProtocolError } from './response-parser.js';
import { UpstreamError } from './upstream-pool.js';

describe('classifyUpstreamError', () => {
  it('reads the codes of the upstream client and of its sockets', () => {
    expect(classifyUpstreamError(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }))).toBe('connect');
    expect(classifyUpstreamError(new UpstreamError('UPSTREAM_CONNECT_TIMEOUT', 'x'))).toBe('connect');
    expect(classifyUpstreamError(new UpstreamError('UPSTREAM_CLOSED', 'x'))).toBe('connect');
    expect(classifyUpstreamError(new UpstreamError('UPSTREAM_HEADERS_TIMEOUT', 'x'))).toBe('timeout');
    expect(classifyUpstreamError(new UpstreamError('UPSTREAM_FIRST_BYTE_TIMEOUT', 'x'))).toBe('timeout');
    expect(classifyUpstreamError(new UpstreamError('UPSTREAM_BODY_TIMEOUT', 'x'))).toBe('timeout');
    expect(classifyUpstreamError(new UpstreamError('UPSTREAM_REQUEST', 'x'))).toBe('protocol');
    expect(classifyUpstreamError(new UpstreamProtocolError('x'))).toBe('protocol');
    expect(classifyUpstreamError(new Error('no code'))).toBe('protocol');
    expect(classifyUpstreamError(undefined)).toBe('protocol');
  });

  it('no longer knows undici codes (the proxy path does not use undici)', () => {
    expect(classifyUpstreamError(Object.assign(new Error('x'), { code: 'UND_ERR_SOCKET' }))).toBe('protocol');
  });
});
