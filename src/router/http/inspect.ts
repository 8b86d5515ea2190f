import { routerErrors, type RouterError } from '../errors.js';

/** The few fields the router reads from a request body; the body itself is forwarded untouched. */
export interface InspectedBody {
  json: Record<string, unknown>;
  model: string;
  stream: boolean;
  /** OpenAI's end-user id, a session key for session affinity. */
  user: string | undefined;
}

/** Parses a JSON request body once and checks what routing needs (`model`, `stream`). */
export function inspectBody(body: Buffer): InspectedBody | RouterError {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch (err) {
    return routerErrors.badJson(err instanceof Error ? err.message : 'parse error');
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) {
    return routerErrors.badRequest('request body must be a JSON object');
  }
  const obj = json as Record<string, unknown>;
  const model = obj['model'];
  if (typeof model !== 'string' || model === '') {
    return routerErrors.badRequest('you must provide a model parameter', 'model');
  }
  if (model.length > 256) return routerErrors.badRequest('model is too long', 'model');
  const stream = obj['stream'];
  if (stream !== undefined && stream !== null && typeof stream !== 'boolean') {
    return routerErrors.badRequest('stream must be a boolean', 'stream');
  }
  const user = obj['user'];
  return {
    json: obj,
    model,
    stream: stream === true,
    user: typeof user === 'string' && user !== '' ? user.slice(0, 256) : undefined,
  };
}
