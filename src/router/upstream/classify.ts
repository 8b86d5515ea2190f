import type { UpstreamErrorKind } from '../metrics.js';
import type { UpstreamErrorCode } from './upstream-pool.js';

/**
 * The codes a failure of the upstream client (upstream-pool.ts) carries: the socket's own (Node's errno
 * names) and the client's. The proxy path has not used undici since the client replaced it, so undici's
 * `UND_ERR_*` codes cannot reach here (the load scraper, still on undici, does not classify its errors).
 */
const CONNECT_CODES: ReadonlySet<string> = new Set<string>([
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
  'ETIMEDOUT',
  ...(['UPSTREAM_CONNECT_TIMEOUT', 'UPSTREAM_CLOSED'] satisfies UpstreamErrorCode[]),
]);
const TIMEOUT_CODES: ReadonlySet<string> = new Set<UpstreamErrorCode>([
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
