import type { IncomingMessage, ServerResponse } from 'node:http';

/** An error answered in OpenAI's shape with vLLM's status codes and type names. */
export class OpenAiHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly type: string,
    readonly param: string | null = null,
  ) {
    super(message);
    this.name = 'OpenAiHttpError';
  }
}

export const badRequest = (message: string, param: string | null = null): OpenAiHttpError =>
  new OpenAiHttpError(400, message, 'BadRequestError', param);

export const modelNotFound = (model: string): OpenAiHttpError =>
  new OpenAiHttpError(404, `The model \`${model}\` does not exist.`, 'NotFoundError', 'model');

export function errorBody(err: OpenAiHttpError): string {
  return JSON.stringify({
    error: { message: err.message, type: err.type, param: err.param, code: err.status },
  });
}

export function sendJson(
  res: ServerResponse,
  status: number,
  payload: string,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  res.writeHead(status, {
    ...headers,
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(payload),
  });
  res.end(payload);
}

export function sendError(
  res: ServerResponse,
  err: OpenAiHttpError,
  headers: Record<string, string> = {},
): void {
  sendJson(res, err.status, errorBody(err), headers);
}

/** Reads a JSON body of at most `limit` bytes; malformed JSON and oversized bodies are typed errors. */
export function readJson(req: IncomingMessage, limit: number): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limit) {
        failed = true;
        reject(new OpenAiHttpError(413, `request body exceeds ${limit} bytes`, 'BadRequestError'));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (failed) return;
      const text =
        chunks.length === 1 ? (chunks[0] as Buffer).toString('utf8') : Buffer.concat(chunks).toString('utf8');
      try {
        resolve(JSON.parse(text));
      } catch {
        reject(badRequest('request body is not valid JSON'));
      }
    });
    req.on('error', (err) => {
      if (!failed) reject(err);
      failed = true;
    });
  });
}
