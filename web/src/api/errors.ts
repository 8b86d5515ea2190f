import type { ErrorBody } from './types.ts';

/**
 * A failed API call, carrying the server's stable `code` and its message (shown to people as is).
 * `status` 0 means the request never got an HTTP answer (network down, server stopped).
 */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: Record<string, unknown> | undefined;
  readonly requestId: string | undefined;

  constructor(
    status: number,
    code: string,
    message: string,
    opts: { details?: Record<string, unknown>; requestId?: string } = {},
  ) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = opts.details;
    this.requestId = opts.requestId;
  }
}

function isErrorBody(v: unknown): v is ErrorBody {
  if (typeof v !== 'object' || v === null || !('error' in v)) return false;
  const e = v.error;
  return typeof e === 'object' && e !== null && typeof (e as { message?: unknown }).message === 'string';
}

/** Builds an ApiError from a non-2xx response: the JSON error body when there is one, else the status text. */
export async function errorFromResponse(res: Response): Promise<ApiError> {
  const requestId = res.headers.get('x-request-id') ?? undefined;
  const text = await res.text().catch(() => '');
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = undefined;
  }
  if (isErrorBody(parsed)) {
    const { code, message, details } = parsed.error;
    return new ApiError(res.status, code || 'ERROR', message, {
      ...(details ? { details } : {}),
      ...(requestId ? { requestId } : {}),
    });
  }
  const message =
    text && text.length < 300 && !text.trimStart().startsWith('<')
      ? text.trim()
      : `${res.status} ${res.statusText || 'error'}`;
  return new ApiError(res.status, `HTTP_${res.status}`, message, requestId ? { requestId } : {});
}

/** A message fit for a notification or an error panel, whatever was thrown. */
export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}
