import { HTTPException } from 'hono/http-exception';
import { ZodError } from 'zod';
import { AlreadyExistsError, InvalidArgumentError, NebulaError, NotFoundError } from '../core/errors.js';
import { ConflictError, StoreCorruptError, StoreIoError, StoreUnavailableError } from '../store/errors.js';
import { InvalidStoredValueError } from '../store/json.js';

/**
 * Stable error codes of the control API. Clients (CLI, console) switch on these, never on messages, so a
 * code is never renamed once shipped.
 */
export const ErrorCodes = [
  'VALIDATION_FAILED',
  'INVALID_JSON',
  'INVALID_MODEL_UID',
  'INVALID_NODE_ID',
  'INVALID_ID',
  'INVALID_ARGUMENT',
  'UNAUTHORIZED',
  'FORBIDDEN',
  'NOT_FOUND',
  'MODEL_NOT_FOUND',
  'MODEL_ALREADY_EXISTS',
  'TEMPLATE_NOT_FOUND',
  'TEMPLATE_ALREADY_EXISTS',
  'SYSTEM_TEMPLATE_READONLY',
  'NODE_NOT_FOUND',
  'CACHE_ENTRY_NOT_FOUND',
  'CACHE_IN_USE',
  'REPLICA_NOT_FOUND',
  'REQUEST_NOT_FOUND',
  'USER_NOT_FOUND',
  'USER_ALREADY_EXISTS',
  'LAST_ADMIN',
  'API_KEY_NOT_FOUND',
  'ROLE_ESCALATION',
  'CATALOG_MODEL_NOT_FOUND',
  'CONFLICT',
  'AUTOSCALED',
  'PRECONDITION_REQUIRED',
  'RATE_LIMITED',
  'NOT_A_SESSION',
  'CSRF_FAILED',
  'UNSUPPORTED_MEDIA_TYPE',
  'PAYLOAD_TOO_LARGE',
  'HUB_UNAVAILABLE',
  'ROUTER_UNAVAILABLE',
  'NODE_UNREACHABLE',
  'STORE_UNAVAILABLE',
  'JWT_SECRET_CONFIGURED',
  'REVISION_NOT_FOUND',
  'NOTHING_TO_ROLL_BACK',
  'INTERNAL',
  'GGUF_VARIANT_NOT_FOUND',
  'GGUF_VARIANT_AMBIGUOUS',
  'GGUF_NO_VARIANTS',
  'NODE_UNSCHEDULABLE',
  'PULL_UNPLACEABLE',
  'NOTHING_TO_PULL',
  'ADAPTER_NAME_TAKEN',
  'ADAPTER_NOT_FOUND',
] as const;
export type ErrorCode = (typeof ErrorCodes)[number];

/** An error with an HTTP status and a stable code: what handlers throw for expected failures. */
export class ApiError extends NebulaError {
  readonly status: number;
  readonly headers: Record<string, string> | undefined;

  constructor(
    status: number,
    code: ErrorCode,
    message: string,
    opts: { details?: Record<string, unknown>; headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    super(message, code, {
      ...(opts.details === undefined ? {} : { details: opts.details }),
      ...(opts.cause === undefined ? {} : { cause: opts.cause }),
      retryable: status === 429 || status === 502 || status === 503,
    });
    this.status = status;
    this.headers = opts.headers;
  }
}

/** The wire shape of every error response. */
export interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

export interface HttpError {
  status: number;
  body: ErrorBody;
  headers?: Record<string, string>;
}

const NOT_FOUND_CODES = new Set([
  'MODEL_NOT_FOUND',
  'TEMPLATE_NOT_FOUND',
  'NODE_NOT_FOUND',
  'USER_NOT_FOUND',
]);

function body(code: string, message: string, details?: Record<string, unknown>): ErrorBody {
  return details === undefined ? { error: { code, message } } : { error: { code, message, details } };
}

/** Issues of a ZodError as `{path, message}` pairs (what clients show next to form fields). */
export function zodIssues(err: ZodError): { path: string; message: string }[] {
  return err.issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
}

/**
 * Maps any thrown value to an HTTP status and error body. Pure, so the mapping is tested on its own;
 * unexpected errors become a 500 whose message does not leak internals.
 */
export function errorToHttp(err: unknown): HttpError {
  if (err instanceof ApiError) {
    const out: HttpError = { status: err.status, body: body(err.code, err.message, err.details) };
    if (err.headers) out.headers = err.headers;
    return out;
  }
  if (err instanceof ZodError) {
    return {
      status: 422,
      body: body('VALIDATION_FAILED', 'request failed validation', { issues: zodIssues(err) }),
    };
  }
  if (err instanceof HTTPException) {
    if (err.status === 400)
      return { status: 400, body: body('INVALID_JSON', 'request body is not valid JSON') };
    if (err.status === 413) return { status: 413, body: body('PAYLOAD_TOO_LARGE', 'request body too large') };
    if (err.status === 415) {
      return { status: 415, body: body('UNSUPPORTED_MEDIA_TYPE', 'send the body as application/json') };
    }
    return {
      status: err.status,
      body: body(err.status === 404 ? 'NOT_FOUND' : 'INVALID_ARGUMENT', err.message),
    };
  }
  if (err instanceof ConflictError) {
    return {
      status: 409,
      body: body('CONFLICT', 'the resource was changed concurrently; read it again and retry'),
    };
  }
  if (err instanceof StoreCorruptError || err instanceof StoreIoError) {
    // A fault of the embedded store's file: the server cannot serve this, and /healthz says so.
    return {
      status: 503,
      body: body('STORE_UNAVAILABLE', `the state store failed (${err.code}); see /healthz`),
    };
  }
  if (err instanceof StoreUnavailableError) {
    return { status: 503, body: body('STORE_UNAVAILABLE', 'the state store is unavailable; retry shortly') };
  }
  if (err instanceof InvalidStoredValueError) {
    return { status: 500, body: body('INTERNAL', 'a stored value is invalid', err.details) };
  }
  if (err instanceof NotFoundError) {
    const code = NOT_FOUND_CODES.has(err.code) ? err.code : 'NOT_FOUND';
    return { status: 404, body: body(code, err.message, err.details) };
  }
  if (err instanceof AlreadyExistsError)
    return { status: 409, body: body(err.code, err.message, err.details) };
  if (err instanceof InvalidArgumentError)
    return { status: 400, body: body(err.code, err.message, err.details) };
  return { status: 500, body: body('INTERNAL', 'internal error') };
}

/** Shorthands for the errors handlers throw most. */
export const errors = {
  notFound: (code: ErrorCode, message: string, details?: Record<string, unknown>) =>
    new ApiError(404, code, message, details === undefined ? {} : { details }),
  conflict: (code: ErrorCode, message: string, details?: Record<string, unknown>) =>
    new ApiError(409, code, message, details === undefined ? {} : { details }),
  forbidden: (message: string, code: ErrorCode = 'FORBIDDEN') => new ApiError(403, code, message),
  invalid: (message: string, code: ErrorCode = 'VALIDATION_FAILED', details?: Record<string, unknown>) =>
    new ApiError(422, code, message, details === undefined ? {} : { details }),
  badRequest: (message: string, code: ErrorCode = 'INVALID_ARGUMENT', details?: Record<string, unknown>) =>
    new ApiError(400, code, message, details === undefined ? {} : { details }),
};
