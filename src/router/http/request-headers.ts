import type { IncomingMessage } from 'node:http';
import { HeaderNames } from '../header-names.js';

const ROUTING_HEADERS = new HeaderNames([
  'authorization',
  'x-request-id',
  'x-session-id',
  'traceparent',
  'tracestate',
  'content-length',
]);
const H_AUTHORIZATION = 1;
const H_REQUEST_ID = 2;
const H_SESSION_ID = 3;
const H_TRACEPARENT = 4;
const H_TRACESTATE = 5;

/** The request headers the proxy path reads; the first occurrence of each wins. */
export interface RoutingHeaders {
  authorization: string | undefined;
  requestId: string | undefined;
  traceparent: string | undefined;
  tracestate: string | undefined;
  sessionId: string | undefined;
  contentLength: string | undefined;
}

/**
 * Reads the proxy's few headers in one pass over `rawHeaders`, instead of having Node build the whole
 * lower-cased `req.headers` object for every request (the hot path reads six names and forwards none).
 */
export function routingHeaders(req: IncomingMessage): RoutingHeaders {
  const out: RoutingHeaders = {
    authorization: undefined,
    requestId: undefined,
    traceparent: undefined,
    tracestate: undefined,
    sessionId: undefined,
    contentLength: undefined,
  };
  const raw = req.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const id = ROUTING_HEADERS.idOf(raw[i] as string);
    if (id === 0) continue;
    const value = raw[i + 1];
    if (id === H_AUTHORIZATION) out.authorization ??= value;
    else if (id === H_REQUEST_ID) out.requestId ??= value;
    else if (id === H_SESSION_ID) out.sessionId ??= value;
    else if (id === H_TRACEPARENT) out.traceparent ??= value;
    else if (id === H_TRACESTATE) out.tracestate ??= value;
    else out.contentLength ??= value;
  }
  return out;
}
