import type { IncomingMessage } from 'node:http';
import { routerErrors, RouterError } from '../errors.js';

/**
 * Reads a request body up to `limit` bytes. A declared Content-Length over the limit fails at once, before
 * anything is read; a chunked body fails as soon as it passes the limit.
 */
export function readBody(
  req: IncomingMessage,
  limit: number,
  /** The request's Content-Length header, if it has one. */
  declared: string | undefined,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    if (declared !== undefined) {
      const n = Number(declared);
      if (n > limit) {
        reject(routerErrors.tooLarge(limit));
        return;
      }
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        reject(routerErrors.tooLarge(limit));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size));
    };
    const onError = (err: Error) => {
      cleanup();
      reject(err);
    };
    const onClose = () => {
      if (!req.complete) {
        cleanup();
        reject(new RouterError(499, 'invalid_request_error', 'client_closed', 'client closed the request'));
      }
    };
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
  });
}
