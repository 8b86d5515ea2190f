/** An error answer of the control API: HTTP status plus the stable `code` to switch on. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: Record<string, unknown> | undefined;
  /** Retry-After seconds on 429 / 503, when the server sent it. */
  readonly retryAfter: number | undefined;

  constructor(
    status: number,
    code: string,
    message: string,
    details?: Record<string, unknown>,
    retryAfter?: number,
  ) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.details = details;
    this.retryAfter = retryAfter;
  }
}

/** Builds an ApiError from a response (JSON error body when there is one). */
export async function toApiError(res: Response): Promise<ApiError> {
  const text = await res.text().catch(() => '');
  const retry = res.headers.get('retry-after');
  const retryAfter = retry !== null && /^[0-9]+$/.test(retry) ? Number(retry) : undefined;
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
      );
    }
  } catch {
    // not JSON: fall through
  }
  return new ApiError(
    res.status,
    res.status >= 500 ? 'INTERNAL' : 'HTTP_ERROR',
    text.slice(0, 300) || `HTTP ${res.status}`,
    undefined,
    retryAfter,
  );
}
