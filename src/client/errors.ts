/**
 * An error answer of the control API: HTTP status plus the stable `code` to switch on. `status` 0 means
 * the request got no HTTP answer (code `UNREACHABLE`: network down, server stopped, timed out).
 */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: Record<string, unknown> | undefined;
  /** Retry-After seconds on 429 / 503, when the server sent it. */
  readonly retryAfter: number | undefined;
  /** The server's `x-request-id` of the failed request, to quote in a report. */
  readonly requestId: string | undefined;

  constructor(
    status: number,
    code: string,
    message: string,
    details?: Record<string, unknown>,
    retryAfter?: number,
    requestId?: string,
  ) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
    this.retryAfter = retryAfter;
    this.requestId = requestId;
  }
}

/** Builds an ApiError from a response (JSON error body when there is one, else its text or status line). */
export async function toApiError(res: Response): Promise<ApiError> {
  const text = await res.text().catch(() => '');
  const retry = res.headers.get('retry-after');
  const retryAfter = retry !== null && /^[0-9]+$/.test(retry) ? Number(retry) : undefined;
  const requestId = res.headers.get('x-request-id') ?? undefined;
  try {
    const body = JSON.parse(text) as { error?: { code?: unknown; message?: unknown; details?: unknown } };
    if (body.error && typeof body.error.code === 'string') {
      return new ApiError(
        res.status,
        body.error.code,
        typeof body.error.message === 'string' ? body.error.message : `HTTP ${res.status}`,
        typeof body.error.details === 'object' && body.error.details !== null
          ? (body.error.details as Record<string, unknown>)
          : undefined,
        retryAfter,
        requestId,
      );
    }
  } catch {
    // not JSON: fall through
  }
  // An HTML error page (a proxy's) says nothing a person can use: the status line does.
  const plain = text.trimStart().startsWith('<') ? '' : text.slice(0, 300).trim();
  return new ApiError(
    res.status,
    res.status >= 500 ? 'INTERNAL' : 'HTTP_ERROR',
    plain || `${res.status} ${res.statusText || 'error'}`.trim(),
    undefined,
    retryAfter,
    requestId,
  );
}
