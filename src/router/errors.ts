import { NebulaError } from '../core/errors.js';

/** OpenAI's error `type` values that the router uses. */
export type OpenAIErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'rate_limit_error'
  | 'service_unavailable_error'
  | 'upstream_error'
  | 'server_error';

/**
 * An error the router answers itself (not one an engine sent). It knows its HTTP status, OpenAI error type
 * and stable code, so the HTTP and gRPC faces render it the same way.
 */
export class RouterError extends NebulaError {
  constructor(
    readonly status: number,
    readonly type: OpenAIErrorType,
    code: string,
    message: string,
    opts: { param?: string | null; retryAfterS?: number; retryable?: boolean } = {},
  ) {
    super(message, code, { retryable: opts.retryable ?? false });
    this.param = opts.param ?? null;
    this.retryAfterS = opts.retryAfterS;
  }
  readonly param: string | null;
  readonly retryAfterS: number | undefined;

  /** OpenAI's error body: `{"error":{"message","type","param","code"}}`. */
  toBody(): string {
    return JSON.stringify({
      error: { message: this.message, type: this.type, param: this.param, code: this.code },
    });
  }
}

export const routerErrors = {
  missingKey: () =>
    new RouterError(
      401,
      'authentication_error',
      'invalid_api_key',
      'missing API key: send "Authorization: Bearer <key>"',
    ),
  invalidKey: () => new RouterError(401, 'authentication_error', 'invalid_api_key', 'invalid API key'),
  expiredKey: () => new RouterError(401, 'authentication_error', 'invalid_api_key', 'API key expired'),
  revokedKey: () => new RouterError(401, 'authentication_error', 'invalid_api_key', 'API key revoked'),
  disabledOwner: () =>
    new RouterError(401, 'authentication_error', 'invalid_api_key', 'the owner of this API key is disabled or deleted'),
  rateLimited: (retryAfterS: number) =>
    new RouterError(
      429,
      'rate_limit_error',
      'rate_limit_exceeded',
      `rate limit exceeded; retry after ${retryAfterS}s`,
      {
        retryAfterS,
        retryable: true,
      },
    ),
  modelNotFound: (model: string) =>
    new RouterError(
      404,
      'invalid_request_error',
      'model_not_found',
      `the model \`${model}\` does not exist`,
      {
        param: 'model',
      },
    ),
  noReplica: (model: string, retryAfterS: number) =>
    new RouterError(
      503,
      'service_unavailable_error',
      'no_ready_replica',
      `the model \`${model}\` has no ready replica; retry later`,
      { retryAfterS, retryable: true },
    ),
  upstreamFailed: (model: string, detail: string) =>
    new RouterError(
      502,
      'upstream_error',
      'upstream_unavailable',
      `no replica of \`${model}\` answered: ${detail}`,
      {
        retryable: true,
      },
    ),
  /** The engine took longer than the model's first-byte or idle timeout (a hung or overloaded engine). */
  upstreamTimeout: (model: string, detail: string) =>
    new RouterError(
      504,
      'upstream_error',
      'upstream_timeout',
      `the replica of \`${model}\` timed out: ${detail}`,
      {
        retryable: true,
      },
    ),
  /** The engine's answer broke off after it had started (sent in-band, as an SSE error event). */
  upstreamInterrupted: (model: string, detail: string) =>
    new RouterError(
      502,
      'upstream_error',
      'upstream_interrupted',
      `the replica of \`${model}\` stopped mid-response: ${detail}`,
      { retryable: true },
    ),
  badJson: (detail: string) =>
    new RouterError(
      400,
      'invalid_request_error',
      'invalid_json',
      `request body is not valid JSON: ${detail}`,
    ),
  badRequest: (message: string, param: string | null = null) =>
    new RouterError(400, 'invalid_request_error', 'invalid_request', message, { param }),
  tooLarge: (limit: number) =>
    new RouterError(413, 'invalid_request_error', 'request_too_large', `request body exceeds ${limit} bytes`),
  notFound: (path: string) =>
    new RouterError(404, 'invalid_request_error', 'unknown_url', `unknown URL: ${path}`),
  methodNotAllowed: (method: string, path: string) =>
    new RouterError(
      405,
      'invalid_request_error',
      'method_not_allowed',
      `${method} is not allowed on ${path}`,
    ),
};
