import type { IncomingMessage } from 'node:http';

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
    const name = raw[i] as string;
    // Cheap length filter before the case-insensitive comparison.
    switch (name.length) {
      case 13:
        if (out.authorization === undefined && name.toLowerCase() === 'authorization')
          out.authorization = raw[i + 1];
        break;
      case 12:
        if (out.requestId === undefined && name.toLowerCase() === 'x-request-id') out.requestId = raw[i + 1];
        else if (out.sessionId === undefined && name.toLowerCase() === 'x-session-id')
          out.sessionId = raw[i + 1];
        break;
      case 11:
        if (out.traceparent === undefined && name.toLowerCase() === 'traceparent')
          out.traceparent = raw[i + 1];
        break;
      case 10:
        if (out.tracestate === undefined && name.toLowerCase() === 'tracestate') out.tracestate = raw[i + 1];
        break;
      case 14:
        if (out.contentLength === undefined && name.toLowerCase() === 'content-length')
          out.contentLength = raw[i + 1];
        break;
    }
  }
  return out;
}
