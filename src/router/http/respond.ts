import type { ServerResponse } from 'node:http';
import { RouterError } from '../errors.js';

/** Writes a JSON body with its length in one go. */
export function sendJson(res: ServerResponse, status: number, body: string, extra?: string[]): void {
  const headers = ['content-type', 'application/json', 'content-length', String(Buffer.byteLength(body))];
  if (extra !== undefined) headers.push(...extra);
  res.writeHead(status, headers);
  res.end(body);
}

/** Answers with a router error in OpenAI's shape, with Retry-After when the error carries one. */
export function sendError(res: ServerResponse, err: RouterError, requestId: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const extra = ['x-request-id', requestId];
  if (err.retryAfterS !== undefined) extra.push('retry-after', String(err.retryAfterS));
  if (err.status === 413) extra.push('connection', 'close');
  sendJson(res, err.status, err.toBody(), extra);
}

/** Any error as a RouterError (unexpected ones become 500 without internals). */
export function asRouterError(err: unknown): RouterError {
  if (err instanceof RouterError) return err;
  return new RouterError(500, 'server_error', 'internal_error', 'internal router error');
}
