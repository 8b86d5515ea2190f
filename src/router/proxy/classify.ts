import type { UpstreamErrorKind } from '../metrics.js';

const CONNECT_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_DESTROYED',
  'ETIMEDOUT',
  'UPSTREAM_CONNECT_TIMEOUT',
  'UPSTREAM_CLOSED',
]);
const TIMEOUT_CODES = new Set([
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UPSTREAM_HEADERS_TIMEOUT',
  'UPSTREAM_FIRST_BYTE_TIMEOUT',
  'UPSTREAM_BODY_TIMEOUT',
]);

/** Kind of a failure before any response: `connect` failures make the replica sit out for a moment. */
export function classifyUpstreamError(err: unknown): UpstreamErrorKind {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string') {
    if (CONNECT_CODES.has(code)) return 'connect';
    if (TIMEOUT_CODES.has(code)) return 'timeout';
  }
  return 'protocol';
}
