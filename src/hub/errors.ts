import { NebulaError } from '../core/errors.js';

/** Stable codes of hub failures (the same strings the node's cache errors use, so callers can map 1:1). */
export type HubErrorCode =
  /** A configured base URL that is not usable (not http(s), credentials, query). */
  | 'INVALID_MODEL_REFERENCE'
  /** The hub answered something unusable (bad status, invalid JSON, too large, too many redirects). */
  | 'DOWNLOAD_FAILED'
  /** The hub does not know the repository, revision or file. */
  | 'MODEL_NOT_FOUND_ON_HUB'
  /** Gated or private repository without (valid) credentials. */
  | 'HUB_UNAUTHORIZED'
  /** A request or redirect to a host outside the allowlist, or from https to http. */
  | 'REDIRECT_NOT_ALLOWED';

/**
 * A failure talking to a model hub. `retryable` marks transport errors, timeouts and 408/429/5xx;
 * `status` is the hub's HTTP status when it answered one.
 */
export class HubError extends NebulaError {
  declare readonly code: HubErrorCode;
  readonly status: number | undefined;
  /** The host the failing request went to (for messages that must not echo whole URLs). */
  readonly host: string | undefined;

  constructor(
    message: string,
    code: HubErrorCode,
    opts: { retryable?: boolean; cause?: unknown; status?: number; host?: string } = {},
  ) {
    super(message, code, {
      ...(opts.retryable !== undefined ? { retryable: opts.retryable } : {}),
      ...(opts.cause !== undefined ? { cause: opts.cause } : {}),
    });
    this.status = opts.status;
    this.host = opts.host;
  }
}

/** Maps a HubError to the caller's own error type (the node's CacheError, the server's ApiError). */
export type HubErrorMapper = (err: HubError) => Error;
